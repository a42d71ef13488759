package dev.bindery.encoders.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.pkg.PackageFiles;
import dev.bindery.encoders.pkg.TowerRegistry;
import dev.bindery.encoders.pkg.TowerSpec;
import dev.bindery.encoders.text.Pooling;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VideoTowerFactoryTest {
  private final PackageFiles files =
      PackageFiles.directory(VideoFixtures.towers().resolve("imagebind"), 1);

  private static TowerSpec spec(Modality modality, String json) throws Exception {
    ObjectNode pre = (ObjectNode) new ObjectMapper().readTree(json);
    return new TowerSpec(
        modality,
        "imagebind-video",
        "imagebind-huge",
        1024,
        "video.onnx",
        null,
        Map.of("pixel_values", "vision"),
        "embeddings",
        Pooling.NONE,
        true,
        pre);
  }

  @Test
  void registeredThroughServiceLoader() {
    assertTrue(
        TowerRegistry.defaults()
            .formats()
            .contains(dev.bindery.encoders.pkg.TowerFormat.IMAGEBIND_VIDEO.wireName()),
        TowerRegistry.defaults().toString());
  }

  @Test
  void buildsWithParameters() throws Exception {
    try (Encoder<?> e =
        new VideoTowerFactory()
            .create(spec(Modality.VIDEO, "{\"spatialCrops\": 1, \"clipsPerVideo\": 3}"), files)) {
      ImageBindVideoEncoder v = assertInstanceOf(ImageBindVideoEncoder.class, e);
      assertEquals(1, v.preprocessor().crops());
      assertEquals(new VideoClipSampler(2.0, 3, 2), v.sampler());
      assertEquals(Modality.VIDEO, v.modality());
    }
  }

  @Test
  void badParametersAreNamed() throws Exception {
    VideoTowerFactory f = new VideoTowerFactory();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> f.create(spec(Modality.VIDEO, "{\"crop\": 200}"), files));
    assertTrue(e.getMessage().contains("size 224, crop 200"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> f.create(spec(Modality.VIDEO, "{\"spatialCrops\": 2}"), files));
    assertTrue(e.getMessage().contains("1 or 3, got 2"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> f.create(spec(Modality.VIDEO, "{\"mean\": [0.5, 0.5]}"), files));
    assertTrue(
        e.getMessage().contains("towers.video.preprocess.mean")
            && e.getMessage().contains("[0.5,0.5]"),
        e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> f.create(spec(Modality.VIDEO, "{\"clipDuration\": -2}"), files));
    assertTrue(
        e.getMessage().contains("clipDuration") && e.getMessage().contains("-2"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> f.create(spec(Modality.IMAGE, "{}"), files));
    assertTrue(e.getMessage().contains("keyed 'image'"), e.getMessage());
  }
}
