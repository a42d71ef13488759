package dev.bindery.generator.rag;

/**
 * Where the time of one question went, in milliseconds.
 *
 * @param retrievalMs decoding the question image and retrieving the items
 * @param answerMs the answerer (the model call, for a model)
 * @param interleaveMs retrieving for {@code [RET]} markers
 * @param totalMs the whole question
 */
public record Timings(long retrievalMs, long answerMs, long interleaveMs, long totalMs) {}
