#!/usr/bin/python3
"""Short "a <word>" captions for round three (issue 16): people type one or two words ("a dog"),
while every training caption so far was a title, a keyword list or a sentence. This step gives each
training picture up to two captions of the form "a <word>" (or "an <word>"), the words taken from
the picture's own title and keywords, so that the contrastive loss sees the query form people use
and groups every picture of one concept (a Tux Paint photograph, an openclipart drawing, an emoji)
as positives of each other in a batch.

The vocabulary is read from the TRAIN split only: a word is eligible when it is alphabetic, at least
3 letters, not a metadata/style word (STOP below) and names between --min-count and --max-count
training pictures (rarer words are mostly names and misspellings; more frequent ones are the
collections' own category tags, e.g. openclipart's "computer" on 1,246 pictures). Plurals fold to a
singular that is itself in the vocabulary. Per picture: title words first (the last eligible title
word first: English puts the head noun last), then keywords by descending frequency; at most
--per-row words. Compositions ("a X and a Y") already are short captions and are left alone.

Writes a new data folder OUT that reuses D's image caches (symlinks) with:
  rows.jsonl       D's rows, train rows gaining captions "short1"/"short2"
  captions.jsonl   D's captions, then the new strings appended (old row numbers unchanged)
  new-captions.jsonl  the appended strings only, to embed with `bin/bindery embed-text`
  word-vocab.json  the vocabulary with counts (train.py's --word-probe reads it for validation)
After embedding, `short_captions.py --data D --out OUT merge NEW.npy` writes
OUT/caption-embeddings.npy = D's embeddings followed by NEW.npy's rows.
Standard library + numpy only; deterministic.
"""
import argparse
import collections
import json
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from captions import short_caption as article  # noqa: E402

STOP = {
    # metadata and style words of the sources, not things
    "icon", "icons", "theme", "themes", "action", "actions", "application", "applications", "app",
    "status", "device", "devices", "place", "places", "emblem", "emblems", "mimetype", "mimetypes",
    "category", "categories", "file", "type", "symbolic", "symbol", "symbols", "sign", "signs",
    "clip", "art", "clipart", "openclipart", "image", "images", "picture", "svg", "png", "remix",
    "public", "domain", "cartoon", "drawing", "illustration", "simple", "shape", "shapes", "outline",
    "outlined", "filled", "lowercase", "uppercase", "geometry", "magick", "stars", "lemon", "menu",
    "stamp", "stamps", "tux", "paint", "emoji", "face", "person", "people", "black", "white", "red",
    "green", "blue", "yellow", "orange", "purple", "pink", "brown", "gray", "grey", "colour", "color",
    "coloured", "colored", "light", "dark", "small", "big", "large", "new", "old", "the", "and", "with",
    "for", "from", "one", "two", "three", "left", "right", "top", "bottom", "view", "front", "side",
    "line", "lines", "style", "pattern", "seasonal", "english", "mapsym", "united", "nations", "member",
    # toolkit and packaging words of the icon themes, and adjectives/verbs of icon names
    "rtl", "ltr", "gtk", "xfce", "org", "com", "dev", "aiga", "stock", "mime", "symbolic", "generic",
    "weak", "strong", "less", "more", "cool", "open", "close", "down", "start", "stop", "here", "add",
    "remove", "state", "work", "full", "empty", "high", "low", "medium", "none", "normal", "bordered",
    "connecting", "charging", "ornamental", "festive", "international", "subnational", "distributor",
}
WORD = re.compile(r"^[a-z]{3,}$")


def tokens(s):
    return [t for t in re.split(r"[^a-z]+", s.lower()) if t]


def main():
    ap = argparse.ArgumentParser(description="short 'a <word>' captions for bindery-mini round three")
    ap.add_argument("--data", required=True, help="prepare_all.py's --out (round two's data)")
    ap.add_argument("--out", required=True, help="new data folder (image caches are symlinked)")
    ap.add_argument("--min-count", type=int, default=3)
    ap.add_argument("--max-count", type=int, default=300)
    ap.add_argument("--per-row", type=int, default=2)
    ap.add_argument("step", choices=["make", "merge"])
    ap.add_argument("new_embeddings", nargs="?", help="merge: the embedding of new-captions.jsonl")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    if a.step == "merge":
        import numpy as np
        old = np.load(os.path.join(a.data, "caption-embeddings.npy"))
        new = np.load(a.new_embeddings)
        n_new = sum(1 for _ in open(os.path.join(a.out, "new-captions.jsonl"), encoding="utf-8"))
        if new.shape != (n_new, old.shape[1]):
            raise SystemExit(f"{a.new_embeddings}: shape {new.shape}, expected ({n_new}, {old.shape[1]})")
        np.save(os.path.join(a.out, "caption-embeddings.npy"), np.concatenate([old, new]).astype(np.float32))
        print(f"{old.shape[0]} + {n_new} -> {os.path.join(a.out, 'caption-embeddings.npy')}")
        return

    rows = [json.loads(line) for line in open(os.path.join(a.data, "rows.jsonl"), encoding="utf-8")]
    counts = collections.Counter()
    for r in rows:
        if r["split"] != "train" or r["source"] == "compositions":
            continue
        words = set(tokens(r["title"]))
        for k in r.get("keywords") or []:
            words.update(tokens(k))
        counts.update(w for w in words if WORD.match(w) and w not in STOP)

    def fold(w):
        for suffix, repl in (("ies", "y"), ("es", ""), ("s", "")):
            if w.endswith(suffix) and len(w) > len(suffix) + 2 and (w[: -len(suffix)] + repl) in counts:
                return w[: -len(suffix)] + repl
        return w

    folded = collections.Counter()
    for w, c in counts.items():
        folded[fold(w)] += c
    vocab = {w: c for w, c in folded.items() if a.min_count <= c <= a.max_count and w not in STOP}

    def row_words(r):
        out = []
        for t in reversed(tokens(r["title"])):
            w = fold(t)
            if w in vocab and w not in out:
                out.append(w)
        kws = {fold(t) for k in (r.get("keywords") or []) for t in tokens(k)}
        for w in sorted((w for w in kws if w in vocab and w not in out), key=lambda w: (-vocab[w], w)):
            out.append(w)
        return out[: a.per_row]

    old_texts = [json.loads(line)["text"] for line in open(os.path.join(a.data, "captions.jsonl"), encoding="utf-8")]
    known = set(old_texts)
    new_texts = []
    for w in sorted(vocab):  # every vocabulary word, so validation can query it
        if article(w) not in known:
            known.add(article(w))
            new_texts.append(article(w))
    with_short = 0
    with open(os.path.join(a.out, "rows.jsonl"), "w", encoding="utf-8") as f:
        for r in rows:
            if r["split"] == "train" and r["source"] != "compositions":
                ws = row_words(r)
                for j, w in enumerate(ws):
                    r["captions"][f"short{j + 1}"] = article(w)
                with_short += bool(ws)
            f.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
    with open(os.path.join(a.out, "captions.jsonl"), "w", encoding="utf-8") as f:
        for t in old_texts + new_texts:
            f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
    with open(os.path.join(a.out, "new-captions.jsonl"), "w", encoding="utf-8") as f:
        for t in new_texts:
            f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
    with open(os.path.join(a.out, "word-vocab.json"), "w") as f:
        json.dump({"min_count": a.min_count, "max_count": a.max_count, "words": dict(sorted(vocab.items()))}, f,
                  indent=0)
    for name in ("rgba-80.npy", "ev-64.npy", "fmnist-train-64.npy", "fashion-mnist-train.jsonl",
                 "fashion-mnist-val.jsonl", "fashion-mnist-test.jsonl", "data-manifest.json"):
        dst = os.path.join(a.out, name)
        if not os.path.exists(dst):
            os.symlink(os.path.abspath(os.path.join(a.data, name)), dst)
    print(f"vocabulary {len(vocab)} words; {with_short} train pictures with short captions; "
          f"{len(new_texts)} new caption strings -> {a.out}/new-captions.jsonl")


if __name__ == "__main__":
    main()
