/**
 * Fusion: the query algebra (expressions, embedding arithmetic), legs, rank fusion, MMR and
 * explain. Lands with the fusion issue.
 */
package dev.bindery.fusion;
