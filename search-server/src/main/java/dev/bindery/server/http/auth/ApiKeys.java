package dev.bindery.server.http.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.bindery.indexer.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The API keys a server accepts, as read from a keys file. Secrets are never stored: each key keeps
 * a random salt and {@code SHA-256(salt || secret)}, and a presented secret is checked against
 * every key with a constant-time comparison. Secrets are generated here with 256 bits of entropy,
 * which is why one salted SHA-256 suffices (a slow password hash protects guessable passwords, and
 * these are not guessable). Immutable and thread-safe.
 *
 * <p>The file is JSON, or YAML when its name ends in {@code .yaml} or {@code .yml}:
 *
 * <pre>
 * {"version": 1, "keys": [{"name": "reader", "scope": "read", "collections": ["photos"],
 *                          "salt": "&lt;base64&gt;", "sha256": "&lt;base64&gt;"}]}
 * </pre>
 *
 * {@code collections} may be absent or empty: the key may touch every collection.
 */
public final class ApiKeys {
  /** Prefix of every generated secret, so a leaked one is easy to recognize. */
  public static final String SECRET_PREFIX = "bk_";

  /** Longest secret looked at; anything longer cannot be one of ours. */
  static final int MAX_SECRET_CHARS = 256;

  private static final int SALT_BYTES = 16;
  private static final int SECRET_BYTES = 32;
  private static final List<String> KEY_FIELDS =
      List.of("name", "scope", "collections", "salt", "sha256");

  private final List<ApiKey> keys;

  public ApiKeys(Collection<ApiKey> keys) {
    this.keys = List.copyOf(keys);
    Set<String> names = new HashSet<>();
    for (ApiKey k : this.keys) {
      if (!names.add(k.name())) {
        throw new IllegalArgumentException("two keys are named '" + k.name() + "'");
      }
    }
  }

  /** The keys, in file order. */
  public List<ApiKey> keys() {
    return keys;
  }

  public boolean isEmpty() {
    return keys.isEmpty();
  }

  /**
   * The key whose secret this is, or empty. Every key is hashed and compared, whether or not an
   * earlier one matched, so the time taken does not tell which key (if any) matched.
   */
  public Optional<ApiKey> authenticate(String secret) {
    if (secret == null || secret.isEmpty() || secret.length() > MAX_SECRET_CHARS) {
      return Optional.empty();
    }
    byte[] presented = secret.getBytes(StandardCharsets.UTF_8);
    ApiKey match = null;
    for (ApiKey k : keys) {
      if (MessageDigest.isEqual(hash(k.salt(), presented), k.sha256()) && match == null) {
        match = k;
      }
    }
    return Optional.ofNullable(match);
  }

  /** A new secret and its key entry; the secret is shown once and never stored. */
  public static Generated generate(
      String name, Scope scope, Collection<String> collections, SecureRandom random) {
    byte[] raw = new byte[SECRET_BYTES];
    random.nextBytes(raw);
    String secret = SECRET_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    ApiKey key =
        new ApiKey(
            name,
            scope,
            new TreeSet<>(collections),
            salt,
            hash(salt, secret.getBytes(StandardCharsets.UTF_8)));
    return new Generated(key, secret);
  }

  /** A generated key: the entry to store and the secret to hand to its user. */
  public record Generated(ApiKey key, String secret) {}

  /** These keys plus {@code key}, which must have a new name. */
  public ApiKeys with(ApiKey key) {
    List<ApiKey> all = new ArrayList<>(keys);
    all.add(key);
    return new ApiKeys(all);
  }

  /** These keys without the one named {@code name}; an error if there is none. */
  public ApiKeys without(String name) {
    List<ApiKey> rest = keys.stream().filter(k -> !k.name().equals(name)).toList();
    if (rest.size() == keys.size()) {
      throw new IllegalArgumentException(
          "no key named '" + name + "'; keys are " + keys.stream().map(ApiKey::name).toList());
    }
    return new ApiKeys(rest);
  }

  // ------------------------------------------------------------------ file

  /**
   * Reads a keys file.
   *
   * @throws IllegalArgumentException naming the file and the entry for anything malformed
   */
  public static ApiKeys load(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("keys file " + file + " does not exist", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read keys file " + file + ": " + e, e);
    }
    JsonNode root;
    try {
      // YAML is a superset of JSON, so one reader serves both.
      root = new ObjectMapper(new YAMLFactory()).readTree(bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "keys file " + file + " is not valid JSON or YAML: " + e.getMessage(), e);
    }
    return fromTree(root, "keys file " + file);
  }

  /** Reads a keys file if it exists, else no keys. */
  public static ApiKeys loadOrEmpty(Path file) {
    return Files.exists(file) ? load(file) : new ApiKeys(List.of());
  }

  /** Writes the keys atomically ({@link AtomicFiles}), readable by the owner only. */
  public void save(Path file) {
    ObjectNode root = toTree();
    ObjectMapper mapper =
        isYaml(file)
            ? new ObjectMapper(new YAMLFactory())
            : new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    try {
      AtomicFiles.writeOwnerOnly(file, mapper.writeValueAsBytes(root));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write keys file " + file + ": " + e, e);
    }
  }

  private static boolean isYaml(Path file) {
    String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".yaml") || n.endsWith(".yml");
  }

  /**
   * The keys in a parsed keys file.
   *
   * @param source names the file in messages, which start with it
   */
  static ApiKeys fromTree(JsonNode root, String source) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(
          source
              + ": expected an object {\"version\": 1, \"keys\": [...]}, got "
              + (root == null ? "nothing" : root.getNodeType()));
    }
    JsonNode version = root.get("version");
    if (version != null && !(version.isInt() && version.intValue() == 1)) {
      throw new IllegalArgumentException(
          source + ": unsupported version " + version + "; expected 1");
    }
    JsonNode list = root.get("keys");
    if (list == null || list.isNull()) {
      return new ApiKeys(List.of());
    }
    if (!list.isArray()) {
      throw new IllegalArgumentException(
          source + ": keys must be a list, got " + list.getNodeType());
    }
    List<ApiKey> keys = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      keys.add(entry(list.get(i), source + ": keys[" + i + "]"));
    }
    return new ApiKeys(keys);
  }

  /** One entry; every refusal names it ({@code where}: the file and the entry's index). */
  private static ApiKey entry(JsonNode n, String where) {
    if (!n.isObject()) {
      throw new IllegalArgumentException(where + " must be an object, got " + n.getNodeType());
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!KEY_FIELDS.contains(f)) {
        throw new IllegalArgumentException(
            where + ": unknown field '" + f + "'; expected " + KEY_FIELDS);
      }
    }
    Set<String> collections = new TreeSet<>();
    JsonNode c = n.get("collections");
    if (c != null && !c.isNull()) {
      if (!c.isArray()) {
        throw new IllegalArgumentException(where + ": collections must be a list of names");
      }
      c.forEach(x -> collections.add(text(x, where, "collections[]")));
    }
    String name = text(n.get("name"), where, "name");
    Scope scope = Scope.fromName(text(n.get("scope"), where, "scope"), where);
    byte[] salt = base64(n.get("salt"), where, "salt");
    byte[] sha256 = base64(n.get("sha256"), where, "sha256");
    try {
      return new ApiKey(name, scope, collections, salt, sha256);
    } catch (IllegalArgumentException e) {
      // The key's own checks (name rules, salt and hash sizes) do not know the file or entry.
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  private static String text(JsonNode n, String where, String field) {
    if (n == null || !n.isTextual()) {
      throw new IllegalArgumentException(where + ": " + field + " must be a string");
    }
    return n.textValue();
  }

  private static byte[] base64(JsonNode n, String where, String field) {
    String value = text(n, where, field);
    try {
      return Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      // The JDK's decoder names no input: this is where its refusal gains one.
      throw new IllegalArgumentException(
          where + ": " + field + " is not base64: " + e.getMessage(), e);
    }
  }

  ObjectNode toTree() {
    ObjectMapper m = new ObjectMapper();
    ObjectNode root = m.createObjectNode();
    root.put("version", 1);
    ArrayNode list = root.putArray("keys");
    for (ApiKey k : keys) {
      ObjectNode o = list.addObject();
      o.put("name", k.name());
      o.put("scope", k.scope().wireName());
      ArrayNode c = o.putArray("collections");
      new TreeSet<>(k.collections()).forEach(c::add);
      o.put("salt", Base64.getEncoder().encodeToString(k.salt()));
      o.put("sha256", Base64.getEncoder().encodeToString(k.sha256()));
    }
    return root;
  }

  @Override
  public String toString() {
    return "ApiKeys" + keys.stream().map(ApiKey::name).toList();
  }

  static byte[] hash(byte[] salt, byte[] secret) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(salt);
      return d.digest(secret);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
