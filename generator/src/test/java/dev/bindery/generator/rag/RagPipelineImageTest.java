package dev.bindery.generator.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.encoders.image.ImageDecoder;
import dev.bindery.fusion.Bindery;
import dev.bindery.generator.GeneratorConfig;
import dev.bindery.generator.client.OpenAiChatClient;
import dev.bindery.generator.grounding.Region;
import dev.bindery.generator.testing.RecordingChatServer;
import dev.bindery.generator.testing.RecordingChatServer.Reply;
import dev.bindery.generator.testing.TestImages;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image questions end to end with the repository's bindery-mini package (an image tower into
 * MiniLM's space): retrieval by the question's image, the extractive answer about the pictured
 * item, and what a model is sent (downscaled images within the image budget, each after its id).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RagPipelineImageTest {
  private static final String C = "pics";
  private static final Path MODEL = Path.of("..", "models", "bindery-mini").toAbsolutePath();

  @TempDir static Path dir;
  private Bindery bindery;
  private final List<Path> files = new ArrayList<>();

  /** Drawings of distinct shapes and colours, with a category each. */
  private static final Object[][] PICTURES = {
    {"sun", 0xffcc00, "circle", "weather", List.of("sun", "sky")},
    {"apple", 0xd01010, "circle", "food", List.of("apple", "fruit")},
    {"house", 0x3366cc, "square", "building", List.of("house", "home")},
    {"tree", 0x22aa22, "triangle", "nature", List.of("tree", "forest")},
    {"star", 0x000000, "cross", "symbol", List.of("star")},
    {"road", 0x777777, "stripes", "transport", List.of("road", "car")},
  };

  @BeforeAll
  void index() throws Exception {
    bindery = Bindery.open(dir.resolve("data"));
    bindery.createCollection(C, MODEL.toString());
    for (Object[] p : PICTURES) {
      Path f = dir.resolve(p[0] + ".png");
      Files.write(f, TestImages.encode(draw(800, 600, (int) p[1], (String) p[2]), "png"));
      files.add(f);
      bindery.addFile(
          C, (String) p[0], f, Map.of("title", "a " + p[0], "category", p[3], "keywords", p[4]));
    }
    bindery.commit(C);
  }

  @AfterAll
  void close() {
    bindery.close();
  }

  static BufferedImage draw(int w, int h, int rgb, String shape) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    g.setColor(new Color(rgb));
    switch (shape) {
      case "circle" -> g.fillOval(w / 4, h / 4, w / 2, h / 2);
      case "square" -> g.fillRect(w / 4, h / 4, w / 2, h / 2);
      case "triangle" ->
          g.fillPolygon(
              new int[] {w / 2, w / 5, 4 * w / 5}, new int[] {h / 8, 7 * h / 8, 7 * h / 8}, 3);
      case "cross" -> {
        g.setStroke(new BasicStroke(w / 12f));
        g.drawLine(w / 4, h / 4, 3 * w / 4, 3 * h / 4);
        g.drawLine(3 * w / 4, h / 4, w / 4, 3 * h / 4);
      }
      default -> {
        for (int y = 0; y < h; y += h / 6) {
          g.fillRect(0, y, w, h / 12);
        }
      }
    }
    g.dispose();
    return img;
  }

  @Test
  void anImageQuestionRetrievesThePicturedItemAndAnswersItsCategory() throws Exception {
    long before = RagPipelineTest.askTempFiles();
    RagPipeline p = RagPipeline.extractive(bindery);
    for (int i = 0; i < PICTURES.length; i++) {
      byte[] bytes = Files.readAllBytes(files.get(i));
      Answer a =
          p.ask(AskRequest.of(C, "What category is this picture in?").withImage(bytes, "q.png"));
      assertEquals(PICTURES[i][0], a.hits().get(0).id(), a.hits().toString());
      assertEquals(PICTURES[i][3], a.plainText(), a.text());
      assertEquals(PICTURES[i][0], a.citations().get(0));
    }
    assertEquals(before, RagPipelineTest.askTempFiles(), "temporary image files are deleted");
  }

  @Test
  void aModelGetsDownscaledImagesAfterTheirIdsWithinTheBudget() {
    try (RecordingChatServer server = new RecordingChatServer();
        OpenAiChatClient client =
            new OpenAiChatClient(
                GeneratorConfig.of(server.url(), "vlm")
                    .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(20)))) {
      server.enqueue(
          Reply.json(
              200,
              "{\"choices\":[{\"message\":{\"content\":\"Your picture <box>(0,0),(500,500)</box>"
                  + " looks like the apple [apple] <box>(250,250),(750,750)</box>.\"},"
                  + "\"finish_reason\":\"stop\"}]}"));
      RagOptions options =
          RagOptions.defaults().withImages(3, 448, ImageEncoding.PNG).withSourceBaseDir(dir);
      ImageDecoder decoder = new ImageDecoder();
      RagPipeline p =
          new RagPipeline(bindery, new ModelAnswerer(client, options, decoder), options, decoder);
      byte[] question = TestImages.encode(draw(1200, 900, 0xd01010, "circle"), "png");
      Answer a = p.ask(AskRequest.of(C, "What is this?").withImage(question, "mine.png"));

      assertEquals(List.of("apple"), a.citations());
      assertEquals(2, a.regions().size());
      assertEquals(Region.Target.QUESTION_IMAGE, a.regions().get(0).target());
      assertEquals("apple", a.regions().get(1).itemId());
      assertTrue(a.context().questionImage());
      assertEquals(2, a.context().imageIds().size(), a.context().toString());

      JsonNode body = server.requests().get(0).json();
      String system = body.get("messages").get(0).get("content").asText();
      assertTrue(system.endsWith(ModelAnswerer.BOX_PROMPT), system);
      JsonNode parts = body.get("messages").get(1).get("content");
      int images = 0;
      String previousText = null;
      for (JsonNode part : parts) {
        if (part.get("type").asText().equals("image_url")) {
          images++;
          String url = part.get("image_url").get("url").asText();
          assertTrue(url.startsWith("data:image/png;base64,"), url);
          BufferedImage img =
              decoder.decode(
                  Base64.getDecoder().decode(url.substring(url.indexOf(',') + 1)), "part");
          assertTrue(Math.max(img.getWidth(), img.getHeight()) <= 448, img.toString());
          assertTrue(
              previousText.startsWith("[") || previousText.equals("The user's image:"),
              previousText);
        } else {
          previousText = part.get("text").asText();
        }
      }
      assertEquals(3, images, "two item images and the question's, within maxImages = 3");
      assertEquals("Question: What is this?", parts.get(parts.size() - 1).get("text").asText());
    }
  }

  @Test
  void anUndecodableImageNamesItself() {
    RagPipeline p = RagPipeline.extractive(bindery);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                p.ask(
                    AskRequest.of(C, "What is this?")
                        .withImage(
                            new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3}, "broken.png")));
    assertTrue(e.getMessage().startsWith("broken.png"), e.getMessage());
    assertFalse(e.getMessage().isBlank());
  }
}
