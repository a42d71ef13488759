package dev.bindery.encoders.imu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImuDecoderTest {
  @TempDir Path tmp;

  private final ImuDecoder decoder = new ImuDecoder();

  static byte[] resource(String name) {
    try (InputStream in =
        ImuDecoderTest.class.getClassLoader().getResourceAsStream("parity/audio/" + name)) {
      if (in == null) {
        throw new AssertionError(
            "missing parity/audio/" + name + "; run encoders/parity/make_all.sh");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void npyInTimeMajorLayoutAndCsvWithTimestampsAgree() {
    ImuTrace npy = decoder.decode(resource("imu_trace.npy"), "imu_trace.npy");
    assertEquals(2600, npy.length());
    assertEquals(200.0, npy.sampleRateHz());
    ImuTrace csv = decoder.decode(resource("imu_trace.csv"), "imu_trace.csv");
    assertEquals(250, csv.length());
    assertEquals(200.0, csv.sampleRateHz(), 1e-9);
    for (int c = 0; c < 6; c++) {
      assertArrayEquals(Arrays.copyOf(npy.channels()[c], 250), csv.channels()[c], "channel " + c);
    }
  }

  @Test
  void csvWithoutHeaderOrTimestamps() {
    String csv = "1,2,3,4,5,6\n\n# comment\n7,8,9,10,11,12.5\n";
    ImuTrace t = decoder.decode(csv.getBytes(StandardCharsets.UTF_8), "plain.csv");
    assertEquals(2, t.length());
    assertArrayEquals(new float[] {6f, 12.5f}, t.channels()[5]);
    assertEquals(ImuDecoder.DEFAULT_SAMPLE_RATE_HZ, t.sampleRateHz());
  }

  @Test
  void channelsFirstNpyFloat64() {
    int n = 3;
    double[][] v = new double[6][n];
    for (int c = 0; c < 6; c++) {
      for (int i = 0; i < n; i++) {
        v[c][i] = c * 10 + i + 0.5;
      }
    }
    ImuTrace t = decoder.decode(npy("<f8", "(6, 3)", v), "cf.npy");
    assertEquals(3, t.length());
    assertArrayEquals(new float[] {40.5f, 41.5f, 42.5f}, t.channels()[4]);
  }

  @Test
  void fiveColumns() throws IOException {
    Path f = tmp.resolve("five.csv");
    Files.writeString(f, "1,2,3,4,5\n");
    assertMessage(() -> decoder.decode(f), "five.csv", "line 1", "5 columns", "expected 6");
    Path g = tmp.resolve("ragged.csv");
    Files.writeString(g, "t,ax,ay,az,gx,gy,gz\n0,1,2,3,4,5,6\n0.01,1,2,3,4,5\n");
    assertMessage(() -> decoder.decode(g), "ragged.csv", "line 3", "expected 7 columns", "found 6");
  }

  @Test
  void nonNumericValueNamesLineAndColumn() throws IOException {
    Path f = tmp.resolve("bad.csv");
    Files.writeString(f, "acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z\n1,2,3,4,5,6\n1,2,oops,4,5,6\n");
    assertMessage(
        () -> decoder.decode(f),
        "bad.csv",
        "line 3",
        "column 3",
        "'acc_z'",
        "'oops' is not a number");
    assertMessage(
        () -> decoder.decode("1,2,3,4,5,NaN\n".getBytes(StandardCharsets.UTF_8), "nan.csv"),
        "nan.csv",
        "line 1",
        "column 6",
        "not a finite number");
  }

  @Test
  void otherBadInputs() throws IOException {
    Path empty = Files.createFile(tmp.resolve("empty.csv"));
    assertMessage(() -> decoder.decode(empty), "empty.csv", "empty (0 bytes)");
    assertMessage(
        () -> decoder.decode("t,a,b,c,d,e,f\n".getBytes(StandardCharsets.UTF_8), "header-only.csv"),
        "header-only.csv",
        "no samples");
    assertMessage(
        () ->
            decoder.decode(
                "0,1,2,3,4,5,6\n0,1,2,3,4,5,6\n".getBytes(StandardCharsets.UTF_8), "t.csv"),
        "t.csv",
        "line 2",
        "does not increase");
    assertMessage(
        () -> decoder.decode(npy("<f4", "(5, 4)", new double[5][4]), "shape.npy"),
        "shape.npy",
        "[5, 4]",
        "neither [6, T] nor [T, 6]");
    assertMessage(
        () -> decoder.decode("not numpy".getBytes(StandardCharsets.UTF_8), "x.npy"),
        "x.npy",
        "magic");
    byte[] cut = npy("<f4", "(6, 100)", new double[6][100]);
    assertMessage(
        () -> decoder.decode(Arrays.copyOf(cut, cut.length - 10), "cut.npy"),
        "cut.npy",
        "truncated");
    assertMessage(
        () ->
            new ImuDecoder(200, 1)
                .decode("1,2,3,4,5,6\n1,2,3,4,5,6\n".getBytes(StandardCharsets.UTF_8), "l.csv"),
        "l.csv",
        "limit of 1");
  }

  static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "message lacks '" + p + "': " + e.getMessage());
    }
  }

  /** A version-1 .npy of rows x cols values, C order. */
  static byte[] npy(String descr, String shape, double[][] v) {
    String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    int pad = 64 - (10 + header.length() + 1) % 64;
    header = header + " ".repeat(pad == 64 ? 0 : pad) + "\n";
    int width = descr.endsWith("8") ? 8 : 4;
    int count = v.length * v[0].length;
    ByteBuffer b =
        ByteBuffer.allocate(10 + header.length() + count * width).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93)
        .put("NUMPY".getBytes())
        .put((byte) 1)
        .put((byte) 0)
        .putShort((short) header.length());
    b.put(header.getBytes(StandardCharsets.ISO_8859_1));
    for (double[] row : v) {
      for (double x : row) {
        if (width == 8) {
          b.putDouble(x);
        } else {
          b.putFloat((float) x);
        }
      }
    }
    return b.array();
  }
}
