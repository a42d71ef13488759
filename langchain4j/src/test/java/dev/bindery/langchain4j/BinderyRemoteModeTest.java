package dev.bindery.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bindery.client.BinderyApiException;
import dev.bindery.client.BinderyClient;
import dev.bindery.client.testing.RemoteServer;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.request.EmbeddingInput;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote mode beside the embedded one: the builder's mode rules, the server's encoders giving
 * the in-process vectors (text and image), and a server's error reaching the caller with the
 * request named.
 */
class BinderyRemoteModeTest {
  @TempDir Path dir;

  @Test
  void aStoreIsEmbeddedOrRemoteNeverBothOrNeither() {
    RemoteServer server = RemoteServer.get();
    assertThatThrownBy(
            () ->
                BinderyEmbeddingStore.builder()
                    .dataDirectory(dir)
                    .serverUrl(server.url)
                    .dimension(3)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dataDirectory(" + dir + ")")
        .hasMessageContaining("serverUrl(" + server.url + ")");
    assertThatThrownBy(() -> BinderyEmbeddingStore.builder().dimension(3).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("serverUrl");
    assertThatThrownBy(
            () -> BinderyEmbeddingStore.builder().dataDirectory(dir).apiKey("bk_x").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("apiKey");
    // A read key cannot create the collection: the server's 403 names the request.
    assertThatThrownBy(
            () ->
                BinderyEmbeddingStore.builder()
                    .serverUrl(server.url)
                    .apiKey(server.readKey)
                    .requestTimeout(RemoteServer.PATIENCE)
                    .collection("not-mine")
                    .dimension(3)
                    .build())
        .isInstanceOf(BinderyApiException.class)
        .hasMessageStartingWith("POST /v1/collections: 403 forbidden");
  }

  @Test
  void theServersEncodersGiveTheInProcessVectorsAndTheStoreFindsTheImage() throws IOException {
    RemoteServer server = RemoteServer.get();
    BinderyEmbeddingModel local = SharedModel.get();
    String b64 = Base64.getEncoder().encodeToString(png());
    try (BinderyClient client =
            BinderyClient.builder(server.url)
                .apiKey(server.adminKey)
                .requestTimeout(RemoteServer.PATIENCE)
                .build();
        BinderyRemoteEmbeddingModel model =
            BinderyRemoteEmbeddingModel.builder().client(client).model("bindery-mini").build();
        BinderyEmbeddingStore store =
            BinderyEmbeddingStore.builder()
                .client(client)
                .collection("remote-mode")
                .dimension(model.dimension())
                .build()) {
      assertThat(store.remote()).isTrue();
      assertThat(store.client()).isSameAs(client);
      assertThatThrownBy(store::bindery)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("client()");

      EmbeddingRequest request =
          EmbeddingRequest.builder()
              .inputs(
                  List.of(
                      EmbeddingInput.from(ImageContent.from(b64, "image/png")),
                      EmbeddingInput.from(dev.langchain4j.data.message.TextContent.from("a cat"))))
              .build();
      List<Embedding> remote = model.embed(request).embeddings();
      List<Embedding> inProcess = local.embed(request).embeddings();
      assertThat(remote.get(0).vector()).containsExactly(inProcess.get(0).vector());
      assertThat(remote.get(1).vector()).containsExactly(inProcess.get(1).vector());

      store.addAll(
          List.of("img-1", "txt-1"),
          List.of(remote.get(0), model.embed("stock market falls sharply").content()),
          List.of(
              TextSegment.from("red.png", Metadata.from("modality", "image")),
              TextSegment.from("stock market falls sharply", Metadata.from("modality", "text"))));
      List<EmbeddingMatch<TextSegment>> hits =
          store
              .search(
                  EmbeddingSearchRequest.builder()
                      .queryEmbedding(remote.get(0))
                      .maxResults(2)
                      .build())
              .matches();
      assertThat(hits).extracting(EmbeddingMatch::embeddingId).containsExactly("img-1", "txt-1");
      assertThat(hits.get(0).embedded().metadata().toMap())
          .containsExactlyEntriesOf(java.util.Map.of("modality", "image"));
      assertThat(hits.get(0).embedding().vector()).containsExactly(remote.get(0).vector());
      assertThat(hits.get(0).score()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
    }
  }

  private static byte[] png() throws IOException {
    BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.RED);
    g.fillRect(0, 0, 32, 32);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }
}
