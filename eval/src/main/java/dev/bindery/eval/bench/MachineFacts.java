package dev.bindery.eval.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What the ANN reports say about the machine they ran on: cores, CPU model, JVM, operating system,
 * heap, Lucene version, whether the Panama vector module is on, its -XX options, and how busy the
 * machine was (a timing on a shared machine means little without its load average).
 */
final class MachineFacts {
  private MachineFacts() {}

  /** The facts as an ordered map, for JSON and Markdown reports. */
  static Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("cpu", cpuModel());
    m.put("java_version", System.getProperty("java.version"));
    m.put("java_vm", System.getProperty("java.vm.name"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put("arch", System.getProperty("os.arch"));
    m.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
    m.put("lucene_version", org.apache.lucene.util.Version.LATEST.toString());
    m.put("load_average_at_report", loadAverage());
    // Lucene's SIMD scorers need this module; without it they fall back to scalar code.
    m.put(
        "vector_incubator_module",
        ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
    // JIT options change what quantized storages cost (bin/bindery keeps Lucene's byte dot
    // products out of line), so a report says which ones its JVM ran with.
    m.put(
        "jvm_xx_options",
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> a.startsWith("-XX:"))
            .toList());
    return m;
  }

  /** {@code /proc/loadavg}'s three load averages, or "unknown" where it cannot be read. */
  static String loadAverage() {
    Path loadavg = Path.of("/proc/loadavg");
    if (!Files.isReadable(loadavg)) {
      return "unknown";
    }
    try {
      String[] f = Files.readString(loadavg).strip().split("\\s+");
      return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] + " (1, 5, 15 min)" : "unknown";
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  private static String cpuModel() {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (!Files.isReadable(cpuinfo)) {
      return "unknown";
    }
    try (Stream<String> lines = Files.lines(cpuinfo)) {
      return lines
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).strip())
          .findFirst()
          .orElse("unknown");
    } catch (IOException e) {
      // The CPU model only labels the report; a machine that hides it still gets measured.
      return "unknown (" + e.getMessage() + ")";
    }
  }
}
