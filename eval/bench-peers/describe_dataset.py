#!/usr/bin/env python3
"""Writes dataset.json for a prepared ANN dataset folder: the description `bindery bench ann
--dataset DIR` puts into its report. Called by prepare-sentences.sh.

Usage: describe_dataset.py SENTENCES_JSON MODEL OUT_JSON
"""
import json
import os
import sys


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    sentences, model, out = argv[1:]
    with open(sentences, encoding="utf-8") as f:
        s = json.load(f)
    p = s["packages"]
    text = (
        f"MiniLM embeddings ({model}, Bindery's text tower) of {s['base']:,} + {s['queries']:,}"
        f" held-out English sentences, deduplicated, from the Debian packages wordnet-base"
        f" {p['wordnet-base']} (WordNet 3.0 glosses and example sentences) and dict-gcide"
        f" {p['dict-gcide']} (GCIDE 0.48 definitions and quotations), made by"
        f" eval/bench-peers/prepare-sentences.sh"
    )
    description = {
        "text": text,
        "model": model,
        "packages": p,
        "base_by_source": s["base_by_source"],
        "queries_by_source": s["queries_by_source"],
        "unique_sentences": s["unique"],
    }
    with open(out + ".tmp", "w", encoding="utf-8") as f:
        json.dump(description, f, indent=2)
        f.write("\n")
    os.replace(out + ".tmp", out)


if __name__ == "__main__":
    main(sys.argv)
