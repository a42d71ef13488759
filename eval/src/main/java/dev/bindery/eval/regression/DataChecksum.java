package dev.bindery.eval.regression;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * SHA-256 of a dataset: of a file, its bytes (what {@code sha256sum FILE} prints); of a folder, the
 * SHA-256 of the lines {@code <sha256 of file> <path relative to the folder, with />} of every
 * regular file below it, sorted by path, each ending in a newline; which is what {@code cd DIR &&
 * find . -type f -printf '%P\n' | LC_ALL=C sort | xargs sha256sum | sha256sum} prints. Links are
 * followed.
 */
public final class DataChecksum {

  private DataChecksum() {}

  /** The checksum of a file or folder, as lower-case hex. */
  public static String sha256(Path path) {
    if (Files.isRegularFile(path)) {
      return fileSha256(path);
    }
    if (!Files.isDirectory(path)) {
      throw new IllegalArgumentException("cannot checksum " + path + ": no such file or folder");
    }
    List<Path> files;
    try (Stream<Path> all = Files.walk(path, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
      files = all.filter(Files::isRegularFile).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + path, e);
    }
    List<String> rel =
        files.stream()
            .map(f -> path.relativize(f).toString().replace(java.io.File.separatorChar, '/'))
            .sorted(DataChecksum::compareBytes)
            .toList();
    MessageDigest md = digest();
    for (String r : rel) {
      md.update((fileSha256(path.resolve(r)) + "  " + r + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static int compareBytes(String a, String b) {
    // LC_ALL=C sort order: unsigned bytes of the UTF-8 form
    return java.util.Arrays.compareUnsigned(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static String fileSha256(Path file) {
    MessageDigest md = digest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
