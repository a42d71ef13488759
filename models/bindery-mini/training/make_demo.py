#!/usr/bin/python3
"""Builds Bindery's demo collection: every openclipart image of the TEST split (never used for
training or model selection), scaled so its longer side is at most 256 px, composited on white (as
Bindery's decoder does), with its evaluation caption and metadata, as a JSONL manifest in the shape
`bin/bindery index` reads:

  {"id": "animals/birds/x_01", "text": "<caption>", "image": "images/animals/birds/x_01.png",
   "metadata": {"title", "keywords", "category", "top_category", "description"?, "source", "license"}}

Usage (after prepare_data.py):
  /usr/bin/python3 make_demo.py --data ~/.cache/bindery/bindery-mini-data --out ../demo

Deterministic: same inputs, same bytes (PNG written by Pillow without timestamps); the folder's
checksums.sha256 lists every file.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import sys

from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import captions  # noqa: E402

MAX_SIDE = 256


def thumb(src, dst):
    Image.MAX_IMAGE_PIXELS = None  # a few openclipart PNGs exceed Pillow's bomb limit; they are trusted
    with Image.open(src) as im:
        im.load()
        if im.mode in ("P", "LA", "L", "RGBA", "PA", "1", "I", "I;16"):
            im = im.convert("RGBA")
        if im.mode == "RGBA":
            white = Image.new("RGBA", im.size, (255, 255, 255, 255))
            im = Image.alpha_composite(white, im)
        im = im.convert("RGB")
        w, h = im.size
        scale = min(1.0, MAX_SIDE / max(w, h))
        if scale < 1.0:
            im = im.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.LANCZOS)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        im.save(dst, "PNG", optimize=True)
        return im.size


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="prepare_data.py's output folder")
    ap.add_argument("--out", required=True, help="demo folder to (re)write")
    ap.add_argument("--split", default="test", choices=["test", "val"],
                    help="test (the committed demo) or val (for choosing benchmark settings; not committed)")
    args = ap.parse_args()
    rows = [json.loads(line) for line in open(os.path.join(args.data, f"openclipart-{args.split}.jsonl"))]
    out = os.path.abspath(args.out)
    if os.path.isdir(os.path.join(out, "images")):
        shutil.rmtree(os.path.join(out, "images"))
    lines = []
    for i, r in enumerate(rows):
        rid = r["id"].removeprefix("openclipart/")
        rel = f"images/{rid}.png"
        w, h = thumb(r["png"], os.path.join(out, rel))
        meta = {"title": captions.caption_title(r), "keywords": r["keywords"], "category": r["category"],
                "top_category": r["category"].split("/")[0], "width": w, "height": h,
                "source": "openclipart (Debian openclipart-png/-svg)", "license": "public domain"}
        # ~1 in 6 openclipart SVGs hold a Perl hash address ("HASH(0x85e63e0)") as description
        if r["description"] and not re.fullmatch(r"HASH\(0x[0-9a-f]+\)", r["description"]):
            meta["description"] = r["description"]
        lines.append({"id": rid, "text": captions.eval_caption(r), "image": rel, "metadata": meta})
        if (i + 1) % 100 == 0:
            print(f"{i + 1}/{len(rows)}", flush=True)
    with open(os.path.join(out, "manifest.jsonl"), "w") as f:
        for obj in lines:
            f.write(json.dumps(obj, ensure_ascii=False, sort_keys=True) + "\n")
    files = sorted(os.path.relpath(os.path.join(d, n), out) for d, _, ns in os.walk(out) for n in ns
                   if n != "checksums.sha256")
    with open(os.path.join(out, "checksums.sha256"), "w") as f:
        for rel in files:
            f.write(f"{hashlib.sha256(open(os.path.join(out, rel), 'rb').read()).hexdigest()}  {rel}\n")
    total = sum(os.path.getsize(os.path.join(out, p)) for p in files)
    print(f"{len(lines)} images, {total / 1e6:.1f} MB -> {out}")


if __name__ == "__main__":
    main()
