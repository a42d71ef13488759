package dev.bindery.generator.rag;

import dev.bindery.encoders.image.ImageDecoder;
import dev.bindery.generator.ContentPart;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * Images for a model's context: items' image files read through Bindery's {@link ImageDecoder}
 * (same formats and guards as indexing), downscaled so the longer side is at most {@code maxSide}
 * pixels, and encoded as PNG or JPEG. Thread-safe.
 */
public final class ContextImages {
  private final ImageDecoder decoder;
  private final Path baseDir;
  private final int maxSide;
  private final ImageEncoding encoding;

  public ContextImages(ImageDecoder decoder, Path baseDir, int maxSide, ImageEncoding encoding) {
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.baseDir = Objects.requireNonNull(baseDir, "baseDir");
    if (maxSide < 1) {
      throw new IllegalArgumentException("maxSide must be >= 1, got " + maxSide);
    }
    this.maxSide = maxSide;
    this.encoding = Objects.requireNonNull(encoding, "encoding");
  }

  /** True when the item is an image with a file source this class can try to read. */
  public static boolean hasImage(RetrievedItem item) {
    return "image".equals(item.modality())
        && item.source() != null
        && !item.source().isBlank()
        && !item.source().toLowerCase(Locale.ROOT).matches("^[a-z][a-z0-9+.-]*://.*");
  }

  /**
   * The item's image, decoded.
   *
   * @throws IllegalArgumentException naming the file when it is missing or not a readable image
   */
  public BufferedImage load(RetrievedItem item) {
    return decoder.decode(baseDir.resolve(item.source()));
  }

  /** The image downscaled (never upscaled) and encoded. */
  public ContentPart.Image encode(BufferedImage image) {
    BufferedImage scaled = downscale(image, maxSide);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(scaled, encoding.imageIoName(), out)) {
        throw new IllegalStateException("no ImageIO writer for " + encoding.imageIoName());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode an image as " + encoding, e);
    }
    return new ContentPart.Image(out.toByteArray(), encoding.mediaType());
  }

  /**
   * {@code image} scaled so its longer side is at most {@code maxSide}, aspect ratio kept (each
   * side at least 1 pixel), as opaque RGB. Large reductions halve in bilinear steps first, then
   * finish with one bicubic step: one big bilinear step would skip most source pixels and alias.
   */
  static BufferedImage downscale(BufferedImage image, int maxSide) {
    int w = image.getWidth();
    int h = image.getHeight();
    double scale = Math.min(1.0, (double) maxSide / Math.max(w, h));
    int tw = Math.max(1, (int) Math.round(w * scale));
    int th = Math.max(1, (int) Math.round(h * scale));
    BufferedImage cur = toRgb(image);
    while (cur.getWidth() / 2 >= tw && cur.getHeight() / 2 >= th) {
      cur =
          draw(
              cur,
              cur.getWidth() / 2,
              cur.getHeight() / 2,
              RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    }
    if (cur.getWidth() != tw || cur.getHeight() != th) {
      cur = draw(cur, tw, th, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
    }
    return cur;
  }

  private static BufferedImage toRgb(BufferedImage image) {
    if (image.getType() == BufferedImage.TYPE_INT_RGB) {
      return image;
    }
    return draw(
        image, image.getWidth(), image.getHeight(), RenderingHints.VALUE_INTERPOLATION_BILINEAR);
  }

  private static BufferedImage draw(BufferedImage src, int w, int h, Object interpolation) {
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, interpolation);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.setColor(java.awt.Color.WHITE);
      g.fillRect(0, 0, w, h);
      g.drawImage(src, 0, 0, w, h, null);
    } finally {
      g.dispose();
    }
    return out;
  }
}
