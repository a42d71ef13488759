package dev.bindery.server.models;

import java.util.Objects;

/**
 * One file of a repository as the hub lists it.
 *
 * @param path path in the repository, '/'-separated
 * @param size bytes
 * @param sha256 the LFS object id (SHA-256 of the content) for LFS files, else null
 * @param gitOid the git blob id (SHA-1 of {@code "blob <size>\0" + content}), or null
 */
public record RepoFile(String path, long size, String sha256, String gitOid) {
  public RepoFile {
    Objects.requireNonNull(path, "path");
    if (path.isEmpty()
        || path.startsWith("/")
        || path.contains("\\")
        || ("/" + path + "/").contains("/../")
        || ("/" + path + "/").contains("/./")) {
      // A listing is input from the network; it must not write outside the model folder.
      throw new IllegalArgumentException(
          "unsafe file path in the repository listing: '" + path + "'");
    }
    if (size < 0) {
      throw new IllegalArgumentException(path + ": negative size " + size);
    }
  }
}
