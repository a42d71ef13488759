package dev.bindery.server.http.auth;

import dev.bindery.indexer.Names;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One API key as the keys file stores it: a name, a scope, the collections it may touch, and the
 * salted SHA-256 of the secret (never the secret itself).
 *
 * @param name a label for logs and errors, unique in its file
 * @param scope what the key may do
 * @param collections the collections the key may touch, sorted; empty means all
 * @param salt random bytes hashed before the secret
 * @param sha256 SHA-256 of {@code salt || UTF-8(secret)}
 */
public record ApiKey(
    String name, Scope scope, Set<String> collections, byte[] salt, byte[] sha256) {

  public ApiKey {
    Names.checkName("key", name);
    Objects.requireNonNull(scope, "scope");
    // Sorted, so files, listings and messages show collections in one order.
    collections = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(collections));
    collections.forEach(c -> Names.checkName("collection", c));
    Objects.requireNonNull(salt, "salt");
    Objects.requireNonNull(sha256, "sha256");
    if (salt.length < 8) {
      throw new IllegalArgumentException(
          "key '" + name + "': salt must be >= 8 bytes, got " + salt.length);
    }
    if (sha256.length != 32) {
      throw new IllegalArgumentException(
          "key '" + name + "': sha256 must be 32 bytes, got " + sha256.length);
    }
    salt = salt.clone();
    sha256 = sha256.clone();
  }

  /** True if this key may touch {@code collection}. */
  public boolean allows(String collection) {
    return collections.isEmpty() || collections.contains(collection);
  }

  @Override
  public byte[] salt() {
    return salt.clone();
  }

  @Override
  public byte[] sha256() {
    return sha256.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ApiKey k
        && name.equals(k.name)
        && scope == k.scope
        && collections.equals(k.collections)
        && Arrays.equals(salt, k.salt)
        && Arrays.equals(sha256, k.sha256);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, scope, collections, Arrays.hashCode(salt), Arrays.hashCode(sha256));
  }

  /** Name, scope and collections; the hash is shortened so logs never carry it whole. */
  @Override
  public String toString() {
    return "ApiKey[name="
        + name
        + ", scope="
        + scope
        + ", collections="
        + (collections.isEmpty() ? "all" : new TreeSet<>(collections))
        + ", sha256="
        + Base64.getEncoder().encodeToString(sha256).substring(0, 8)
        + "...]";
  }
}
