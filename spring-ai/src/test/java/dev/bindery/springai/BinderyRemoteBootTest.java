package dev.bindery.springai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bindery.client.BinderyApiException;
import dev.bindery.client.BinderyClient;
import dev.bindery.client.testing.RemoteServer;
import dev.bindery.fusion.Bindery;
import dev.bindery.indexer.Item;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A Spring Boot application started against a real Bindery server with {@code bindery.server-url}
 * and {@code bindery.api-key}: the auto-configuration picks the remote mode, documents land on the
 * server embedded by the server's encoders (the very vectors the in-process model computes), and
 * every filter operator answers exactly what the embedded store answers for the same documents
 * (booleans come back as the keyword text the server stores).
 */
class BinderyRemoteBootTest {
  @TempDir static Path data;
  static ConfigurableApplicationContext app;
  static VectorStore remote;
  static Bindery local;
  static BinderyEmbeddingModel model;
  static BinderyVectorStore embedded;

  /** The application: nothing but Spring Boot's auto-configuration. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  static final List<Document> DOCS =
      List.of(
          doc("cat", "a cat asleep on the sofa", Map.of("country", "BG", "year", 2020)),
          doc("market", "stock market falls sharply", Map.of("country", "NL", "year", 2021)),
          doc("soup", "a bowl of hot tomato soup", Map.of("country", "BG", "year", 2023)),
          doc("train", "an old steam train crossing a bridge", Map.of("country", "DE")),
          doc(
              "violin",
              "a violin concert",
              Map.of("country", "NL", "year", 2019, "live", true, "w", 0.5)));

  static Document doc(String id, String text, Map<String, Object> metadata) {
    return Document.builder().id(id).text(text).metadata(metadata).build();
  }

  @BeforeAll
  static void start() {
    RemoteServer server = RemoteServer.get();
    app =
        new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.NONE)
            .properties(
                "bindery.server-url=" + server.url,
                "bindery.api-key=" + server.adminKey,
                "bindery.request-timeout=" + RemoteServer.PATIENCE,
                "bindery.collection=boot-notes",
                "bindery.model=classpath:/models/bindery-mini")
            .run();
    remote = app.getBean(VectorStore.class);
    remote.add(DOCS);
    local = Bindery.open(data);
    model = BinderyEmbeddingModel.open("classpath:/models/bindery-mini");
    embedded = BinderyVectorStore.builder(local, model).collection("notes").build();
    embedded.add(DOCS);
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
    if (model != null) {
      model.close();
    }
    if (local != null) {
      local.close();
    }
  }

  @Test
  void theApplicationRunsInRemoteModeAndTheServerHoldsItsDocuments() {
    assertThat(app.getBeansOfType(Bindery.class)).isEmpty();
    assertThat(app.getBean(EmbeddingModel.class)).isInstanceOf(BinderyRemoteEmbeddingModel.class);
    BinderyVectorStore store = (BinderyVectorStore) remote;
    assertThat(store.remote()).isTrue();
    assertThat(store.<BinderyClient>getNativeClient())
        .containsSame(app.getBean(BinderyClient.class));

    Bindery onServer = RemoteServer.get().bindery;
    Item cat = onServer.backend().get("boot-notes", "cat").orElseThrow();
    assertThat(cat.text()).containsEntry("text", "a cat asleep on the sofa");
    assertThat(cat.metadata()).containsEntry("country", "BG").containsEntry("year", 2020L);
    // Embedded on the server with the same package: the in-process vector, stored normalized.
    float[] expected = local.backend().get("notes", "cat").orElseThrow().vectors().get("embedding");
    assertThat(cat.vectors().get("embedding")).containsExactly(expected);
  }

  @Test
  void searchesAndEveryFilterOperatorAnswerAsTheEmbeddedStoreDoes() {
    List<String> filters =
        List.of(
            "country == 'BG'",
            "country != 'BG'",
            "year > 2020",
            "year >= 2020",
            "year < 2020",
            "year <= 2020",
            "w > 0.25",
            "country in ['DE', 'NL']",
            "country nin ['DE', 'NL']",
            "country == 'BG' && year > 2021",
            "country == 'DE' || year == 2019",
            "not(country == 'BG')",
            "year IS NULL",
            "year IS NOT NULL",
            "live == true",
            "colour == 'red'",
            "colour != 'red'");
    for (String filter : filters) {
      SearchRequest request =
          SearchRequest.builder()
              .query("a kitten on a couch")
              .topK(10)
              .similarityThresholdAll()
              .filterExpression(filter)
              .build();
      List<Document> want = embedded.similaritySearch(request);
      List<Document> got = remote.similaritySearch(request);
      assertThat(got)
          .as(filter)
          .extracting(Document::getId)
          .containsExactlyElementsOf(want.stream().map(Document::getId).toList());
      for (int i = 0; i < got.size(); i++) {
        assertThat(got.get(i).getScore()).as(filter).isEqualTo(want.get(i).getScore());
        assertThat(got.get(i).getText()).isEqualTo(want.get(i).getText());
        assertThat(got.get(i).getMetadata())
            .as(filter)
            .isEqualTo(booleansAsTheServerKeepsThem(want.get(i).getMetadata()));
      }
    }
    // The one documented difference: the server's JSON ingest keeps a boolean as the keyword
    // "true"/"false" (it filters the same), where the embedded library returns the Boolean.
    SearchRequest violin =
        SearchRequest.builder()
            .query("a violin concert")
            .topK(1)
            .similarityThresholdAll()
            .filterExpression("live == true")
            .build();
    assertThat(embedded.similaritySearch(violin).get(0).getMetadata()).containsEntry("live", true);
    assertThat(remote.similaritySearch(violin).get(0).getMetadata()).containsEntry("live", "true");
    List<Document> best =
        remote.similaritySearch(
            SearchRequest.builder().query("a kitten on a couch").topK(1).build());
    assertThat(best).extracting(Document::getId).containsExactly("cat");
  }

  /** The metadata with each Boolean as the keyword text the server stores and returns. */
  static Map<String, Object> booleansAsTheServerKeepsThem(Map<String, Object> metadata) {
    Map<String, Object> out = new LinkedHashMap<>();
    metadata.forEach((k, v) -> out.put(k, v instanceof Boolean b ? b.toString() : v));
    return out;
  }

  @Test
  void aBadFilterValueAndAWrongKeyFailNamingWhatWasWrong() {
    assertThatThrownBy(
            () ->
                remote.similaritySearch(
                    SearchRequest.builder().query("x").filterExpression("country > 3").build()))
        .isInstanceOf(BinderyApiException.class)
        .hasMessageContaining("POST /v1/collections/boot-notes/search: 400")
        .hasMessageContaining("country");
    SpringApplicationBuilder wrongKey =
        new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.NONE)
            .properties(
                "bindery.server-url=" + RemoteServer.get().url,
                "bindery.api-key=bk_not-a-key",
                "bindery.collection=boot-notes");
    assertThatThrownBy(wrongKey::run)
        .hasRootCauseInstanceOf(BinderyApiException.class)
        .rootCause()
        .hasMessageContaining("401 unauthorized");
  }
}
