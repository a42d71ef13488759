/**
 * The query algebra: {@link dev.bindery.fusion.query.QuerySpec} and its expression syntax ({@link
 * dev.bindery.fusion.query.QueryParser}) and JSON form ({@link
 * dev.bindery.fusion.query.QuerySpecJson}), embedding arithmetic ({@link
 * dev.bindery.fusion.query.EmbeddingArithmetic}) and the executor that runs the legs, fuses them
 * and explains ({@link dev.bindery.fusion.query.QueryExecutor}).
 */
package dev.bindery.fusion.query;
