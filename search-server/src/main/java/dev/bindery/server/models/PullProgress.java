package dev.bindery.server.models;

import java.util.List;

/** What a pull reports while it downloads; the CLI draws it on stderr. */
public interface PullProgress {
  /** A pull that shows nothing. */
  PullProgress NONE =
      new PullProgress() {
        @Override
        public void begin(List<RepoFile> files, long totalBytes, long haveBytes) {}

        @Override
        public void file(RepoFile file, long haveBytes) {}

        @Override
        public void bytes(long n) {}

        @Override
        public void fileDone(RepoFile file) {}

        @Override
        public void end() {}
      };

  /** Before the first byte: every file to fetch, their total size, and how much is already here. */
  void begin(List<RepoFile> files, long totalBytes, long haveBytes);

  /** A file starts (or resumes from {@code haveBytes}). */
  void file(RepoFile file, long haveBytes);

  /** {@code n} more bytes of the current file arrived (negative: a partial file was dropped). */
  void bytes(long n);

  /** The current file is complete and verified. */
  void fileDone(RepoFile file);

  /** The pull ended, successfully or not. */
  void end();
}
