package dev.bindery.springai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bindery.fusion.Bindery;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.document.Document;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Search, every filter operator, observations and the auto-configuration's properties. */
class BinderyVectorStoreTest {
  @TempDir static Path data;
  static Bindery bindery;
  static BinderyEmbeddingModel model;
  static TestObservationRegistry observations = TestObservationRegistry.create();
  static BinderyVectorStore store;

  @BeforeAll
  static void open() {
    bindery = Bindery.open(data.resolve("lib"));
    model = BinderyEmbeddingModel.open("classpath:/models/bindery-mini");
    store =
        BinderyVectorStore.builder(bindery, model)
            .collection("docs")
            .observationRegistry(observations)
            .build();
    store.add(
        List.of(
            doc("cat", "a cat asleep on the sofa", Map.of("country", "BG", "year", 2020)),
            doc("market", "stock market falls sharply", Map.of("country", "NL", "year", 2021)),
            doc("soup", "a bowl of hot tomato soup", Map.of("country", "BG", "year", 2023)),
            doc("train", "an old steam train crossing a bridge", Map.of("country", "DE")),
            doc(
                "violin",
                "a violin concert",
                Map.of("country", "NL", "year", 2019, "live", true))));
  }

  @AfterAll
  static void close() {
    model.close();
    bindery.close();
  }

  static Document doc(String id, String text, Map<String, Object> metadata) {
    return Document.builder().id(id).text(text).metadata(metadata).build();
  }

  List<String> ids(String filter) {
    return store
        .similaritySearch(
            SearchRequest.builder()
                .query("a kitten on a couch")
                .topK(10)
                .similarityThresholdAll()
                .filterExpression(filter)
                .build())
        .stream()
        .map(Document::getId)
        .sorted()
        .toList();
  }

  @Test
  void findsByMeaningWithScoresAndDistance() {
    List<Document> hits =
        store.similaritySearch(
            SearchRequest.builder().query("a kitten on a couch").topK(2).build());
    assertThat(hits).hasSize(2);
    Document best = hits.get(0);
    assertThat(best.getId()).isEqualTo("cat");
    assertThat(best.getText()).isEqualTo("a cat asleep on the sofa");
    assertThat(best.getScore()).isBetween(0.5, 1.0);
    assertThat((Double) best.getMetadata().get("distance")).isEqualTo(1 - best.getScore());
    assertThat(best.getMetadata())
        .containsEntry("country", "BG")
        .doesNotContainKey("spring-ai.document");
    assertThat(
            store.similaritySearch(
                SearchRequest.builder()
                    .query("a kitten on a couch")
                    .similarityThreshold(best.getScore() + 1e-6)
                    .build()))
        .isEmpty();
  }

  @Test
  void everyFilterOperatorMeansWhatSpringAiSays() {
    assertThat(ids("country == 'BG'")).containsExactly("cat", "soup");
    assertThat(ids("country != 'BG'")).containsExactly("market", "train", "violin");
    assertThat(ids("year > 2020")).containsExactly("market", "soup");
    assertThat(ids("year >= 2020")).containsExactly("cat", "market", "soup");
    assertThat(ids("year < 2020")).containsExactly("violin");
    assertThat(ids("year <= 2020")).containsExactly("cat", "violin");
    assertThat(ids("country in ['DE', 'NL']")).containsExactly("market", "train", "violin");
    assertThat(ids("country nin ['DE', 'NL']")).containsExactly("cat", "soup");
    assertThat(ids("country == 'BG' && year > 2021")).containsExactly("soup");
    assertThat(ids("country == 'DE' || year == 2019")).containsExactly("train", "violin");
    assertThat(ids("not(country == 'BG')")).containsExactly("market", "train", "violin");
    assertThat(ids("year IS NULL")).containsExactly("train");
    assertThat(ids("year IS NOT NULL")).containsExactly("cat", "market", "soup", "violin");
    assertThat(ids("live == true")).containsExactly("violin");
    // A key no document has: equality matches nothing, its negation everything.
    assertThat(ids("colour == 'red'")).isEmpty();
    assertThat(ids("colour != 'red'")).hasSize(5);
    assertThatThrownBy(() -> ids("country > 3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("country");
  }

  @Test
  void addQueryAndDeleteAreObservedAsSpringAiStoresReportThem() {
    observations.clear();
    store.similaritySearch(SearchRequest.builder().query("soup").topK(1).build());
    TestObservationRegistryAssert.assertThat(observations)
        .hasObservationWithNameEqualTo("db.vector.client.operation")
        .that()
        .hasLowCardinalityKeyValue("db.system", "bindery")
        .hasLowCardinalityKeyValue("db.operation.name", "query")
        .hasBeenStarted()
        .hasBeenStopped();
  }

  @Test
  void theAutoConfigurationReadsBinderyProperties() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(BinderyVectorStoreAutoConfiguration.class))
        .withPropertyValues(
            "bindery.data-dir=" + data.resolve("boot"),
            "bindery.collection=notes",
            "bindery.model=classpath:/models/minilm-l6-v2")
        .run(
            context -> {
              BinderyVectorStore s = context.getBean(BinderyVectorStore.class);
              assertThat(s.collection()).isEqualTo("notes");
              BinderyEmbeddingModel m = context.getBean(BinderyEmbeddingModel.class);
              assertThat(m.modelPackage().name()).isEqualTo("minilm-l6-v2");
              assertThat(context.getBean(Bindery.class).listCollections()).contains("notes");
            });
  }
}
