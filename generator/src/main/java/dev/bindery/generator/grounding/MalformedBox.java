package dev.bindery.generator.grounding;

/**
 * A box in an answer that could not be read; reported instead of thrown, since the rest of the
 * answer is still good.
 *
 * @param text the box as written (cut to 200 characters)
 * @param reason why it was not read
 * @param start its offset in the answer text
 */
public record MalformedBox(String text, String reason, int start) {}
