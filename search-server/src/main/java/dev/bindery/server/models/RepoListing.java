package dev.bindery.server.models;

import java.util.List;
import java.util.Objects;

/**
 * A repository at one commit: what {@link HubClient#listing} returns.
 *
 * @param repo {@code owner/name}
 * @param revision the revision asked for (branch, tag or commit)
 * @param commit the commit it resolved to; downloads are pinned to it
 * @param license the license the repository's card states, or null
 * @param files every file, with sizes and checksums
 */
public record RepoListing(
    String repo, String revision, String commit, String license, List<RepoFile> files) {
  public RepoListing {
    Objects.requireNonNull(repo, "repo");
    Objects.requireNonNull(revision, "revision");
    Objects.requireNonNull(commit, "commit");
    files = List.copyOf(files);
  }

  public List<String> paths() {
    return files.stream().map(RepoFile::path).toList();
  }

  public RepoFile file(String path) {
    return files.stream()
        .filter(f -> f.path().equals(path))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(repo + " has no file " + path));
  }
}
