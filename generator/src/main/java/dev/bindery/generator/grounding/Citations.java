package dev.bindery.generator.grounding;

import java.util.List;
import java.util.Objects;

/**
 * The citations of an answer.
 *
 * @param cited retrieved ids the text cites, in order of first citation, each once
 * @param dropped bracketed ids the text cites that were not retrieved, in order, each once
 * @param markers every bracket group that cited at least one retrieved id, in text order
 */
public record Citations(List<String> cited, List<String> dropped, List<Marker> markers) {

  public Citations {
    cited = List.copyOf(cited);
    dropped = List.copyOf(dropped);
    markers = List.copyOf(markers);
  }

  /**
   * One bracket group that cites retrieved ids.
   *
   * @param start offset of {@code [}
   * @param end offset after {@code ]}
   * @param ids the retrieved ids it names, in order
   */
  public record Marker(int start, int end, List<String> ids) {
    public Marker {
      Objects.requireNonNull(ids, "ids");
      ids = List.copyOf(ids);
      if (start < 0 || end <= start) {
        throw new IllegalArgumentException("bad marker span " + start + ".." + end);
      }
    }
  }
}
