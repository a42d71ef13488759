#!/usr/bin/python3
"""Builds Bindery's demo collection and the held-out evaluation sets from prepare_all.py's rows.

Demo (--out, committed): the TEST split (never used for training or model selection) of
openclipart, Tux Paint stamps and Noto emoji, each picture composited on white (as Bindery's
decoder does) and scaled so its longer side is at most MAX_SIDE px, as a JSONL manifest in the
shape `bin/bindery index` reads:

  {"id": "animals/x_01" | "tuxpaint/..." | "emoji/1f436", "text": "<evaluation caption>", "image": "images/...png",
   "metadata": {"title", "keywords", "category", "top_category", "source", "license",
                "package", "width", "height", "description"?}}

plus tests/<source>.jsonl (the same lines per source, image paths relative to tests/) for the
per-source regression files, and checksums.sha256 over every file.

Held-out sets (--eval-out, not committed; the regression files under eval/regressions/full/ read
them): icons-<theme>.jsonl, the whole held-out icon theme (its PNGs by absolute path, captions =
icon names as words).

Usage: /usr/bin/python3 make_demo.py --data /work/bindery-train-data/v2 --out ../demo \
           --eval-out /work/bindery-train-data/v2/eval
Deterministic: same inputs, same bytes.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import sys

from PIL import Image

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prepare_all  # noqa: E402
import sources  # noqa: E402

MAX_SIDE = {"openclipart": 256, "tuxpaint": 192, "emoji": 96}
SOURCE_NAMES = {"openclipart": "openclipart (Debian openclipart-png/-svg)",
                "tuxpaint": "Tux Paint stamps (Debian tuxpaint-stamps-default)",
                "emoji": "Noto Color Emoji (Debian fonts-noto-color-emoji), names from Unicode CLDR"}
Image.MAX_IMAGE_PIXELS = None


def thumb(row, dst, reuse):
    """Writes the picture composited on white (Pillow alpha_composite, as round one's demo) and
    scaled to MAX_SIDE; an identical file from --reuse (round one's demo) is copied instead."""
    if reuse and row["source"] == "openclipart":
        old = os.path.join(reuse, "images", row["id"].removeprefix("openclipart/") + ".png")
        if os.path.exists(old):
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(old, dst)
            with Image.open(dst) as im:
                return im.size
    im = prepare_all.raster(row["image"])
    rgb = Image.alpha_composite(Image.new("RGBA", im.size, (255, 255, 255, 255)), im).convert("RGB")
    w, h = rgb.size
    scale = min(1.0, MAX_SIDE[row["source"]] / max(w, h))
    if scale < 1.0:
        rgb = rgb.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.LANCZOS)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    rgb.save(dst, "PNG", optimize=True)
    return rgb.size


def write_jsonl(path, objs):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for obj in objs:
            f.write(json.dumps(obj, ensure_ascii=False, sort_keys=True) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="prepare_all.py's output folder")
    ap.add_argument("--out", required=True, help="demo folder to (re)write")
    ap.add_argument("--eval-out", required=True, help="folder for the held-out sets (not committed)")
    ap.add_argument("--reuse", default=None,
                    help="a copy of round one's demo folder: its openclipart thumbnails (same function, "
                         "same bytes) are copied instead of decoding the large originals again")
    args = ap.parse_args()
    rows_path = os.path.join(args.data, "rows.jsonl")
    if os.path.exists(rows_path):
        rows = [json.loads(line) for line in open(rows_path, encoding="utf-8")]
    else:  # same rows and splits as prepare_all.py, without its pixel cache
        rows = prepare_all.build_rows()
    out = os.path.abspath(args.out)
    for sub in ("images", "tests"):
        if os.path.isdir(os.path.join(out, sub)):
            shutil.rmtree(os.path.join(out, sub))
    lines = []
    per_source = {}
    for r in rows:
        if r["split"] != "test" or r["source"] not in MAX_SIDE:
            continue
        # openclipart keeps round one's ids and paths ("animals/birds/x_01", images/animals/...)
        rid = r["id"].removeprefix("openclipart/")
        rel = "images/" + re.sub(r"[^A-Za-z0-9_./-]", "_", rid) + ".png"
        w, h = thumb(r, os.path.join(out, rel), args.reuse)
        meta = {"title": r["title"], "keywords": r["keywords"], "category": r["category"],
                "top_category": r["category"].split("/")[0], "width": w, "height": h,
                "source": SOURCE_NAMES[r["source"]], "license": r["license"], "package": r["package"]}
        desc = r.get("description") or r["captions"].get("description", "")
        # ~1 in 6 openclipart SVGs hold a Perl hash address ("HASH(0x85e63e0)") as description
        if desc and not re.fullmatch(r"HASH\(0x[0-9a-f]+\)", desc):
            meta["description"] = desc
        line = {"id": rid, "text": r["eval_caption"], "image": rel, "metadata": meta}
        lines.append(line)
        per_source.setdefault(r["source"], []).append(dict(line, image="../" + rel))
    write_jsonl(os.path.join(out, "manifest.jsonl"), lines)
    for src, objs in per_source.items():
        write_jsonl(os.path.join(out, "tests", f"{src}.jsonl"), objs)
    files = sorted(os.path.relpath(os.path.join(d, n), out) for d, _, ns in os.walk(out) for n in ns
                   if n != "checksums.sha256")
    with open(os.path.join(out, "checksums.sha256"), "w") as f:
        for rel in files:
            f.write(f"{hashlib.sha256(open(os.path.join(out, rel), 'rb').read()).hexdigest()}  {rel}\n")
    total = sum(os.path.getsize(os.path.join(out, p)) for p in files)
    print(f"demo: {len(lines)} images {({k: len(v) for k, v in per_source.items()})}, "
          f"{total / 1e6:.1f} MB -> {out}")

    # held-out icon theme: PNGs by absolute path (Bindery decodes them directly)
    held = [r for r in rows if r["source"] == "icons" and r.get("theme") == sources.HELD_OUT_THEME]
    objs = []
    for r in held:
        if r["image"]["kind"] != "png":
            continue
        objs.append({"id": r["id"], "text": r["eval_caption"], "image": r["image"]["path"],
                     "metadata": {"title": r["title"], "keywords": r["keywords"], "license": r["license"]}})
    write_jsonl(os.path.join(args.eval_out, f"icons-{sources.HELD_OUT_THEME}.jsonl"), objs)
    print(f"held-out icon theme {sources.HELD_OUT_THEME}: {len(objs)} icons -> {args.eval_out}")


if __name__ == "__main__":
    main()
