#!/usr/bin/python3
"""Builds the bindery-mini training manifests (re-runnable, deterministic, checksummed).

Inputs (Debian packages, see install-deps.sh):
  * openclipart-png  /usr/share/openclipart/png/<category...>/<name>.png
  * openclipart-svg  /usr/share/openclipart/svg/<category...>/<name>.svg
  * dataset-fashion-mnist  /usr/share/datasets/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz

PNG -> SVG mapping: every PNG path is first resolved with os.path.realpath (1,221 of the 8,121
PNG entries are relative symlinks into another category, leaving 6,900 distinct images); the
SVG is the same path relative to the png root with the root swapped and ".png" -> ".svg":
  /usr/share/openclipart/png/<rel>.png  ->  /usr/share/openclipart/svg/<rel>.svg
(all 6,900 exist in openclipart-svg 1:0.18+dfsg-19). The category is the directory of <rel>
(e.g. "science/medicine"); the categories of the symlinks that point at the image are kept in
"alias_categories".

Metadata: the first rdf:RDF/cc:Work of the SVG: dc:title, dc:description,
dc:subject/rdf:Bag/rdf:li (keywords). Text is HTML-unescaped (some files double-escape &quot;),
whitespace collapsed. Keywords are lower-cased (underscores -> spaces), deduplicated in order,
and "unsorted" (a placeholder), "hash" (a tagging artefact) and the creator's / rights holder's name (dc:creator|dc:rights/cc:Agent/dc:title)
are dropped. A description equal to the title (case-insensitive) is dropped. An empty title
falls back to "name": the file stem without its trailing "_NN" counter, camelCase split,
underscores and dashes -> spaces, lower-cased ("name" is always written). A dc:title shared by
>= 8 distinct images (over all splits) is a collection name ("gramastar": 1,375 stars, "Part of
the Flat Icon Collection (...)", "Lemon SVG theme", "card", ...): such rows get
"title_is_collection": true and captions use "name" instead (see captions.py).

Split rule (clipart): b = int(sha1(realpath_of_png.encode("utf-8")).hexdigest()[:8], 16) % 10;
b <= 7 -> train, b == 8 -> val, b == 9 -> test.
Split rule (Fashion-MNIST): Debian's t10k file -> test; in Debian's train file, index i goes to
val when int(sha1(f"fashion-mnist-train:{i}".encode()).hexdigest()[:8], 16) % 10 == 9, else train.

Outputs under --out: openclipart-{train,val,test}.jsonl, fashion-mnist-{train,val,test}.jsonl,
checksums.sha256 (sha256sum format, relative names), splits-summary.json (also copied to
--summary, the small file committed to git).

Standard library + PIL + numpy only; run with Debian's /usr/bin/python3.
"""

import argparse
import gzip
import hashlib
import html
import json
import os
import re
import struct
import sys
import xml.etree.ElementTree as ET

import numpy as np

PNG_ROOT = "/usr/share/openclipart/png"
SVG_ROOT = "/usr/share/openclipart/svg"
FMNIST_DIR = "/usr/share/datasets/fashion-mnist"
FMNIST_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                  "Sneaker", "Bag", "Ankle boot"]
NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "cc": "http://web.resource.org/cc/",
}
DROP_KEYWORDS = {"unsorted", "hash", ""}  # "hash": a tagging artefact on ~1,600 files
COLLECTION_MIN = 8  # a dc:title shared by this many distinct images names a collection
SPLITS = ("train", "val", "test")


def bucket(key):
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) % 10


def clipart_split(real_png):
    b = bucket(real_png)
    return "train" if b <= 7 else ("val" if b == 8 else "test")


def fmnist_train_split(index):
    return "val" if bucket(f"fashion-mnist-train:{index}") == 9 else "train"


def clean(text):
    if text is None:
        return ""
    return re.sub(r"\s+", " ", html.unescape(html.unescape(text))).strip()


def parse_svg(path):
    """Returns (title, description, keywords) from the SVG's first cc:Work."""
    root = ET.parse(path).getroot()
    work = root.find(".//rdf:RDF/cc:Work", NS)
    if work is None:
        return "", "", []
    title = clean(work.findtext("dc:title", None, NS))
    desc = clean(work.findtext("dc:description", None, NS))
    people = set()
    for role in ("dc:creator", "dc:rights", "dc:publisher"):
        for agent_title in work.findall(f"{role}/cc:Agent/dc:title", NS):
            people.add(clean(agent_title.text).lower())
    keywords = []
    for li in work.findall("dc:subject/rdf:Bag/rdf:li", NS):
        k = clean((li.text or "").replace("_", " ")).lower()
        if k in DROP_KEYWORDS or k in people or k in keywords:
            continue
        keywords.append(k)
    if desc.lower() == title.lower():
        desc = ""
    return title, desc, keywords


def file_name(rel):
    """The file stem as words: trailing "_NN" counter dropped, camelCase split, _ and - -> space."""
    stem = os.path.splitext(os.path.basename(rel))[0]
    stem = re.sub(r"_\d+$", "", stem)
    stem = re.sub(r"([a-z])([A-Z])", r"\1 \2", stem)
    return clean(re.sub(r"[_\-]+", " ", stem)).lower()


def openclipart_rows():
    images = {}  # real path -> set of categories under which it appears
    for dirpath, dirnames, filenames in os.walk(PNG_ROOT):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith(".png"):
                continue
            path = os.path.join(dirpath, name)
            real = os.path.realpath(path)
            cat = os.path.relpath(dirpath, PNG_ROOT)
            images.setdefault(real, set()).add(cat)
    rows = []
    missing_svg = 0
    png_root_real = os.path.realpath(PNG_ROOT)
    for real in sorted(images):
        rel = os.path.relpath(real, png_root_real)
        if rel.startswith(".."):
            raise SystemExit(f"PNG {real} resolves outside {PNG_ROOT}")
        svg = os.path.join(SVG_ROOT, rel[:-4] + ".svg")
        if not os.path.exists(svg):
            missing_svg += 1
            continue
        title, desc, keywords = parse_svg(svg)
        if not title:
            title = file_name(rel)
        category = os.path.dirname(rel)
        rows.append({
            "id": "openclipart/" + rel[:-4],
            "png": real,
            "svg": svg,
            "title": title,
            "name": file_name(rel),
            "keywords": keywords,
            "description": desc,
            "category": category,
            "alias_categories": sorted(images[real] - {category}),
            "split": clipart_split(real),
        })
    counts = {}
    for r in rows:
        counts[r["title"].lower()] = counts.get(r["title"].lower(), 0) + 1
    for r in rows:
        r["title_is_collection"] = counts[r["title"].lower()] >= COLLECTION_MIN
    return rows, missing_svg


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise SystemExit(f"{path}: not an unsigned-byte idx file (magic {data[:4].hex()})")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def fmnist_rows():
    rows = []
    for part, src in (("train", "train"), ("test", "t10k")):
        images = os.path.join(FMNIST_DIR, f"{src}-images-idx3-ubyte.gz")
        labels_path = os.path.join(FMNIST_DIR, f"{src}-labels-idx1-ubyte.gz")
        labels = read_idx(labels_path)
        n_images = read_idx(images).shape[0]
        if n_images != labels.shape[0]:
            raise SystemExit(f"{images}: {n_images} images but {labels.shape[0]} labels")
        for i, lab in enumerate(labels.tolist()):
            rows.append({
                "id": f"fashion-mnist/{src}/{i:05d}",
                "images": images,
                "labels": labels_path,
                "index": i,
                "label": lab,
                "class": FMNIST_CLASSES[lab],
                "split": "test" if part == "test" else fmnist_train_split(i),
            })
    return rows


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.expanduser("~/.cache/bindery/bindery-mini-data"))
    ap.add_argument("--summary", default=os.path.join(here, "splits-summary.json"),
                    help="where to copy splits-summary.json (committed); '' to skip")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    clip, missing_svg = openclipart_rows()
    fm = fmnist_rows()
    files = {}
    summary = {"openclipart": {}, "fashion-mnist": {}, "rules": {
        "openclipart": "b = int(sha1(realpath(png)).hexdigest()[:8], 16) % 10; 0-7 train, 8 val, 9 test",
        "fashion-mnist": "t10k -> test; train index i -> val iff int(sha1('fashion-mnist-train:%d' % i)"
                         ".hexdigest()[:8], 16) % 10 == 9, else train",
    }}
    for split in SPLITS:
        rows = [r for r in clip if r["split"] == split]
        name = f"openclipart-{split}.jsonl"
        write_jsonl(os.path.join(args.out, name), rows)
        files[name] = sha256(os.path.join(args.out, name))
        summary["openclipart"][split] = {
            "images": len(rows),
            "with_keywords": sum(1 for r in rows if r["keywords"]),
            "with_description": sum(1 for r in rows if r["description"]),
            "distinct_titles": len({r["title"].lower() for r in rows}),
            "title_is_collection": sum(1 for r in rows if r["title_is_collection"]),
        }
        rows = [r for r in fm if r["split"] == split]
        name = f"fashion-mnist-{split}.jsonl"
        write_jsonl(os.path.join(args.out, name), rows)
        files[name] = sha256(os.path.join(args.out, name))
        per_class = [0] * 10
        for r in rows:
            per_class[r["label"]] += 1
        summary["fashion-mnist"][split] = {"images": len(rows), "per_class": per_class}
    summary["openclipart"]["missing_svg"] = missing_svg
    summary["openclipart"]["png_entries_deduplicated_to"] = len(clip) + missing_svg
    summary["fashion-mnist"]["classes"] = FMNIST_CLASSES
    summary["checksums_sha256"] = files
    with open(os.path.join(args.out, "checksums.sha256"), "w") as f:
        for name in sorted(files):
            f.write(f"{files[name]}  {name}\n")
    text = json.dumps(summary, indent=2, sort_keys=True) + "\n"
    with open(os.path.join(args.out, "splits-summary.json"), "w") as f:
        f.write(text)
    if args.summary:
        with open(args.summary, "w") as f:
            f.write(text)
    sys.stdout.write(text)
    print(f"manifests written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
