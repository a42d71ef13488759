package dev.bindery.eval.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A loaded evaluation dataset in one shape for every source: its items, the query sets that search
 * them, its class names (classification sets) and its multiple-choice questions (MMBench).
 *
 * @param name a short description (loader and path)
 * @param items items by id, in load order
 * @param querySets query sets by name
 * @param classes class names in label order (empty if none); every labelled item's label is one
 * @param questions multiple-choice questions (empty if none)
 */
public record EvalDataset(
    String name,
    Map<String, EvalItem> items,
    Map<String, QuerySet> querySets,
    List<String> classes,
    List<ChoiceQuestion> questions) {

  public EvalDataset {
    Objects.requireNonNull(name, "name");
    items = Collections.unmodifiableMap(new LinkedHashMap<>(items));
    querySets = Collections.unmodifiableMap(new LinkedHashMap<>(querySets));
    classes = List.copyOf(classes);
    questions = List.copyOf(questions);
    for (QuerySet qs : querySets.values()) {
      for (String id : qs.corpus()) {
        if (!items.containsKey(id)) {
          throw new IllegalArgumentException(
              name
                  + ": query set '"
                  + qs.name()
                  + "' names item '"
                  + id
                  + "', which is not loaded");
        }
      }
    }
    for (EvalItem item : items.values()) {
      if (item.label() != null && !classes.contains(item.label())) {
        throw new IllegalArgumentException(
            name
                + ": item '"
                + item.id()
                + "' has label '"
                + item.label()
                + "', not in "
                + classes);
      }
    }
    for (ChoiceQuestion q : questions) {
      if (!items.containsKey(q.imageId())) {
        throw new IllegalArgumentException(
            name
                + ": question "
                + q.id()
                + " names image '"
                + q.imageId()
                + "', which is not loaded");
      }
    }
  }

  /** The query set called {@code name}, or an error listing those there are. */
  public QuerySet querySet(String setName) {
    QuerySet qs = querySets.get(setName);
    if (qs == null) {
      throw new IllegalArgumentException(
          name + " has no query set '" + setName + "'; it has " + querySets.keySet());
    }
    return qs;
  }

  /** The item called {@code id}. */
  public EvalItem item(String id) {
    EvalItem item = items.get(id);
    if (item == null) {
      throw new IllegalArgumentException(name + " has no item '" + id + "'");
    }
    return item;
  }
}
