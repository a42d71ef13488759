package dev.bindery.server.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.embeddings.EmbeddingCreateParams.EncodingFormat;
import dev.bindery.encoders.image.ImageDecoder;
import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.fusion.Bindery;
import dev.bindery.server.http.HttpTestClient.Res;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/embeddings} through the official OpenAI Java SDK pointed at a running server:
 * texts and an image come back as the same vectors the model package gives in-process.
 */
class EmbeddingsEndpointTest {
  @TempDir static Path dir;

  static Bindery bindery;
  static BinderyServer server;
  static OpenAIClient openai;
  static HttpTestClient http;
  static ModelPackage inProcess;

  @BeforeAll
  static void start() {
    bindery = Bindery.open(dir.resolve("data"));
    bindery.createCollection("pics", ModelPackage.DEFAULT);
    server = BinderyServer.start(bindery, ServerConfig.builder().port(0).build());
    openai =
        OpenAIOkHttpClient.builder()
            .baseUrl(server.uri() + "/v1")
            .apiKey("not-needed-on-loopback")
            .maxRetries(0)
            .build();
    http = new HttpTestClient(server.uri());
    inProcess = ModelPackage.open(ModelPackage.DEFAULT);
  }

  @AfterAll
  static void stop() {
    if (openai != null) {
      openai.close();
    }
    if (server != null) {
      server.close();
    }
    if (bindery != null) {
      bindery.close();
    }
    if (inProcess != null) {
      inProcess.close();
    }
  }

  @Test
  void textsThroughTheOpenAiClientEqualInProcessEmbeddings() {
    List<String> texts = List.of("a cat asleep on the sofa", "stock market falls sharply");
    for (EncodingFormat format : List.of(EncodingFormat.FLOAT, EncodingFormat.BASE64)) {
      CreateEmbeddingResponse r =
          openai
              .embeddings()
              .create(
                  EmbeddingCreateParams.builder()
                      .model("minilm-l6-v2")
                      .inputOfArrayOfStrings(texts)
                      .encodingFormat(format)
                      .build());
      assertEquals(2, r.data().size());
      assertEquals("minilm-l6-v2", r.model());
      for (int i = 0; i < texts.size(); i++) {
        assertEquals(i, r.data().get(i).index());
        assertArrayEquals(
            inProcess.textEncoder().encode(texts.get(i)),
            floats(r.data().get(i).embedding()),
            format + " input " + i);
      }
      // "a cat asleep on the sofa" is 6 word pieces plus [CLS] and [SEP].
      assertTrue(r.usage().promptTokens() >= 10, r.usage().toString());
      assertEquals(r.usage().promptTokens(), r.usage().totalTokens());
    }
  }

  @Test
  void anImageAsADataUrlPartEmbedsWithTheCollectionsPackage() throws IOException {
    byte[] png = png(Color.RED);
    String url = "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    List<Object> parts =
        List.of(
            Map.of("type", "image_url", "image_url", Map.of("url", url)),
            "a red square",
            Map.of("type", "text", "text", "a red square"));
    @SuppressWarnings({"unchecked", "rawtypes"})
    EmbeddingCreateParams params =
        EmbeddingCreateParams.builder()
            .model("pics")
            .input((com.openai.core.JsonField) JsonValue.from(parts))
            .encodingFormat(EncodingFormat.BASE64)
            .build();
    CreateEmbeddingResponse r = openai.embeddings().create(params);
    assertEquals(3, r.data().size());
    float[] image = inProcess.imageEncoder().encode(new ImageDecoder().decode(png, "red.png"));
    assertArrayEquals(image, floats(r.data().get(0).embedding()));
    float[] text = inProcess.textEncoder().encode("a red square");
    assertArrayEquals(text, floats(r.data().get(1).embedding()));
    assertArrayEquals(text, floats(r.data().get(2).embedding()));
  }

  @Test
  void errorsComeInOpenAisShape() throws IOException {
    NotFoundException missing =
        assertThrows(
            NotFoundException.class,
            () ->
                openai
                    .embeddings()
                    .create(
                        EmbeddingCreateParams.builder()
                            .model("no-such-model")
                            .input("hello")
                            .build()));
    assertEquals(404, missing.statusCode());
    assertEquals("model_not_found", missing.code().orElseThrow());
    assertTrue(missing.getMessage().contains("no-such-model"), missing.getMessage());

    BadRequestException wrongDim =
        assertThrows(
            BadRequestException.class,
            () ->
                openai
                    .embeddings()
                    .create(
                        EmbeddingCreateParams.builder()
                            .model("minilm-l6-v2")
                            .input("hello")
                            .dimensions(256)
                            .build()));
    assertEquals("dimensions", wrongDim.param().orElseThrow());

    // Raw HTTP: token arrays, an unknown member, a remote image URL, audio to a text-only model.
    ObjectMapper mapper = new ObjectMapper();
    for (Map<String, Object> body :
        List.<Map<String, Object>>of(
            Map.of("model", "minilm-l6-v2", "input", List.of(List.of(1, 2, 3))),
            Map.of("model", "minilm-l6-v2", "input", "x", "temperature", 1),
            Map.of(
                "model",
                "pics",
                "input",
                List.of(
                    Map.of("type", "image_url", "image_url", Map.of("url", "http://e.x/a.png")))),
            Map.of(
                "model",
                "minilm-l6-v2",
                "input",
                List.of(
                    Map.of(
                        "type",
                        "input_audio",
                        "input_audio",
                        Map.of("data", "AAAA", "format", "wav")))))) {
      Res res = http.post("/v1/embeddings", body);
      assertEquals(400, res.status(), res.text());
      JsonNode error = mapper.readTree(res.text()).get("error");
      assertEquals("invalid_request_error", error.get("type").asText(), res.text());
      assertTrue(error.get("message").asText().length() > 10, res.text());
    }
  }

  private static float[] floats(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  private static byte[] png(Color color) throws IOException {
    BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(color);
    g.fillRect(0, 0, 32, 32);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }
}
