package dev.bindery.eval.data;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** Reads one kind of dataset from disk into an {@link EvalDataset}. */
public interface DatasetLoader {

  /** The kind's name as regression files write it, e.g. {@code karpathy}. */
  String kind();

  /** The options this loader reads; others are rejected. */
  Set<String> options();

  /**
   * Loads the dataset.
   *
   * @param path the dataset file or folder
   * @param options loader options (see {@link #options()}), as strings
   * @throws IllegalArgumentException if a file is missing (the message says how to get it) or
   *     malformed (the message names the file and where)
   */
  EvalDataset load(Path path, Map<String, String> options);
}
