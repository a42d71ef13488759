package dev.bindery.generator;

/**
 * Tokens an endpoint counted for one generation; -1 where it did not say.
 *
 * @param promptTokens tokens of the prompt (images included, as the endpoint counts them)
 * @param completionTokens tokens generated
 */
public record Usage(int promptTokens, int completionTokens) {

  /** Nothing reported. */
  public static final Usage UNKNOWN = new Usage(-1, -1);

  public Usage {
    if (promptTokens < -1 || completionTokens < -1) {
      throw new IllegalArgumentException(
          "token counts must be >= 0 (or -1 for unknown), got "
              + promptTokens
              + " and "
              + completionTokens);
    }
  }
}
