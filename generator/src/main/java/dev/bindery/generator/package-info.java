/**
 * The generator contract: a {@link dev.bindery.generator.Generator} turns a {@link
 * dev.bindery.generator.GenerationRequest} (system prompt, messages with text and image parts) into
 * a {@link dev.bindery.generator.GenerationResponse}, optionally streaming deltas. Clients for real
 * endpoints live in {@code dev.bindery.generator.client}; retrieval-augmented answering in {@code
 * dev.bindery.generator.rag}; citation and box parsing in {@code dev.bindery.generator.grounding}.
 */
package dev.bindery.generator;
