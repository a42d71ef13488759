package dev.bindery.eval.data;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Objects;

/** What an evaluation item holds: text, a file, an encoded image in memory, or raw gray pixels. */
public sealed interface ItemContent
    permits ItemContent.Text, ItemContent.File, ItemContent.EncodedImage, ItemContent.GrayPixels {

  /** A text, embedded as is. */
  record Text(String text) implements ItemContent {
    public Text {
      Objects.requireNonNull(text, "text");
    }
  }

  /** A file on disk (image, audio, video), decoded when embedded. */
  record File(Path path) implements ItemContent {
    public File {
      Objects.requireNonNull(path, "path");
    }
  }

  /**
   * An encoded image held in memory (PNG, JPEG, ...), e.g. decoded from base64 in an MMBench TSV.
   *
   * @param bytes the encoded image; not copied, do not modify
   * @param name a name for error messages
   */
  record EncodedImage(byte[] bytes, String name) implements ItemContent {
    public EncodedImage {
      Objects.requireNonNull(bytes, "bytes");
      Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
      return "EncodedImage[" + name + ", " + bytes.length + " bytes]";
    }
  }

  /** Raw 8-bit gray pixels, row by row, as stored in IDX files (0 black, 255 white). */
  record GrayPixels(int width, int height, byte[] pixels) implements ItemContent {
    public GrayPixels {
      Objects.requireNonNull(pixels, "pixels");
      if (width < 1 || height < 1 || (long) width * height != pixels.length) {
        throw new IllegalArgumentException(
            "gray image "
                + width
                + "x"
                + height
                + " needs "
                + ((long) width * height)
                + " pixels, got "
                + pixels.length);
      }
    }

    /** The pixels as a {@link BufferedImage#TYPE_BYTE_GRAY} image. */
    public BufferedImage toImage() {
      BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
      img.getRaster().setDataElements(0, 0, width, height, pixels.clone());
      return img;
    }

    @Override
    public String toString() {
      return "GrayPixels[" + width + "x" + height + "]";
    }
  }
}
