#!/usr/bin/python3
"""SMOKE ONLY: a stand-in for the MiniLM caption embeddings so the pipeline can run end to end
before the Java `embed-text` command exists. Each caption is the L2-normalised sum of fixed
random 384-d vectors of its lower-cased word tokens (vector of a word seeded by sha1 of the
word): a bag-of-words random projection, NOT MiniLM's space. A model trained on it is useless
for Bindery; train.py labels the run "smoke" when it sees the sidecar written here.
"""
import argparse
import hashlib
import json
import os
import re

import numpy as np

DIM = 384


def word_vector(word):
    seed = int(hashlib.sha1(word.encode("utf-8")).hexdigest()[:8], 16)
    return np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.expanduser("~/.cache/bindery/bindery-mini-data"))
    ap.add_argument("--out", default=None, help="default <data>/smoke-caption-embeddings.npy")
    args = ap.parse_args()
    out = args.out or os.path.join(args.data, "smoke-caption-embeddings.npy")
    cache = {}
    rows = []
    with open(os.path.join(args.data, "captions.jsonl"), encoding="utf-8") as f:
        for line in f:
            words = re.findall(r"\w+", json.loads(line)["text"].lower()) or ["<empty>"]
            v = np.zeros(DIM, np.float32)
            for w in words:
                if w not in cache:
                    cache[w] = word_vector(w)
                v += cache[w]
            rows.append(v / max(float(np.linalg.norm(v)), 1e-12))
    np.save(out, np.stack(rows))
    with open(out + ".json", "w") as f:
        json.dump({"kind": "smoke-bow-random-projection", "smoke": True, "rows": len(rows),
                   "dim": DIM}, f)
    print(f"SMOKE-ONLY text embeddings: {len(rows)} x {DIM} -> {out}")


if __name__ == "__main__":
    main()
