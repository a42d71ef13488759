#!/usr/bin/python3
"""Writes <data>/captions.jsonl: every distinct caption string train.py may need, one
{"text": ...} per line, sorted by text (so the file is deterministic). Row i of the text-embedding
matrix (--text-embeddings in train.py, [N, 384] float32 .npy, L2-normalised) must be the frozen
MiniLM text tower's embedding of line i, computed by Bindery's own Java text tower
(classpath:/models/minilm-l6-v2) so that training and serving share one space. The Java command
that does this is still to be written (planned: `bindery embed-text --in captions.jsonl
--out caption-embeddings.npy`); until then smoke_text_embeddings.py writes a smoke-only stand-in.

Covers: all caption candidates of every openclipart row (all splits: val/test only ever use the
evaluation caption, but listing all keeps the file independent of the split) and all
Fashion-MNIST prompts. Standard library only.
"""
import argparse
import hashlib
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import captions  # noqa: E402

FMNIST_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                  "Sneaker", "Bag", "Ankle boot"]


def main():
    ap = argparse.ArgumentParser(description="list caption strings for the text tower")
    ap.add_argument("--data", default=os.path.expanduser("~/.cache/bindery/bindery-mini-data"))
    args = ap.parse_args()
    texts = set()
    for split in ("train", "val", "test"):
        with open(os.path.join(args.data, f"openclipart-{split}.jsonl"), encoding="utf-8") as f:
            for line in f:
                texts.update(captions.clipart_candidates(json.loads(line)).values())
    for c in FMNIST_CLASSES:
        texts.update(captions.fmnist_prompts(c))
    out = os.path.join(args.data, "captions.jsonl")
    with open(out, "w", encoding="utf-8") as f:
        for t in sorted(texts):
            f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
    digest = hashlib.sha256(open(out, "rb").read()).hexdigest()
    print(f"{len(texts)} captions -> {out} (sha256 {digest})")


if __name__ == "__main__":
    main()
