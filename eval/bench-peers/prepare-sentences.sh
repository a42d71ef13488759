#!/usr/bin/env bash
# Builds the real-text ANN dataset of `bindery bench ann --peers`: MiniLM embeddings of English
# sentences from two Debian packages, WordNet 3.0 (wordnet-base) and GCIDE 0.48 (dict-gcide).
#
#   eval/bench-peers/prepare-sentences.sh [--model M] [--base N] [--queries N] [--batch N]
#
# Steps, each skipped when its output is already in the cache and checks out:
#   1. apt-get download the two packages at pinned versions and check their SHA-256;
#   2. dpkg-deb -x them (nothing is installed);
#   3. sentences.py: definitions, example sentences and quotations, deduplicated; the first
#      --queries (by SHA-256 of the text) are held out as queries, the next --base are the base set;
#   4. `bindery embed-text` (Bindery's own text tower, Java) writes base.npy and queries.npy;
#   5. dataset.json (the description the report prints) and SHA256SUMS over the jsonl, npy and
#      json files; a later run that finds them intact does nothing.
#
# Cache: ${BINDERY_ANN_DATA:-~/.cache/bindery/ann-data}. The last line printed is the dataset folder
# (holding base.npy and queries.npy) for `bindery bench ann --vectors .../base.npy --queries ...`.
#
# Environment: BINDERY (default: bin/bindery of this checkout) runs the embed step;
# PYTHON (default /usr/bin/python3) runs sentences.py (standard library only).
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(cd "$here/../.." && pwd)

WORDNET_VERSION=1:3.0-37
WORDNET_SHA256=61060d960f9ada8fa120872312eccd3ecebfbab8c4579e4f5a74e1cf67620752
GCIDE_VERSION=0.48.5+nmu2
GCIDE_SHA256=7b0af5cfde3cbdef5e9d6e78f92ec335ced7c2790f37a40f49bebc6f7347ac0f

model=classpath:/models/minilm-l6-v2-q
base=200000
queries=1000
batch=32
while (($#)); do
  case $1 in
    --model) model=$2; shift 2 ;;
    --base) base=$2; shift 2 ;;
    --queries) queries=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "prepare-sentences.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

cache=${BINDERY_ANN_DATA:-$HOME/.cache/bindery/ann-data}
python=${PYTHON:-/usr/bin/python3}
bindery=${BINDERY:-$root/bin/bindery}
data="$cache/wordnet-gcide-b${base}-q${queries}"
model_dir="$data/$(basename "${model#classpath:}")"
mkdir -p "$cache/debs" "$cache/src" "$model_dir"

log() { echo "prepare-sentences: $*" >&2; }

# 1-2. The packages, at the versions the published report used.
fetch() { # package version sha256
  local pkg=$1 version=$2 sha=$3 deb
  deb="$cache/debs/${pkg}_${version/:/%3a}_all.deb"
  if [[ ! -f $deb ]] || ! echo "$sha  $deb" | sha256sum -c --status; then
    log "downloading $pkg=$version"
    rm -f "$deb"
    if ! (cd "$cache/debs" && apt-get download "$pkg=$version" 2>/dev/null); then
      log "apt-get download failed; running apt-get update first"
      apt-get update -qq
      (cd "$cache/debs" && apt-get download "$pkg=$version")
    fi
    if ! echo "$sha  $deb" | sha256sum -c --status; then
      log "$deb does not have the pinned SHA-256 $sha"
      exit 1
    fi
  fi
  if [[ ! -f "$cache/src/$pkg/.extracted-$sha" ]]; then
    rm -rf "$cache/src/$pkg"
    mkdir -p "$cache/src/$pkg"
    dpkg-deb -x "$deb" "$cache/src/$pkg"
    touch "$cache/src/$pkg/.extracted-$sha"
  fi
}
fetch wordnet-base "$WORDNET_VERSION" "$WORDNET_SHA256"
fetch dict-gcide "$GCIDE_VERSION" "$GCIDE_SHA256"

sums="$model_dir/SHA256SUMS"
if [[ -f $sums ]] && (cd "$model_dir" && sha256sum -c --status SHA256SUMS); then
  log "cached and intact: $model_dir"
  echo "$model_dir"
  exit 0
fi

# 3. Sentences.
if [[ ! -f "$data/sentences.json" ]]; then
  log "extracting sentences"
  "$python" "$here/sentences.py" \
    --wordnet "$cache/src/wordnet-base/usr/share/wordnet" \
    --gcide "$cache/src/dict-gcide/usr/share/dictd/gcide.dict.dz" \
    --out "$data" --base "$base" --queries "$queries" >"$data/sentences.json.tmp"
  "$python" - "$data/sentences.json.tmp" "$WORDNET_VERSION" "$GCIDE_VERSION" <<'EOF'
import json, sys
path, wn, gc = sys.argv[1:]
counts = json.load(open(path))
counts["packages"] = {"wordnet-base": wn, "dict-gcide": gc}
json.dump(counts, open(path, "w"), indent=2)
EOF
  mv "$data/sentences.json.tmp" "$data/sentences.json"
fi

# 4. Embeddings, with Bindery's own text tower.
for part in queries base; do
  if [[ ! -f "$model_dir/$part.npy" || "$model_dir/$part.npy" -ot "$data/$part.jsonl" ]]; then
    log "embedding $part.jsonl with $model"
    nice -n 10 "$bindery" embed-text --model "$model" --batch "$batch" \
      --in "$data/$part.jsonl" --out "$model_dir/$part.npy"
  fi
done

# 5. What the report says about the data (dataset.json), and checksums for the next run.
"$python" "$here/describe_dataset.py" "$data/sentences.json" "$model" "$model_dir/dataset.json"
(cd "$data" && sha256sum base.jsonl queries.jsonl sentences.json) >"$data/SHA256SUMS"
(cd "$model_dir" && sha256sum base.npy queries.npy dataset.json ../base.jsonl ../queries.jsonl) \
  >"$sums.tmp"
mv "$sums.tmp" "$sums"
log "done: $model_dir"
echo "$model_dir"
