/**
 * Generator: retrieval-augmented answering over retrieved items and FROMAGe-style [RET] retrieval.
 * Lands with the generator issue.
 */
package dev.bindery.generator;
