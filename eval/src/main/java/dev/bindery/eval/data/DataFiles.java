package dev.bindery.eval.data;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Checks shared by the loaders: files that must exist, and option parsing. */
final class DataFiles {

  private DataFiles() {}

  /** Fails unless {@code path} is a readable file, saying what it is and how to get it. */
  static void requireFile(Path path, String what, String howToGet) {
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException(
          what + " not found: " + path + (howToGet.isEmpty() ? "" : "; " + howToGet));
    }
  }

  /** Fails unless {@code path} is a folder, saying what it is and how to get it. */
  static void requireFolder(Path path, String what, String howToGet) {
    if (!Files.isDirectory(path)) {
      throw new IllegalArgumentException(
          what + " not found: " + path + (howToGet.isEmpty() ? "" : "; " + howToGet));
    }
  }

  /** A positive integer option, or {@code fallback} when absent. */
  static int intOption(Map<String, String> options, String name, int fallback) {
    String v = options.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "option " + name + " must be a positive integer, got '" + v + "'", e);
    }
  }

  /** A JSON syntax error as a message naming the file and the line. */
  static IllegalArgumentException malformedJson(Path file, JsonProcessingException e) {
    JsonLocation loc = e.getLocation();
    String where =
        loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    return new IllegalArgumentException(
        "malformed JSON in " + file + where + ": " + e.getOriginalMessage(), e);
  }
}
