#!/usr/bin/env python3
"""Where a Bindery run's CPU samples go, from a Java Flight Recorder file.

    jfr_breakdown.py RECORDING.jfr [--jfr /path/to/jdk/bin/jfr] [--phase build|query|all]

Reads the recording's jdk.ExecutionSample events (`jfr print`, stack depth 64), keeps the samples
of the phase asked for (build: under BinderyRoundEngine.build / AnnBenchmark's build, query: under
a kNN search), and assigns each sample to the first category, in the order below, that one of its
frames belongs to. Prints samples and shares per category. Standard library only.
"""
import argparse
import collections
import os
import re
import subprocess
import sys

# (category, frame substrings); the first category with a frame in the sample wins, so the more
# specific ones come first.
CATEGORIES = [
    ("distance computations", ["RandomVectorScorer", "FlatVectorScorer",
                                            "VectorUtil.dotProduct", "VectorSimilarityFunction",
                                            "PanamaVectorUtilSupport", "MemorySegmentBulkVectorOps",
                                            "ScalarQuantizedVectorScorer"]),
    ("graph build: neighbour selection and links", ["NeighborArray",
                                                    "HnswGraphBuilder.addDiverseNeighbors",
                                                    "HnswGraphBuilder.selectAndLinkDiverse",
                                                    "HnswGraphBuilder.diversityCheck", "updateNeighbor"]),
    ("graph traversal: queues, visited sets, neighbour lists", ["HnswGraphSearcher", "NeighborQueue",
                                                                 "TernaryLongHeap", "SparseFixedBitSet",
                                                                 "FixedBitSet", "OffHeapHnswGraph",
                                                                 "GroupVIntUtil"]),
    ("quantization", ["OptimizedScalarQuantizer", "ScalarQuantiz"]),
    ("query: loading hits (ids, metadata)", ["HitLoader"]),
    ("query: Lucene's query machinery (rewrite, weights, collectors, per-leaf tasks)",
     ["AbstractKnnVectorQuery", "IndexSearcher", "TaskExecutor", "TopDocs", "KnnCollector"]),
    ("graph merge (segments into one)", ["HnswGraphMerger", "MergingHnswGraphBuilder",
                                         "InitializedHnswGraphBuilder", "HnswConcurrentMergeBuilder"]),
    ("flush: writing segment files", ["Lucene99HnswVectorsWriter.flush", "Lucene99HnswVectorsWriter.writeGraph",
                                      "FlatVectorsWriter.flush", "DocumentsWriterPerThread.flush",
                                      "IndexingChain.flush"]),
    ("documents: fields, ids, doc values, stored JSON", ["IndexingChain", "DocumentsWriter",
                                                         "BatchWriter", "StoredFields", "TermsHash"]),
    ("item checks and preparation", ["ItemChecks", "VectorChecks", "MetadataValues", "Item$Builder"]),
    ("commit and fsync", ["IndexWriter.commit", "IndexWriter.prepareCommit", "fsync"]),
]


def phase_of(frames):
    joined = " ".join(frames)
    if "BinderyRoundEngine.build" in joined or "AnnBenchmark.build" in joined or "upsert" in joined \
            or "forceMerge" in joined or "IndexWriter" in joined:
        return "build"
    if "KnnSearch.search" in joined or "BinderyRoundEngine.query" in joined:
        return "query"
    return "other"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("recording")
    ap.add_argument("--jfr", default=os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"),
                                                  "bin", "jfr"))
    ap.add_argument("--phase", default="build", choices=["build", "query", "all"])
    a = ap.parse_args()
    out = subprocess.run([a.jfr, "print", "--stack-depth", "64", "--events", "jdk.ExecutionSample", a.recording],
                         check=True, capture_output=True, text=True).stdout
    counts = collections.Counter()
    threads = collections.Counter()
    total = 0
    for event in out.split("jdk.ExecutionSample")[1:]:
        frames = re.findall(r"^\s+([\w.$<>]+)\(", event, re.M)
        if not frames:
            continue
        if a.phase != "all" and phase_of(frames) != a.phase:
            continue
        total += 1
        m = re.search(r'sampledThread = "([^"]*)"', event)
        threads[m.group(1) if m else "?"] += 1
        for name, needles in CATEGORIES:
            if any(n in f for f in frames for n in needles):
                counts[name] += 1
                break
        else:
            counts["other"] += 1
    if total == 0:
        sys.exit(f"{a.recording}: no execution samples in phase '{a.phase}'")
    print(f"{total} samples in phase '{a.phase}' (JFR samples running Java threads every 10-20 ms)")
    print(f"{'category':52} {'samples':>8} {'share':>7}")
    for name, c in counts.most_common():
        print(f"{name:52} {c:8d} {c / total:7.1%}")
    print("threads: " + ", ".join(f"{t} {c}" for t, c in threads.most_common(6)))


if __name__ == "__main__":
    main()
