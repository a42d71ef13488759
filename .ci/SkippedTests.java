import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The CI skip rule: reads every TEST-*.xml under target/surefire-reports and
 * target/failsafe-reports of every module, prints each skipped test with its reason, and exits 1
 * unless every skip is on the allow-list (opt-in benchmarks only). A skipped test never fails
 * {@code mvn verify}, so without this rule a test whose tools are missing protects nothing.
 *
 * <p>A class skipped as a whole (an assumption in {@code @BeforeAll}, a disabled class) leaves a
 * report with no test case at all and no reason: surefire drops it. Such a report counts as a skip
 * of the whole class; its reason is the first line of the class's {@code -output.txt} if any.
 *
 * <p>Run by .ci/run after the build with the JDK it found: {@code java .ci/SkippedTests.java ROOT
 * ALLOW_LIST}. Allow-list lines are {@code ClassName} (every test of the class) or {@code
 * ClassName#method}, then whitespace and the reason it may skip; {@code #} starts a comment line.
 * Exit status: 0 no unexpected skip, 1 an unexpected skip (or no report at all), 2 usage.
 */
public class SkippedTests {

  record Skip(String module, String className, String test, String reason) {
    String id() {
      return className + "#" + test;
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: java .ci/SkippedTests.java REPO_ROOT ALLOW_LIST");
      System.exit(2);
    }
    Path root = Path.of(args[0]);
    Map<String, String> allowed = readAllowList(Path.of(args[1]));
    List<Path> reports = reports(root);
    if (reports.isEmpty()) {
      System.err.println("skip check: no TEST-*.xml report under " + root + "; did the tests run?");
      System.exit(1);
    }
    int tests = 0;
    List<Skip> skips = new ArrayList<>();
    for (Path report : reports) {
      Element suite =
          DocumentBuilderFactory.newInstance()
              .newDocumentBuilder()
              .parse(report.toFile())
              .getDocumentElement();
      String module = root.relativize(report).getName(0).toString();
      NodeList cases = suite.getElementsByTagName("testcase");
      tests += cases.getLength();
      if (cases.getLength() == 0) {
        String className = suite.getAttribute("name");
        skips.add(
            new Skip(module, className, "(whole class, no test ran)", classReason(report, className)));
        continue;
      }
      for (int i = 0; i < cases.getLength(); i++) {
        Element tc = (Element) cases.item(i);
        NodeList skipped = tc.getElementsByTagName("skipped");
        if (skipped.getLength() == 0) {
          continue;
        }
        String className = tc.getAttribute("classname");
        if (className.isEmpty()) {
          className = suite.getAttribute("name");
        }
        String reason = ((Element) skipped.item(0)).getAttribute("message");
        if (reason.isBlank()) {
          reason = skipped.item(0).getTextContent().strip();
        }
        skips.add(
            new Skip(module, className, tc.getAttribute("name"), reason.isBlank() ? "?" : reason));
      }
    }
    List<Skip> unexpected = new ArrayList<>();
    for (Skip s : skips) {
      String simple = s.className().substring(s.className().lastIndexOf('.') + 1);
      boolean ok =
          allowed.containsKey(s.className())
              || allowed.containsKey(simple)
              || allowed.containsKey(s.id())
              || allowed.containsKey(simple + "#" + s.test());
      System.out.printf(
          "%s %s: %s %s: %s%n",
          ok ? "allowed skip   " : "UNEXPECTED SKIP",
          s.module(),
          s.className(),
          s.test(),
          s.reason());
      if (!ok) {
        unexpected.add(s);
      }
    }
    System.out.printf(
        "skip check: %d reports, %d tests, %d skipped, %d not on %s%n",
        reports.size(), tests, skips.size(), unexpected.size(), args[1]);
    if (!unexpected.isEmpty()) {
      System.out.println(
          "skip check FAILED: a skipped test protects nothing; install what it needs (see the"
              + " reasons above) or, for an opt-in benchmark only, add it to "
              + args[1]);
      System.exit(1);
    }
  }

  /** The first line the class printed (its own skip message), or what surefire leaves out. */
  static String classReason(Path report, String className) throws IOException {
    Path output = report.resolveSibling(className + "-output.txt");
    if (Files.isRegularFile(output)) {
      for (String line : Files.readAllLines(output)) {
        if (!line.isBlank()) {
          return line.strip();
        }
      }
    }
    return "a class-level skip (assumption in @BeforeAll, or a disabled class); surefire does not"
        + " report its reason";
  }

  static Map<String, String> readAllowList(Path file) throws IOException {
    Map<String, String> allowed = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file)) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] parts = l.split("\\s+", 2);
      if (parts.length < 2) {
        System.err.println(file + ": '" + l + "' gives no reason; every allowed skip needs one");
        System.exit(2);
      }
      allowed.put(parts[0], parts[1]);
    }
    return allowed;
  }

  static List<Path> reports(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root, 8)) {
      return files
          .filter(
              p -> {
                String dir = p.getParent() == null ? "" : p.getParent().getFileName().toString();
                String name = p.getFileName().toString();
                return (dir.equals("surefire-reports") || dir.equals("failsafe-reports"))
                    && name.startsWith("TEST-")
                    && name.endsWith(".xml")
                    && p.getParent().getParent().getFileName().toString().equals("target");
              })
          .filter(p -> !root.relativize(p).startsWith(".git"))
          .sorted()
          .toList();
    }
  }
}
