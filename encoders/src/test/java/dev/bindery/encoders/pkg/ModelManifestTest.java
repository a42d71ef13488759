package dev.bindery.encoders.pkg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.encoders.Modality;
import dev.bindery.encoders.text.Pooling;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelManifestTest {
  private static final String SOURCE = "/pkgs/x/bindery-model.json";

  private static String valid(String towerExtra, String topExtra) {
    return """
        {"name": "n", "version": "1", "license": "MIT", "space": "s", "dimension": 8 %s,
         "towers": {"text": {"format": "sentence-transformer", "onnx": "m.onnx",
                             "tokenizer": "t.json", "output": "last_hidden_state",
                             "pooling": "mean" %s}}}
        """
        .formatted(topExtra, towerExtra);
  }

  private static ModelManifest parse(String json) {
    return ModelManifest.parse(json.getBytes(StandardCharsets.UTF_8), SOURCE);
  }

  private static String error(String json) {
    return assertThrows(IllegalArgumentException.class, () -> parse(json)).getMessage();
  }

  @Test
  void parsesAValidManifestWithDefaults() {
    ModelManifest m = parse(valid("", ""));
    assertEquals("n", m.name());
    assertEquals(8, m.dimension());
    TowerSpec t = m.towers().get(Modality.TEXT);
    assertEquals("s", t.space());
    assertEquals(8, t.dimension());
    assertEquals(Pooling.MEAN, t.pooling());
    assertTrue(t.normalize());
    assertEquals("input_ids", t.input("input_ids"));
    assertTrue(t.preprocess().isEmpty());
  }

  @Test
  void towerMayOverrideSpaceAndDimension() {
    ModelManifest m =
        parse(valid(", \"space\": \"other\", \"dimension\": 4, \"normalize\": false", ""));
    TowerSpec t = m.towers().get(Modality.TEXT);
    assertEquals("other", t.space());
    assertEquals(4, t.dimension());
    assertFalse(t.normalize());
  }

  @Test
  void unknownTopLevelKeyIsRejectedWithValidKeys() {
    String msg = error(valid("", ", \"dimensions\": 3"));
    assertTrue(msg.contains(SOURCE), msg);
    assertTrue(msg.contains("unknown key 'dimensions'"), msg);
    assertTrue(msg.contains("dimension, towers"), msg);
  }

  @Test
  void unknownTowerKeyIsRejectedWithItsPath() {
    String msg = error(valid(", \"tokeniser\": \"x\"", ""));
    assertTrue(msg.contains("unknown key 'towers.text.tokeniser'"), msg);
    assertTrue(msg.contains("tokenizer"), msg);
  }

  @Test
  void unknownModalityIsRejectedWithValidModalities() {
    String json = valid("", "").replace("\"text\":", "\"smell\":");
    String msg = error(json);
    assertTrue(msg.contains("unknown modality 'smell'"), msg);
    assertTrue(msg.contains("[text, image, audio, video, depth, thermal, imu]"), msg);
  }

  @Test
  void missingRequiredKeysAreNamed() {
    assertTrue(error(valid("", "").replace("\"license\": \"MIT\",", "")).contains("'license'"));
    assertTrue(
        error(valid("", "").replace("\"onnx\": \"m.onnx\",", "")).contains("'towers.text.onnx'"));
    assertTrue(
        error(
                "{\"name\": \"n\", \"version\": \"1\", \"license\": \"x\", \"space\": \"s\","
                    + " \"dimension\": 3, \"towers\": {}}")
            .contains("'towers' must be a non-empty object"));
  }

  @Test
  void wrongTypesSayWhatWasFound() {
    String msg = error(valid("", "").replace("\"dimension\": 8", "\"dimension\": \"big\""));
    assertTrue(msg.contains("'dimension' must be an integer >= 1, got string \"big\""), msg);
    msg = error(valid(", \"normalize\": \"yes\"", ""));
    assertTrue(msg.contains("'towers.text.normalize' must be true or false"), msg);
    msg = error(valid(", \"inputs\": {\"input_ids\": 3}", ""));
    assertTrue(msg.contains("towers.text.inputs.input_ids must be a non-empty string"), msg);
    msg = error(valid(", \"preprocess\": [1]", ""));
    assertTrue(msg.contains("towers.text.preprocess must be an object"), msg);
  }

  @Test
  void notJsonIsRejectedNamingTheFile() {
    String msg = error("{name: ");
    assertTrue(msg.startsWith(SOURCE + " is not valid JSON"), msg);
    msg = error("[1, 2]");
    assertTrue(msg.contains("must be a JSON object, got array"), msg);
  }

  @Test
  void inputsAreMappedAndTokenizerIsOptional() {
    ModelManifest m =
        parse(
            valid(", \"inputs\": {\"input_ids\": \"ids\"}", "")
                .replace("\"tokenizer\": \"t.json\",", ""));
    TowerSpec t = m.towers().get(Modality.TEXT);
    assertEquals(Map.of("input_ids", "ids"), t.inputs());
    assertEquals("ids", t.input("input_ids"));
    assertNull(t.tokenizer());
  }
}
