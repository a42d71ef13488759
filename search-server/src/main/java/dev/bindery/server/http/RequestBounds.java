package dev.bindery.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.bindery.indexer.SpaceConfig;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * Bounds every string and array a search or ask body can carry, in one streaming pass over the
 * bytes before any tree or record is built. The expression string was always limited; a JSON query
 * spec was not, so a 20 MB {@code text} term cost 49 s of tokenizer CPU and an 8M-element {@code
 * vector} cost hundreds of megabytes of tree nodes before anything looked at it. Here:
 *
 * <ul>
 *   <li>every string is at most the expression limit, except media values ({@code image}, {@code
 *       audio}, {@code video}: data URLs, bounded by the body size and the decoders' limits) and
 *       the expression string itself (checked by the search with its own message);
 *   <li>the strings together (media aside) are at most four times the expression limit;
 *   <li>an array has at most {@link SpaceConfig#MAX_DIM} elements (the longest vector any space can
 *       hold; no other list in these bodies comes near it).
 * </ul>
 *
 * The error names the member and the limit and echoes none of the input.
 */
final class RequestBounds {
  // Media values are data URLs; "query" as a string is the expression, which the search checks
  // against the same limit with its own message.
  private static final Set<String> UNBOUNDED = Set.of("image", "audio", "video", "query");

  private final Json json;
  private final int maxChars;

  RequestBounds(Json json, int maxChars) {
    this.json = json;
    this.maxChars = maxChars;
  }

  /**
   * 400 if {@code body} carries a string or array over the limits; malformed JSON is left alone.
   */
  void check(byte[] body, String what) {
    long total = 0;
    Deque<Integer> arrays = new ArrayDeque<>();
    try (JsonParser p = json.mapper().getFactory().createParser(body)) {
      for (JsonToken t; (t = p.nextToken()) != null; ) {
        switch (t) {
          case START_ARRAY -> arrays.push(0);
          case END_ARRAY -> arrays.pop();
          case START_OBJECT, END_OBJECT -> {}
          case FIELD_NAME -> {
            total += p.getTextLength();
            checkString(p, what, p.getTextLength(), "member name");
          }
          default -> {
            if (!arrays.isEmpty() && p.getParsingContext().inArray()) {
              int n = arrays.pop() + 1;
              arrays.push(n);
              if (n > SpaceConfig.MAX_DIM) {
                throw ApiProblem.badRequest(
                        what
                            + " at "
                            + p.getParsingContext().pathAsPointer()
                            + ": a list has more than "
                            + SpaceConfig.MAX_DIM
                            + " elements (the longest vector a space can hold)")
                    .with("limit_elements", SpaceConfig.MAX_DIM);
              }
            }
            if (t == JsonToken.VALUE_STRING) {
              String field = p.getParsingContext().getCurrentName();
              if (field == null || !UNBOUNDED.contains(field)) {
                int len = p.getTextLength();
                total += len;
                checkString(p, what, len, "string");
              }
            }
          }
        }
        if (total > 4L * maxChars) {
          throw ApiProblem.badRequest(
                  what
                      + ": its strings add up to more than "
                      + (4L * maxChars)
                      + " characters (4 x serve --max-expression)")
              .with("limit_chars", 4L * maxChars);
        }
        if (t.isStructStart() && arrays.size() > Json.MAX_DEPTH) {
          break; // the real read reports the nesting
        }
      }
    } catch (JsonProcessingException e) {
      // Malformed: the real read says where and why.
    } catch (IOException e) {
      throw new IllegalStateException("reading a byte array cannot fail", e);
    }
  }

  private void checkString(JsonParser p, String what, int length, String kind) {
    if (length > maxChars) {
      throw ApiProblem.badRequest(
              what
                  + " at "
                  + p.getParsingContext().pathAsPointer()
                  + ": a "
                  + kind
                  + " of "
                  + length
                  + " characters; this server accepts at most "
                  + maxChars
                  + " (serve --max-expression)")
          .with("limit_chars", maxChars);
    }
  }
}
