#!/usr/bin/env bash
# Ingest items/s and query QPS: a 2x2 SolrCloud (MiniSolrCloudCluster) against the embedded
# backend, same data, same machine, one run. Writes docs/benchmarks/solrcloud.md.
# Sizes: BINDERY_BENCH_ITEMS (20000), BINDERY_BENCH_DIM (128), BINDERY_BENCH_QUERIES (500).
# Extra Maven flags (e.g. -o): MVN_FLAGS.
set -euo pipefail

script=$(readlink -f "${BASH_SOURCE[0]}")
ROOT=$(cd "$(dirname "$script")/../.." && pwd)
JAVA_HOME=$("$ROOT/bin/find-java" --jdk)
export JAVA_HOME
cd "$ROOT"

# The embedded backend runs in a child JVM on the indexer's own class path (Lucene 10), which
# cannot share one with Solr's Lucene 9.
cp_file="$ROOT/indexer/target/bench-embedded.classpath"
mvn -q ${MVN_FLAGS:-} -pl indexer test-compile dependency:build-classpath \
  -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime
embedded_cp="$ROOT/indexer/target/classes:$ROOT/indexer/target/test-classes:$(cat "$cp_file")"

mvn -q ${MVN_FLAGS:-} -pl indexer,solrcloud test \
  -Dtest=SolrCloudBenchmarkTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbindery.solr.bench=true \
  -Dbindery.bench.embeddedClasspath="$embedded_cp" \
  -Dbindery.bench.items="${BINDERY_BENCH_ITEMS:-20000}" \
  -Dbindery.bench.dim="${BINDERY_BENCH_DIM:-128}" \
  -Dbindery.bench.queries="${BINDERY_BENCH_QUERIES:-500}" \
  -Dbindery.bench.out="$ROOT/docs/benchmarks/solrcloud.md"
grep -h '^RESULT' "$ROOT"/solrcloud/target/surefire-reports/*SolrCloudBenchmarkTest-output.txt
echo "wrote $ROOT/docs/benchmarks/solrcloud.md"
