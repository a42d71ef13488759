#!/usr/bin/env bash
# CPU nanoseconds per 768-d float dot product (the HNSW kernel) with Lucene 10 (the indexer's) and
# with Lucene 9 (what Solr 9 runs, in the solrcloud module), on this JDK, taking turns in one run
# so the ratio holds on a shared machine. Cited by docs/benchmarks/solrcloud.md.
# Arguments: DIM (768) ROUNDS per JVM (7) TURNS (3). Extra Maven flags (e.g. -o): MVN_FLAGS.
set -euo pipefail

script=$(readlink -f "${BASH_SOURCE[0]}")
ROOT=$(cd "$(dirname "$script")/../.." && pwd)
JAVA_HOME=$("$ROOT/bin/find-java" --jdk)
export JAVA_HOME
cd "$ROOT"

dim=${1:-768}
rounds=${2:-7}
turns=${3:-3}
lucene10=$(sed -n 's:.*<lucene.version>\(.*\)</lucene.version>.*:\1:p' pom.xml)
lucene9=$(sed -n 's:.*<solr.lucene.version>\(.*\)</solr.lucene.version>.*:\1:p' solrcloud/pom.xml)
jars="$ROOT/indexer/target/vector-kernels"

mvn -q ${MVN_FLAGS:-} -pl indexer test-compile
for v in "$lucene10" "$lucene9"; do
  mvn -q ${MVN_FLAGS:-} -N dependency:copy -Dartifact="org.apache.lucene:lucene-core:$v" \
    -DoutputDirectory="$jars"
done

run() {
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector \
    -cp "$ROOT/indexer/target/test-classes:$jars/lucene-core-$1.jar" \
    dev.bindery.indexer.lucene.VectorKernelBenchMain "$dim" "$rounds" 2>/dev/null | grep '^RESULT'
}

declare -A ns
for ((t = 1; t <= turns; t++)); do
  for v in "$lucene10" "$lucene9"; do
    line=$(run "$v")
    echo "$line"
    ns[$v]+="$(sed -n 's/.*cpu_ns_per_dot=\([0-9.]*\).*/\1/p' <<<"$line") "
  done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
m10=$(median "${ns[$lucene10]}")
m9=$(median "${ns[$lucene9]}")
echo "median over $turns turns, $("$JAVA_HOME/bin/java" -version 2>&1 | head -1):"
echo "  Lucene $lucene10: $m10 CPU ns per $dim-d dot product"
echo "  Lucene $lucene9: $m9 CPU ns per $dim-d dot product ($(awk -v a="$m9" -v b="$m10" 'BEGIN {printf "%.1f", a / b}')x)"
