package dev.bindery.server.http;

import dev.bindery.indexer.BadArgumentException;
import java.util.function.Supplier;

/**
 * Says where in a request a refused value sat. A check from below (a name rule, an enum's {@code
 * fromName}, a record's compact constructor) knows the value but not that it came from {@code
 * request body at /fusion} or {@code spaces.v}; the controller runs the check here with that place,
 * and a refusal becomes a {@link BadArgumentException} (400) whose message starts with it. The one
 * place where a request-input refusal is caught to gain its position: controllers do not catch
 * {@link IllegalArgumentException} themselves.
 */
final class RequestInput {
  private RequestInput() {}

  /**
   * The value {@code read} makes of the input at {@code where}.
   *
   * @throws BadArgumentException {@code "<where>: <the refusal's message>"}, with the refusal as
   *     its cause, when {@code read} refuses the input
   */
  static <T> T at(String where, Supplier<T> read) {
    try {
      return read.get();
    } catch (IllegalArgumentException e) {
      throw new BadArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  /** {@link #at(String, Supplier)} for a check that returns nothing. */
  static void check(String where, Runnable check) {
    at(
        where,
        () -> {
          check.run();
          return null;
        });
  }
}
