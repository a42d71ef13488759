/**
 * Reading a generated answer back: {@link dev.bindery.generator.grounding.CitationParser} finds
 * {@code [id]} citations and keeps only ids that were retrieved; {@link
 * dev.bindery.generator.grounding.BoxParser} reads Kosmos-2 / Qwen-VL style boxes into normalized
 * {@link dev.bindery.generator.grounding.Region}s attached to the cited item. Both are pure
 * functions of the text.
 */
package dev.bindery.generator.grounding;
