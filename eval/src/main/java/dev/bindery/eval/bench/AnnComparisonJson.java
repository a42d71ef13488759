package dev.bindery.eval.bench;

import static dev.bindery.eval.bench.AnnComparison.BASELINE;
import static dev.bindery.eval.bench.AnnComparison.PEER;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.eval.bench.EngineResult.Clock;
import java.util.Locale;
import java.util.Optional;

/**
 * {@link AnnComparison} as JSON: the run's dataset, parameters and machine, the headline ratios
 * with how they were computed, per engine its build, sizes, QPS at the target recall with the two
 * points it was read between, its ratios against the peer and every ef's run, and the full Bindery
 * report.
 */
final class AnnComparisonJson {
  private AnnComparisonJson() {}

  /** The report as a JSON tree; {@code bindery} holds the full Bindery report of the same run. */
  static ObjectNode of(AnnComparison c, ObjectMapper mapper) {
    ObjectNode root = mapper.createObjectNode();
    root.put("benchmark", "ann-peers");
    root.put("command", c.command());
    root.set("dataset", mapper.valueToTree(c.bindery().dataset()));
    root.set("params", mapper.valueToTree(c.bindery().params()));
    root.set("machine", mapper.valueToTree(c.bindery().machine()));
    root.set("peer_versions", mapper.valueToTree(c.peerVersions()));
    root.put("recall_target", c.bindery().recallTarget());
    String key = "qps_ratio_at_recall_" + AnnComparison.trim(c.bindery().recallTarget());
    String atKey = "qps_at_recall_" + AnnComparison.trim(c.bindery().recallTarget());
    ObjectNode summary = root.putObject("summary");
    summary.put("baseline", BASELINE);
    summary.put("peer", PEER);
    putOptional(summary, key, c.qpsRatio(Clock.WALL));
    putOptional(summary, "build_time_ratio", c.buildTimeRatio(Clock.WALL));
    putOptional(summary, "build_speed_ratio", c.buildTimeRatio(Clock.WALL).map(r -> 1 / r));
    putOptional(summary, "cpu_" + key, c.qpsRatio(Clock.CPU));
    putOptional(summary, "cpu_build_time_ratio", c.buildTimeRatio(Clock.CPU));
    summary.put(
        "how",
        key
            + " = QPS of "
            + BASELINE
            + " / QPS of "
            + PEER
            + ", each read off its own recall-QPS curve at recall "
            + AnnComparison.trim(c.bindery().recallTarget())
            + " (Pareto frontier, straight line in recall vs log QPS between the bracketing efs);"
            + " build_time_ratio = build seconds of "
            + BASELINE
            + " / "
            + PEER
            + " (above 1: Bindery builds slower); build_speed_ratio = its inverse; the cpu_"
            + " variants use the CPU time of the querying or building process instead of elapsed time");
    ArrayNode list = root.putArray("engines");
    Optional<EngineResult> peer = c.engine(PEER);
    for (EngineResult e : c.engines()) {
      ObjectNode o = list.addObject();
      o.put("name", e.name());
      o.put("version", e.version());
      o.put("count", e.count());
      o.put("build_seconds", e.buildSeconds());
      o.put("build_cpu_seconds", e.buildCpuSeconds());
      o.put("build_threads", e.buildThreads());
      o.put("build_note", e.buildNote());
      o.put("build_vectors_per_s", e.buildVectorsPerSecond());
      o.put("index_bytes", e.indexBytes());
      o.put("bytes_per_vector", e.bytesPerVector());
      o.put("search_bytes_per_vector", e.searchBytesPerVector());
      for (Clock clock : Clock.values()) {
        String prefix = clock == Clock.WALL ? "" : "cpu_";
        Optional<RecallCurve.AtRecall> at = c.atTarget(e, clock);
        if (at.isPresent()) {
          ObjectNode a = o.putObject(prefix + atKey);
          a.put("qps", at.get().qps());
          a.put("method", at.get().method().name().toLowerCase(Locale.ROOT));
          putPoint(a, "below", at.get().below());
          putPoint(a, "above", at.get().above());
        } else {
          o.putNull(prefix + atKey);
        }
        putOptional(
            o,
            prefix + "qps_ratio_vs_" + PEER,
            peer.flatMap(p -> c.atTarget(p, clock)).flatMap(p -> at.map(a -> a.qps() / p.qps())));
        putOptional(
            o,
            prefix + "build_time_ratio_vs_" + PEER,
            peer.map(p -> e.buildSeconds(clock) / p.buildSeconds(clock)));
      }
      ArrayNode runs = o.putArray("runs");
      for (EngineResult.Run r : e.runs()) {
        ObjectNode j = runs.addObject();
        j.put("ef", r.ef());
        j.put("recall", r.recall());
        j.put("qps", r.qps());
        j.put("cpu_qps", r.cpuQps());
        j.put("p50_ms", r.p50Ms());
        j.put("p99_ms", r.p99Ms());
        if (!Double.isNaN(r.batchQps())) {
          j.put("batch_qps", r.batchQps());
        }
      }
    }
    root.set("bindery", c.bindery().toJson(mapper));
    return root;
  }

  private static void putPoint(ObjectNode o, String key, RecallCurve.Point p) {
    if (p == null) {
      o.putNull(key);
      return;
    }
    ObjectNode n = o.putObject(key);
    n.put("ef", p.ef());
    n.put("recall", p.recall());
    n.put("qps", p.qps());
  }

  private static void putOptional(ObjectNode o, String key, Optional<Double> v) {
    if (v.isPresent()) {
      o.put(key, v.get());
    } else {
      o.putNull(key);
    }
  }
}
