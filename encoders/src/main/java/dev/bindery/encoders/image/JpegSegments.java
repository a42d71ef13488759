package dev.bindery.encoders.image;

/**
 * What a JPEG's marker segments say that decoding needs, read from the raw bytes: the EXIF
 * Orientation tag (0x0112 in the APP1 "Exif" segment; 1..8 as in the EXIF spec, anything absent or
 * malformed counts as 1), the frame's component count, an embedded ICC profile, an Adobe APP14
 * segment; and the pixel transform that undoes an orientation (what PIL's {@code
 * ImageOps.exif_transpose} does).
 */
final class JpegSegments {
  private JpegSegments() {}

  /** What the metadata segments of a JPEG say, as far as decoding cares. */
  record JpegFacts(int orientation, int components, boolean iccProfile, boolean adobe) {}

  /** The orientation of a JPEG, 1 when it has none or the bytes are not a JPEG. */
  static int ofJpeg(byte[] b) {
    return facts(b).orientation();
  }

  /**
   * Walks the marker segments before the image data: the EXIF orientation (1 if none), the
   * component count of the frame header (0 if none; 4 means CMYK or YCCK) and whether an ICC
   * profile (APP2 "ICC_PROFILE") is embedded and whether an APP14 "Adobe" segment is (Adobe CMYK
   * JPEGs store inverted values).
   */
  static JpegFacts facts(byte[] b) {
    int orientation = 1;
    int components = 0;
    boolean icc = false;
    boolean adobe = false;
    if (b.length < 4 || u8(b, 0) != 0xFF || u8(b, 1) != 0xD8) {
      return new JpegFacts(1, 0, false, false);
    }
    int pos = 2;
    while (pos + 4 <= b.length) {
      if (u8(b, pos) != 0xFF) {
        break;
      }
      int marker = u8(b, pos + 1);
      if (marker == 0xFF) {
        pos++;
        continue;
      }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
        pos += 2;
        continue;
      }
      if (marker == 0xDA || marker == 0xD9) {
        break; // image data starts: metadata segments come before it
      }
      int length = u16(b, pos + 2, false);
      if (length < 2) {
        break;
      }
      int start = pos + 4;
      int end = Math.min(pos + 2 + length, b.length);
      if (marker == 0xE1 && orientation == 1 && end - start >= 14 && isExifHeader(b, start)) {
        int o = tiffOrientation(b, start + 6, end);
        orientation = o == 0 ? 1 : o;
      } else if (marker == 0xE2 && end - start >= 12 && isIccHeader(b, start)) {
        icc = true;
      } else if (marker == 0xEE
          && end - start >= 5
          && b[start] == 'A'
          && b[start + 1] == 'd'
          && b[start + 2] == 'o'
          && b[start + 3] == 'b'
          && b[start + 4] == 'e') {
        adobe = true;
      } else if (isStartOfFrame(marker) && end - start >= 6) {
        components = u8(b, start + 5);
      }
      pos += 2 + length;
    }
    return new JpegFacts(orientation, components, icc, adobe);
  }

  private static boolean isStartOfFrame(int marker) {
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
  }

  private static boolean isIccHeader(byte[] b, int p) {
    byte[] tag = "ICC_PROFILE".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    for (int i = 0; i < tag.length; i++) {
      if (b[p + i] != tag[i]) {
        return false;
      }
    }
    return b[p + tag.length] == 0;
  }

  private static boolean isExifHeader(byte[] b, int p) {
    return b[p] == 'E'
        && b[p + 1] == 'x'
        && b[p + 2] == 'i'
        && b[p + 3] == 'f'
        && b[p + 4] == 0
        && b[p + 5] == 0;
  }

  /** Orientation from IFD0 of a TIFF structure in {@code b[tiff, end)}, 0 if none. */
  private static int tiffOrientation(byte[] b, int tiff, int end) {
    boolean little;
    if (b[tiff] == 'I' && b[tiff + 1] == 'I') {
      little = true;
    } else if (b[tiff] == 'M' && b[tiff + 1] == 'M') {
      little = false;
    } else {
      return 0;
    }
    if (u16(b, tiff + 2, little) != 42) {
      return 0;
    }
    long ifd = u32(b, tiff + 4, little);
    if (ifd < 8 || tiff + ifd + 2 > end) {
      return 0;
    }
    int p = (int) (tiff + ifd);
    int entries = u16(b, p, little);
    p += 2;
    for (int i = 0; i < entries && p + 12 <= end; i++, p += 12) {
      if (u16(b, p, little) == 0x0112) {
        int type = u16(b, p + 2, little);
        int value = type == 3 ? u16(b, p + 8, little) : 0;
        return value >= 1 && value <= 8 ? value : 0;
      }
    }
    return 0;
  }

  private static int u8(byte[] b, int p) {
    return b[p] & 0xFF;
  }

  private static int u16(byte[] b, int p, boolean little) {
    return little ? u8(b, p) | u8(b, p + 1) << 8 : u8(b, p) << 8 | u8(b, p + 1);
  }

  private static long u32(byte[] b, int p, boolean little) {
    long lo = u16(b, little ? p : p + 2, little);
    long hi = u16(b, little ? p + 2 : p, little);
    return hi << 16 | lo;
  }

  /**
   * Undoes an orientation on packed pixels.
   *
   * @return {@code {newWidth, newHeight}} and fills {@code out} (same length as {@code in})
   */
  static int[] apply(int orientation, int[] in, int w, int h, int[] out) {
    boolean swap = orientation >= 5;
    int ow = swap ? h : w;
    int oh = swap ? w : h;
    for (int y = 0; y < oh; y++) {
      for (int x = 0; x < ow; x++) {
        int sx;
        int sy;
        switch (orientation) {
          case 2 -> { // mirrored horizontally
            sx = w - 1 - x;
            sy = y;
          }
          case 3 -> { // rotated 180
            sx = w - 1 - x;
            sy = h - 1 - y;
          }
          case 4 -> { // mirrored vertically
            sx = x;
            sy = h - 1 - y;
          }
          case 5 -> { // transpose (mirror across the main diagonal)
            sx = y;
            sy = x;
          }
          case 6 -> { // stored rotated 90 counter-clockwise: rotate 90 clockwise
            sx = y;
            sy = h - 1 - x;
          }
          case 7 -> { // transverse (mirror across the anti-diagonal)
            sx = w - 1 - y;
            sy = h - 1 - x;
          }
          case 8 -> { // stored rotated 90 clockwise: rotate 90 counter-clockwise
            sx = w - 1 - y;
            sy = x;
          }
          default -> {
            sx = x;
            sy = y;
          }
        }
        out[y * ow + x] = in[sy * w + sx];
      }
    }
    return new int[] {ow, oh};
  }
}
