package dev.bindery.fusion.ingest;

/** Hears what an {@link Ingestor} run does, e.g. to drive a progress bar. Called on one thread. */
public interface IngestListener {

  /** What happened to one item. */
  enum Outcome {
    /** new id */
    ADDED,
    /** the id existed with other content and was replaced */
    REPLACED,
    /** the id existed with the same content hash: nothing was embedded or written */
    UNCHANGED
  }

  IngestListener NONE = new IngestListener() {};

  /** The number of items the run expects (files, manifest lines), once, before the first item. */
  default void planned(long items) {}

  /** One item is done. */
  default void item(String id, Outcome outcome) {}

  /** One input could not be ingested; the run goes on. */
  default void skipped(String source, String reason) {}
}
