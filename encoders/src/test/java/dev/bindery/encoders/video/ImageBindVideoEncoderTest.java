package dev.bindery.encoders.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.encoders.MediaSource;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.TimedEmbedding;
import dev.bindery.encoders.onnx.OnnxModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The whole imagebind-video pipeline (JavaCV decode, clip sampling, preprocessing, ONNX Runtime,
 * averaging) against the Python reference (ffmpeg decode, the same steps in torch, the same tiny
 * model in torch): per-clip and per-video vectors at cosine >= 0.999.
 */
class ImageBindVideoEncoderTest {
  /** The fixtures' tiny model with ImageBind's video signature (clips in, 1024-d out). */
  static OnnxModel model() {
    return OnnxModel.load(VideoFixtures.towers().resolve("imagebind/video.onnx"), 1);
  }

  /**
   * An encoder over {@code model} that reads {@code output} and samples and preprocesses as given;
   * everything else as {@code imagebind-huge}'s video tower (1024-d, normalized, input {@code
   * vision}, at most 8 views per run). It owns {@code model} once built.
   */
  static ImageBindVideoEncoder encoder(
      OnnxModel model, String output, VideoClipSampler sampler, VideoClipPreprocessor pre) {
    return new ImageBindVideoEncoder(
        model, "imagebind-huge", 1024, "vision", output, true, 8, new VideoDecoder(), sampler, pre);
  }

  /**
   * {@link #encoder(OnnxModel, String, VideoClipSampler, VideoClipPreprocessor)} on a new model.
   */
  static ImageBindVideoEncoder encoder(VideoClipSampler sampler, VideoClipPreprocessor pre) {
    return encoder(model(), "embeddings", sampler, pre);
  }

  /** Two 2 s clips of two frames each, centre crop only: the small setting of the quick tests. */
  static ImageBindVideoEncoder twoClipsCentreCrop() {
    return encoder(new VideoClipSampler(2, 2, 2), VideoClipPreprocessor.IMAGEBIND.withCrops(1));
  }

  /** Runs {@code body} with ImageBind's own sampling and preprocessing, then closes the encoder. */
  static void withEncoder(Consumer<ImageBindVideoEncoder> body) {
    try (ImageBindVideoEncoder enc =
        encoder(VideoClipSampler.IMAGEBIND, VideoClipPreprocessor.IMAGEBIND)) {
      body.accept(enc);
    }
  }

  @Test
  void matchesTorchReferencePipeline() {
    withEncoder(
        enc -> {
          assertEquals(Modality.VIDEO, enc.modality());
          assertEquals(1024, enc.dimension());
          JsonNode files = VideoFixtures.videoGolden().get("files");
          for (Map.Entry<String, JsonNode> e :
              (Iterable<Map.Entry<String, JsonNode>>) files::fields) {
            Path file = VideoFixtures.video(e.getKey());
            JsonNode g = e.getValue();
            ImageBindVideoEncoder.VideoEmbedding emb = enc.encodeVideo(MediaSource.of(file));
            int[][] shape = new int[1][];
            float[] clips =
                VideoFixtures.npy(file.resolveSibling(g.get("clipEmbeddings").asText()), shape);
            float[] item =
                VideoFixtures.npy(file.resolveSibling(g.get("itemEmbedding").asText()), null);
            List<TimedEmbedding> segs = emb.segments();
            assertEquals(shape[0][0], segs.size(), e.getKey());
            double worst = 1;
            for (int c = 0; c < segs.size(); c++) {
              float[] want = java.util.Arrays.copyOfRange(clips, c * 1024, (c + 1) * 1024);
              double cos = VideoFixtures.cosine(want, segs.get(c).vector());
              worst = Math.min(worst, cos);
              JsonNode clip = g.get("clips").get(c);
              assertEquals(clip.get("start").asDouble(), segs.get(c).start(), 1e-9);
              double end =
                  Math.min(
                      clip.get("end").asDouble(),
                      g.get("frames").asDouble() / g.get("fps").asDouble());
              assertEquals(end, segs.get(c).end(), 1e-9);
            }
            double itemCos = VideoFixtures.cosine(item, emb.vector());
            System.out.printf(
                "imagebind-video parity %s: worst clip cosine %.6f, video cosine %.6f%n",
                e.getKey(), worst, itemCos);
            assertTrue(worst >= 0.999, e.getKey() + ": clip cosine " + worst);
            assertTrue(itemCos >= 0.999, e.getKey() + ": video cosine " + itemCos);
            double norm = 0;
            for (float v : emb.vector()) {
              norm += v * v;
            }
            assertEquals(1.0, norm, 1e-4);
            // encodeBatch and encodeSegments are views of the same computation
            assertEquals(
                1.0, VideoFixtures.cosine(emb.vector(), enc.encode(MediaSource.of(file))), 1e-6);
          }
        });
  }

  @Test
  void centreCropOnlyIsAParameter() {
    try (ImageBindVideoEncoder enc = twoClipsCentreCrop()) {
      List<TimedEmbedding> segs =
          enc.encodeSegments(MediaSource.of(VideoFixtures.video("testsrc.webm")));
      assertEquals(2, segs.size());
      assertEquals(0.0, segs.get(0).start());
    }
  }

  @Test
  void wrongModelSignatureIsRefusedWithWhatTheModelHas() {
    OnnxModel model = model();
    try {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  encoder(
                      model,
                      "embedding",
                      VideoClipSampler.IMAGEBIND,
                      VideoClipPreprocessor.IMAGEBIND));
      assertTrue(
          e.getMessage().contains("'embedding'") && e.getMessage().contains("embeddings"),
          e.getMessage());
      e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  encoder(
                      model,
                      "embeddings",
                      new VideoClipSampler(2, 5, 3),
                      VideoClipPreprocessor.IMAGEBIND));
      assertTrue(e.getMessage().contains("[-1, 3, 2, 224, 224]"), e.getMessage());
    } finally {
      model.close();
    }
  }

  @Test
  void bytesInMemoryEmbedLikeTheFile() throws Exception {
    // MP4 keeps its index (moov) where the muxer put it and sampling seeks to keyframes, so this
    // proves FFmpeg seeks inside the in-memory bytes; WebM covers the Matroska demuxer.
    try (ImageBindVideoEncoder enc = twoClipsCentreCrop()) {
      for (String name : List.of("testsrc.mp4", "testsrc.webm")) {
        java.nio.file.Path file = VideoFixtures.video(name);
        ImageBindVideoEncoder.VideoEmbedding fromFile = enc.encodeVideo(MediaSource.of(file));
        ImageBindVideoEncoder.VideoEmbedding fromBytes =
            enc.encodeVideo(
                MediaSource.of(java.nio.file.Files.readAllBytes(file), "clip.bin", null));
        assertArrayEquals(fromFile.vector(), fromBytes.vector(), name);
        assertEquals(fromFile.segments().size(), fromBytes.segments().size(), name);
        for (int i = 0; i < fromFile.segments().size(); i++) {
          assertEquals(fromFile.segments().get(i).start(), fromBytes.segments().get(i).start());
          assertArrayEquals(
              fromFile.segments().get(i).vector(), fromBytes.segments().get(i).vector(), name);
        }
      }
    }
  }
}
