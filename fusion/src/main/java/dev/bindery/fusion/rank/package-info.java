/**
 * Pure ranking algorithms over already-retrieved hits: rank fusion (RRF, weighted, DBSF), MMR
 * diversification, explain data and FROMAGe-style {@code [RET]} interleaving. Nothing here
 * searches, encodes or talks HTTP; every method is deterministic (score descending, then id
 * ascending).
 */
package dev.bindery.fusion.rank;
