package dev.bindery.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bindery.encoders.image.ImageDecoder;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.request.EmbeddingInput;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.embedding.response.EmbeddingResponse;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.filter.Filter;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images and texts in one space through langchain4j's own multimodal embedding request. */
class BinderyMultimodalTest {
  @TempDir Path dir;

  @Test
  void imagesEmbeddedThroughLangchain4jAreTheTowersVectorsAndStoreBesideText() throws IOException {
    BinderyEmbeddingModel model = SharedModel.get();
    byte[] red = png(Color.RED);
    Path file = dir.resolve("red.png");
    Files.write(file, red);
    String b64 = Base64.getEncoder().encodeToString(red);

    EmbeddingResponse r =
        model.embed(
            EmbeddingRequest.builder()
                .inputs(
                    EmbeddingInput.from(ImageContent.from(b64, "image/png")),
                    EmbeddingInput.from(ImageContent.from(file.toUri())),
                    EmbeddingInput.from(TextContent.from("a red square")))
                .build());
    float[] tower =
        model.modelPackage().imageEncoder().encode(new ImageDecoder().decode(red, "red.png"));
    assertThat(r.embeddings()).hasSize(3);
    assertThat(r.embeddings().get(0).vector()).isEqualTo(tower);
    assertThat(r.embeddings().get(1).vector()).isEqualTo(tower);
    assertThat(r.embeddings().get(2).vector())
        .isEqualTo(model.embed("a red square").content().vector());

    try (BinderyEmbeddingStore store =
        BinderyEmbeddingStore.builder()
            .dataDirectory(dir.resolve("data"))
            .dimension(model.dimension())
            .build()) {
      // An image entry: the vector from the image tower, the segment naming the file.
      store.addAll(
          List.of("img-red", "txt-soup"),
          List.of(r.embeddings().get(0), model.embed("a bowl of hot tomato soup").content()),
          List.of(
              TextSegment.from(
                  file.toString(),
                  dev.langchain4j.data.document.Metadata.from("modality", "image")),
              TextSegment.from(
                  "a bowl of hot tomato soup",
                  dev.langchain4j.data.document.Metadata.from("modality", "text"))));
      Embedding query = model.embed("a red square").content();
      List<EmbeddingMatch<TextSegment>> images =
          store
              .search(
                  EmbeddingSearchRequest.builder()
                      .queryEmbedding(query)
                      .filter(
                          new dev.langchain4j.store.embedding.filter.comparison.IsEqualTo(
                              "modality", "image"))
                      .maxResults(5)
                      .build())
              .matches();
      assertThat(images).extracting(EmbeddingMatch::embeddingId).containsExactly("img-red");
      assertThat(images.get(0).embedded().text()).isEqualTo(file.toString());
    }
  }

  @Test
  void unsupportedInputsAndFiltersFailWithTheFacts() {
    BinderyEmbeddingModel model = SharedModel.get();
    assertThatThrownBy(
            () ->
                model.embed(
                    EmbeddingRequest.builder()
                        .input(ImageContent.from(java.net.URI.create("https://example.org/a.png")))
                        .build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("downloads nothing");
    try (BinderyEmbeddingStore store =
        BinderyEmbeddingStore.builder()
            .dataDirectory(dir.resolve("f"))
            .dimension(model.dimension())
            .build()) {
      store.add(model.embed("x").content(), TextSegment.from("x"));
      Filter contains =
          dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey("k")
              .containsString("a");
      assertThatThrownBy(
              () ->
                  store.search(
                      EmbeddingSearchRequest.builder()
                          .queryEmbedding(model.embed("x").content())
                          .filter(contains)
                          .build()))
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("ContainsString");
      assertThatThrownBy(
              () ->
                  store.add(
                      model.embed("x").content(),
                      TextSegment.from(
                          "x", dev.langchain4j.data.document.Metadata.from("bad key!", "v"))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("bad key!");
      assertThatThrownBy(
              () ->
                  BinderyEmbeddingStore.builder()
                      .dataDirectory(dir.resolve("g"))
                      .collection("missing")
                      .build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("dimension");
    }
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
