/**
 * Retrieval-augmented answering over a Bindery collection: {@link
 * dev.bindery.generator.rag.RagPipeline} retrieves through the fusion facade, hands the items to an
 * {@link dev.bindery.generator.rag.Answerer} (a model behind a {@link
 * dev.bindery.generator.Generator}, or the offline {@link
 * dev.bindery.generator.rag.ExtractiveAnswerer}), and returns an {@link
 * dev.bindery.generator.rag.Answer} whose citations, boxes and {@code [RET]} retrievals all point
 * at real items.
 */
package dev.bindery.generator.rag;
