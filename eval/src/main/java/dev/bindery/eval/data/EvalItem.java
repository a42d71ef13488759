package dev.bindery.eval.data;

import dev.bindery.encoders.Modality;
import java.util.Objects;

/**
 * One item of an evaluation dataset: something to embed and, for classification sets, its class.
 *
 * @param id unique id in its dataset
 * @param modality what the content is
 * @param content the text, file or pixels
 * @param label class name, or null when the dataset has no classes
 */
public record EvalItem(String id, Modality modality, ItemContent content, String label) {

  public EvalItem {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(modality, "modality");
    Objects.requireNonNull(content, "content");
    if (id.isBlank()) {
      throw new IllegalArgumentException("item id is blank");
    }
    boolean text = content instanceof ItemContent.Text;
    if (text != (modality == Modality.TEXT)) {
      throw new IllegalArgumentException(
          "item '" + id + "': modality " + modality + " does not fit content " + content);
    }
  }

  /** A text item. */
  public static EvalItem text(String id, String text) {
    return new EvalItem(id, Modality.TEXT, new ItemContent.Text(text), null);
  }
}
