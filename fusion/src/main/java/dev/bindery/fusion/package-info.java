/**
 * Bindery as an embedded library: {@link dev.bindery.fusion.Bindery} opens a data directory,
 * creates collections from model packages, adds items from files, bytes, text or vectors, and
 * searches with the query expression syntax ({@link dev.bindery.fusion.query}); the ranking
 * algorithms live in {@link dev.bindery.fusion.rank}.
 */
package dev.bindery.fusion;
