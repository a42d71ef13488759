package dev.bindery.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.fusion.rank.FusedHit;
import dev.bindery.fusion.rank.FusionConfig;
import dev.bindery.fusion.rank.LegResult;
import dev.bindery.fusion.rank.RankFusion;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.SearchResult.Strategy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The explain JSON that the API and {@code bindery search --json} print: the member order and the
 * members an absent leg leaves out are what clients read, so they are pinned here, where the typed
 * explanation becomes JSON.
 */
class ExplainBodyTest {

  private static Hit hit(String id, double score) {
    return new Hit(id, (float) score, "text", null, Map.of(), null);
  }

  private static FusedHit fusedA(List<LegResult> legs) {
    return RankFusion.fuse(legs, FusionConfig.rrf(), 10).stream()
        .filter(h -> h.id().equals("a"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void jsonIsOrderedAndAnAbsentLegShowsOnlyItsRank() throws Exception {
    LegResult text = new LegResult("text", List.of(hit("a", 2), hit("b", 1)), Strategy.BM25, 0);
    LegResult image = new LegResult("image", List.of(hit("b", 0.5)), Strategy.HNSW, 321);
    List<LegResult> legs = List.of(text, image);
    FusedHit a = fusedA(legs);
    String normalized = Double.toString(1.0 / 61);
    String score = Double.toString(a.score());
    String expected =
        "{\"score\":"
            + score
            + ",\"legs\":{\"text\":{\"rank\":1,\"raw\":2.0,\"normalized\":"
            + normalized
            + ",\"strategy\":\"BM25\",\"visited\":0},"
            + "\"image\":{\"rank\":0,\"strategy\":\"HNSW\",\"visited\":321}}}";
    // The server's mapper and a plain one (the CLI's) write the same bytes.
    assertEquals(
        expected,
        new String(new Json().write(Api.ExplainBody.of(a.explain(legs))), StandardCharsets.UTF_8));
    assertEquals(
        expected, new ObjectMapper().writeValueAsString(Api.ExplainBody.of(a.explain(legs))));
    // Without leg results: scores only.
    assertEquals(
        "{\"score\":"
            + score
            + ",\"legs\":{\"text\":{\"rank\":1,\"raw\":2.0,\"normalized\":"
            + normalized
            + "},\"image\":{\"rank\":0}}}",
        new ObjectMapper().writeValueAsString(Api.ExplainBody.of(a.explain())));
  }
}
