package dev.bindery.eval.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.lucene.codecs.CompoundDirectory;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfo;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * Where a collection's bytes go, by Lucene file extension ({@code vec} raw float vectors, {@code
 * vex} HNSW graph, {@code veq} quantized vectors, ...), looking inside compound files, which Lucene
 * uses for small segments and which would otherwise hide everything under {@code cfs}. Reads the
 * latest commit only; never writes.
 */
final class IndexFileSizes {

  private IndexFileSizes() {}

  /** Bytes per extension over every Lucene index under {@code collectionDir}. */
  static Map<String, Long> byExtension(Path collectionDir) throws IOException {
    Map<String, Long> out = new TreeMap<>();
    List<Path> indexDirs;
    try (Stream<Path> walk = Files.walk(collectionDir)) {
      indexDirs = walk.filter(Files::isDirectory).filter(IndexFileSizes::holdsCommit).toList();
    }
    for (Path indexDir : indexDirs) {
      try (Directory dir = FSDirectory.open(indexDir)) {
        SegmentInfos infos = SegmentInfos.readLatestCommit(dir);
        add(out, infos.getSegmentsFileName(), dir.fileLength(infos.getSegmentsFileName()));
        for (SegmentCommitInfo commitInfo : infos) {
          SegmentInfo si = commitInfo.info;
          long inner = 0;
          if (si.getUseCompoundFile()) {
            try (CompoundDirectory cfs =
                si.getCodec().compoundFormat().getCompoundReader(dir, si)) {
              for (String f : cfs.listAll()) {
                long len = cfs.fileLength(f);
                inner += len;
                add(out, f, len);
              }
            }
          }
          long containers = 0;
          for (String f : commitInfo.files()) {
            String ext = IndexFileNames.getExtension(f);
            if ("cfs".equals(ext) || "cfe".equals(ext)) {
              containers += dir.fileLength(f);
            } else {
              add(out, f, dir.fileLength(f));
            }
          }
          if (containers > 0) {
            out.merge("compound_overhead", containers - inner, Long::sum);
          }
        }
      }
    }
    return out;
  }

  private static boolean holdsCommit(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.anyMatch(f -> f.getFileName().toString().startsWith("segments_"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot list " + dir, e);
    }
  }

  private static void add(Map<String, Long> out, String file, long bytes) {
    String ext = file.startsWith("segments_") ? "segments" : IndexFileNames.getExtension(file);
    out.merge(ext == null ? file : ext, bytes, Long::sum);
  }
}
