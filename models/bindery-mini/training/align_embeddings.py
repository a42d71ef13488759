#!/usr/bin/python3
"""Caption embeddings in captions.jsonl order from an embedding of the length-sorted copy.

`bindery embed-text` pads each batch to its longest caption, so embedding the captions sorted by
length (captions-bylength.jsonl, written here with its permutation) is several times faster than
embedding captions.jsonl (sorted alphabetically) directly; the rows are then put back in
captions.jsonl order. Usage:
  align_embeddings.py --data D sort        # writes D/captions-bylength.jsonl (+ order)
  (bin/bindery embed-text --batch 64 --in D/captions-bylength.jsonl --out D/caption-embeddings-bylength.npy)
  align_embeddings.py --data D align       # writes D/caption-embeddings.npy (+ .json sidecar)
"""
import argparse
import json
import os
import shutil

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("step", choices=["sort", "align"])
    a = ap.parse_args()
    d = a.data
    if a.step == "sort":
        texts = [json.loads(line)["text"] for line in open(os.path.join(d, "captions.jsonl"), encoding="utf-8")]
        order = sorted(range(len(texts)), key=lambda i: (len(texts[i]), texts[i]))
        with open(os.path.join(d, "captions-bylength.jsonl"), "w", encoding="utf-8") as f:
            for i in order:
                f.write(json.dumps({"text": texts[i]}, ensure_ascii=False) + "\n")
        with open(os.path.join(d, "captions-bylength-order.json"), "w") as f:
            json.dump(order, f)
        return
    order = json.load(open(os.path.join(d, "captions-bylength-order.json")))
    emb = np.load(os.path.join(d, "caption-embeddings-bylength.npy"))
    if emb.shape[0] != len(order):
        raise SystemExit(f"{emb.shape[0]} embeddings for {len(order)} captions")
    out = np.empty_like(emb)
    out[np.asarray(order)] = emb  # row order[k] of captions.jsonl is row k of the sorted file
    np.save(os.path.join(d, "caption-embeddings.npy"), out)
    side = os.path.join(d, "caption-embeddings-bylength.npy.json")
    if os.path.exists(side):
        shutil.copy(side, os.path.join(d, "caption-embeddings.npy.json"))
    print(f"{out.shape} -> {os.path.join(d, 'caption-embeddings.npy')}")


if __name__ == "__main__":
    main()
