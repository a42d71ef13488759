package dev.bindery.indexer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writesReplacesAndLeavesNoTemporaryFile() throws IOException {
    Path target = dir.resolve("sub/state.json");
    AtomicFiles.write(target, "one".getBytes(StandardCharsets.UTF_8));
    assertEquals("one", Files.readString(target));
    AtomicFiles.write(
        target,
        ch -> {
          AtomicFiles.writeFully(ch, ByteBuffer.wrap("tw".getBytes(StandardCharsets.UTF_8)));
          AtomicFiles.writeFully(ch, ByteBuffer.wrap("o".getBytes(StandardCharsets.UTF_8)));
        });
    assertEquals("two", Files.readString(target));
    assertEquals(List.of("sub"), names());
    try (Stream<Path> s = Files.list(dir.resolve("sub"))) {
      assertEquals(List.of(target), s.toList());
    }
  }

  @Test
  void aStateFileIsNeverWrittenIntoAFolderThatIsGone() throws IOException {
    // a collection's folder dropped while one of its writes finishes: the write fails, and the
    // folder does not come back holding only that file
    Path gone = dir.resolve("dropped/collection.json");
    java.nio.file.NoSuchFileException e =
        assertThrows(
            java.nio.file.NoSuchFileException.class,
            () ->
                AtomicFiles.replaceInExistingDirectory(
                    gone, "{}".getBytes(StandardCharsets.UTF_8)));
    assertEquals(dir.resolve("dropped").toString(), e.getFile());
    assertEquals("the folder is gone; not writing collection.json", e.getReason());
    assertEquals(List.of(), names());
    // into a folder that exists it replaces like write()
    Files.createDirectories(dir.resolve("live"));
    Path live = dir.resolve("live/collection.json");
    AtomicFiles.replaceInExistingDirectory(live, "one".getBytes(StandardCharsets.UTF_8));
    AtomicFiles.replaceInExistingDirectory(live, "two".getBytes(StandardCharsets.UTF_8));
    assertEquals("two", Files.readString(live));
    try (Stream<Path> s = Files.list(dir.resolve("live"))) {
      assertEquals(List.of(live), s.toList());
    }
  }

  @Test
  void aFailedWriteKeepsTheOldFileAndRemovesItsTemporaryFile() throws IOException {
    Path target = dir.resolve("state.json");
    AtomicFiles.write(target, new byte[] {1, 2, 3});
    IOException boom = new IOException("disk full");
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                AtomicFiles.write(
                    target,
                    ch -> {
                      AtomicFiles.writeFully(ch, ByteBuffer.wrap(new byte[] {9, 9}));
                      throw boom;
                    }));
    assertSame(boom, e);
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
    assertEquals(List.of("state.json"), names());
  }

  @Test
  void ownerOnlyFilesAreNeverReadableByOthers() throws IOException {
    assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
    Path target = dir.resolve("keys.json");
    AtomicFiles.writeOwnerOnly(target, "secret".getBytes(StandardCharsets.UTF_8));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
    assertEquals("secret", Files.readString(target));
  }
}
