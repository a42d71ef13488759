#!/usr/bin/python3
"""bindery-mini training data, round two (issue 16): every captioned image source of the issue,
prepared in one command with no hand steps.

  /usr/bin/python3 prepare_all.py --out /work/bindery-train-data/v2

1. Checks (and, as root, installs with apt-get via install-deps.sh) the Debian packages.
2. Builds the rows: openclipart and Fashion-MNIST manifests exactly as prepare_data.py (same
   splits), Tux Paint stamps, icon themes (one theme held out whole), Noto Color Emoji named by
   CLDR, synthetic two-object compositions of training rows (sources.py).
3. Renders every picture once to a compact uint8 cache: rgba-80.npy [N,4,80,80] (training source,
   shortest side resized to 80 with Pillow bicubic on premultiplied alpha, centre crop; training
   puts random backgrounds behind the alpha) and ev-64.npy [N,3,64,64] (Bindery's inference path:
   composite on white, Resize(64, bicubic), CenterCrop(64)). SVGs are rasterised by rsvg-convert at
   128 px on the longer side; emoji are drawn by Pillow from the CBDT font at its native 109 pt;
   the eval view of those is computed from that raster, which is what the demo and regression
   files store as PNG for Bindery.
4. Writes rows.jsonl (row i = cache row i), captions.jsonl (every caption string, sorted; embed it
   with `bin/bindery embed-text`), and data-manifest.json: per source the Debian package, version,
   license and per-file SHA-256 of every source file used, plus counts per split.

Deterministic: row order, splits, crops and compositions depend on nothing but the installed
packages. Run with Debian's /usr/bin/python3 (PIL, numpy).
"""
import argparse
import hashlib
import io
import json
import multiprocessing as mp
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402

import captions  # noqa: E402
import prepare_data  # noqa: E402
import sources  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
C = 80   # training source size (RandomResizedCrop to 64 from it)
S = 64   # Bindery's input size
SVG_PX = 128
MAX_PIXELS = 100_000_000  # Bindery's decoder limit
Image.MAX_IMAGE_PIXELS = None
N_COMPOSITIONS = 4000

PACKAGES = ["openclipart-png", "openclipart-svg", "dataset-fashion-mnist", "tuxpaint-stamps-default",
            "fonts-noto-color-emoji", "unicode-cldr-core", "librsvg2-bin"] + [p for p, _ in sources.ICON_THEMES]
LICENSES = {  # the main License: lines of /usr/share/doc/<package>/copyright
    'tuxpaint-stamps-default': 'GPL-2',
    'fonts-noto-color-emoji': 'OFL-1.1 (SIL-1.1)',
    'papirus-icon-theme': 'GPL-3',
    'breeze-icon-theme': 'LGPL-3+ / LGPL-2.1+',
    'adwaita-icon-theme': 'CC-BY-SA-4.0 / CC-BY-SA-3.0 (see debian/copyright)',
    'elementary-icon-theme': 'GPL-3.0-or-later / CC0-1.0',
    'numix-icon-theme': 'GPL-3+',
    'moka-icon-theme': 'CC-BY-SA-4.0 or GPL-3+',
    'faba-icon-theme': 'GPL-3 or CC-BY-SA-4.0',
    'paper-icon-theme': 'CC-BY-SA-4.0 / LGPL-3 (see debian/copyright)',
    'mate-icon-theme': 'LGPL-3+ or CC-BY-SA',
    'gnome-icon-theme': 'GPL-3+ / GPL-2+',
    'deepin-icon-theme': 'LGPL-3+',
    'hicolor-icon-theme': 'GPL-2+',
    'unicode-cldr-core': 'Unicode-DFS-2016',
    'dataset-fashion-mnist': 'Expat (MIT)',
    'openclipart-png': 'public domain (CC0)',
    'openclipart-svg': 'public domain (CC0)',
}


def ensure_packages():
    missing = [p for p in PACKAGES if subprocess.run(["dpkg", "-s", p], capture_output=True).returncode]
    if missing:
        print(f"installing {missing} with install-deps.sh", flush=True)
        subprocess.run(["bash", os.path.join(HERE, "install-deps.sh")], check=True)
    versions = {}
    for p in PACKAGES:
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", p], capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(f"package {p} is not installed after install-deps.sh")
        versions[p] = out.stdout
    return versions


# ---------------------------------------------------------------- rendering
def _fit(im, size):
    w, h = im.size
    if w <= h:
        nw, nh = size, max(1, int(size * h / w))
    else:
        nw, nh = max(1, int(size * w / h)), size
    im = im.resize((nw, nh), Image.BICUBIC)
    left, top = int(round((nw - size) / 2.0)), int(round((nh - size) / 2.0))
    return im.crop((left, top, left + size, top + size))


def _pad_square(im):
    """Transparent padding to a square, so a wide icon or stamp is not cropped at training time."""
    w, h = im.size
    if w == h:
        return im
    side = max(w, h)
    canvas = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    canvas.paste(im, ((side - w) // 2, (side - h) // 2))
    return canvas


_EMOJI_FONT = None


def raster(image):
    """The RGBA picture Bindery would be given for this row (PNG as is; SVG/emoji rasterised)."""
    global _EMOJI_FONT
    kind = image["kind"]
    if kind == "png":
        with Image.open(image["path"]) as im:
            if im.size[0] * im.size[1] > MAX_PIXELS:
                return None
            im.load()
            return im.convert("RGBA")
    if kind == "svg":
        r = subprocess.run(["rsvg-convert", "-w", str(SVG_PX), "-h", str(SVG_PX), "-a", image["path"]],
                           capture_output=True, timeout=60)
        if r.returncode or not r.stdout:
            return None
        with Image.open(io.BytesIO(r.stdout)) as im:
            im.load()
            return im.convert("RGBA")
    if kind == "emoji":
        if _EMOJI_FONT is None:
            _EMOJI_FONT = ImageFont.truetype(sources.EMOJI_FONT, 109)
        canvas = Image.new("RGBA", (400, 160), (0, 0, 0, 0))
        ImageDraw.Draw(canvas).text((10, 10), image["text"], font=_EMOJI_FONT, embedded_color=True)
        box = canvas.getbbox()
        if box is None:
            return None
        return canvas.crop(box)
    raise ValueError(f"unknown image kind {kind!r}")


def white(rgba):
    return prepare_data_composite(rgba)


def prepare_data_composite(rgba):
    a = np.asarray(rgba, dtype=np.int32)
    alpha = a[..., 3:4]
    rgb = (2 * (a[..., :3] * alpha + 255 * (255 - alpha)) + 255) // 510
    return Image.fromarray(rgb.astype(np.uint8), "RGB")


def render_row(image):
    """-> (rgba80 [4,80,80], ev64 [3,64,64]) or None when the picture cannot be read/drawn."""
    try:
        im = raster(image)
    except Exception as e:  # a broken file in a package is skipped and counted, never fatal
        print(f"skip {image}: {e}", flush=True)
        return None
    if im is None:
        return None
    ev = np.asarray(_fit(prepare_data_composite(im), S), np.uint8).transpose(2, 0, 1)
    tr = np.asarray(_fit(_pad_square(im), C), np.uint8).transpose(2, 0, 1)
    return tr, ev


def _render_star(args):
    return render_row(args)


def emoji_in_font(cp):
    """True when Noto Color Emoji draws the sequence as one glyph (not several, not a box)."""
    im = raster({"kind": "emoji", "text": cp})
    if im is None:
        return False
    w, h = im.size
    return w <= 1.4 * 136 and h >= 60


def compose(row, by_id, rgba):
    """A composition row's 80x80 RGBA (opaque): the two parts on a background."""
    spec = row["image"]
    rng = np.random.default_rng([7, spec["seed"]])
    bg_kind = spec["background"]
    if bg_kind == "white":
        bg = np.full((C, C, 3), 255, np.float32)
    elif bg_kind == "plain":
        bg = np.broadcast_to(rng.uniform(60, 255, 3), (C, C, 3)).astype(np.float32)
    elif bg_kind == "gradient":
        a, b = rng.uniform(40, 255, 3), rng.uniform(40, 255, 3)
        t = np.linspace(0, 1, C)[:, None, None]
        bg = np.broadcast_to(a * (1 - t) + b * t, (C, C, 3)).astype(np.float32)
    else:
        base = rng.uniform(90, 240, 3)
        bg = np.clip(base + rng.normal(0, 18, (C, C, 3)), 0, 255).astype(np.float32)
    canvas = Image.fromarray(bg.astype(np.uint8), "RGB").convert("RGBA")
    pa = Image.fromarray(rgba[by_id[spec["parts"][0]]].transpose(1, 2, 0), "RGBA")
    pb = Image.fromarray(rgba[by_id[spec["parts"][1]]].transpose(1, 2, 0), "RGBA")
    if spec["layout"] == "and":
        s = int(rng.integers(36, 44))
        y1, y2 = int(rng.integers(8, C - s - 8)), int(rng.integers(8, C - s - 8))
        first, second = (pa, pb) if rng.random() < 0.5 else (pb, pa)
        canvas.alpha_composite(first.resize((s, s), Image.BICUBIC), (int(rng.integers(0, 4)), y1))
        canvas.alpha_composite(second.resize((s, s), Image.BICUBIC), (C - s - int(rng.integers(0, 4)), y2))
    else:  # "a X on a Y": Y large at the bottom, X smaller on top of it
        big, small = int(rng.integers(52, 62)), int(rng.integers(28, 36))
        canvas.alpha_composite(pb.resize((big, big), Image.BICUBIC), ((C - big) // 2, C - big))
        canvas.alpha_composite(pa.resize((small, small), Image.BICUBIC),
                               ((C - small) // 2 + int(rng.integers(-6, 7)), max(0, C - big - small // 2)))
    return np.asarray(canvas, np.uint8).transpose(2, 0, 1)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def build_rows():
    """Rows of every source before rendering (compositions excluded), in cache order."""
    clip, _ = prepare_data.openclipart_rows()
    rows = []
    for r in clip:
        # round one's "category" template is left out: it doubles the captions to embed and
        # mostly repeats the title with a folder path
        caps = {k: v for k, v in captions.clipart_candidates(r).items() if k != "category"}
        t = captions.caption_title(r)
        rows.append({"id": r["id"], "source": "openclipart", "package": "openclipart-png",
                     "license": "public domain (CC0)", "split": r["split"],
                     "image": {"kind": "png", "path": r["png"]}, "svg": r["svg"], "captions": caps,
                     "eval_caption": captions.eval_caption(r), "title": t,
                     "short": t if not r["title_is_collection"] and len(t.split()) <= 3 else "",
                     "keywords": r["keywords"], "category": r["category"],
                     "description": r["description"]})
    rows += sources.tuxpaint_rows()
    rows += sources.icon_rows(sources.ICON_THEMES)
    rows += sources.emoji_rows(emoji_in_font)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="/work/bindery-train-data/v2")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    t0 = time.time()
    os.makedirs(args.out, exist_ok=True)
    versions = ensure_packages()

    rows = build_rows()
    comp = sources.composition_rows([r for r in rows if r["split"] == "train"], N_COMPOSITIONS)
    # captions first, so that `bin/bindery embed-text` can run while the pictures render
    texts = set()
    for r in rows + comp:
        texts.update(r["captions"].values())
        texts.add(r["eval_caption"])
    for c in prepare_data.FMNIST_CLASSES:
        texts.update(captions.fmnist_prompts(c))
    with open(os.path.join(args.out, "captions.jsonl.tmp"), "w", encoding="utf-8") as f:
        for t in sorted(texts):
            f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
    os.replace(os.path.join(args.out, "captions.jsonl.tmp"), os.path.join(args.out, "captions.jsonl"))
    print(f"{len(rows)} rows + {len(comp)} compositions, {len(texts)} captions written "
          f"({time.time() - t0:.0f}s); rendering", flush=True)

    res = []
    with mp.Pool(args.workers) as pool:
        for i, x in enumerate(pool.imap(_render_star, [r["image"] for r in rows], chunksize=32)):
            res.append(x)
            if (i + 1) % 1000 == 0:
                print(f"rendered {i + 1}/{len(rows)} ({time.time() - t0:.0f}s)", flush=True)
    keep = [i for i, x in enumerate(res) if x is not None]
    skipped = [rows[i]["id"] for i, x in enumerate(res) if x is None]
    rows = [rows[i] for i in keep]
    rgba = np.stack([res[i][0] for i in keep])
    ev = np.stack([res[i][1] for i in keep])
    del res
    print(f"rendered {len(rows)} ({len(skipped)} skipped) in {time.time() - t0:.0f}s", flush=True)

    by_id = {r["id"]: i for i, r in enumerate(rows)}
    comp = [r for r in comp if all(p in by_id for p in r["image"]["parts"])]
    comp_rgba = np.stack([compose(r, by_id, rgba) for r in comp])
    comp_ev = np.stack([np.asarray(_fit(Image.fromarray(a.transpose(1, 2, 0), "RGBA").convert("RGB"), S),
                                   np.uint8).transpose(2, 0, 1) for a in comp_rgba])
    rows += comp
    rgba = np.concatenate([rgba, comp_rgba])
    ev = np.concatenate([ev, comp_ev])
    np.save(os.path.join(args.out, "rgba-80.npy"), rgba)
    np.save(os.path.join(args.out, "ev-64.npy"), ev)

    # Fashion-MNIST manifests exactly as prepare_data.py writes them (train.py reads the idx files)
    fm = prepare_data.fmnist_rows()
    for split in prepare_data.SPLITS:
        prepare_data.write_jsonl(os.path.join(args.out, f"fashion-mnist-{split}.jsonl"),
                                 [r for r in fm if r["split"] == split])
    prepare_data.write_jsonl(os.path.join(args.out, "rows.jsonl"), rows)

    # data manifest: package, version, license, per-file SHA-256, counts per split
    manifest = {"sources": {}, "held_out_icon_theme": sources.HELD_OUT_THEME, "skipped": skipped,
                "cache": {"rgba-80.npy": list(rgba.shape), "ev-64.npy": list(ev.shape)}}
    files_by_pkg = {}
    for r in rows:
        if r["source"] == "compositions":
            continue
        paths = [r["image"]["path"]] if "path" in r["image"] else []
        if r["source"] == "openclipart":
            files_by_pkg.setdefault("openclipart-svg", set()).add(r["svg"])
        if r["source"] == "tuxpaint":
            txt = os.path.splitext(r["image"]["path"])[0] + ".txt"
            if os.path.exists(txt):
                paths.append(txt)
        files_by_pkg.setdefault(r["package"], set()).update(paths)
    files_by_pkg.setdefault("fonts-noto-color-emoji", set()).add(sources.EMOJI_FONT)
    files_by_pkg.setdefault("unicode-cldr-core", set()).add(sources.CLDR_ANNOTATIONS)
    files_by_pkg.setdefault("dataset-fashion-mnist", set()).update(
        os.path.join(prepare_data.FMNIST_DIR, f) for f in sorted(os.listdir(prepare_data.FMNIST_DIR))
        if f.endswith(".gz"))
    for pkg in sorted(files_by_pkg):
        manifest["sources"][pkg] = {"version": versions.get(pkg), "license": LICENSES.get(pkg),
                                    "files": {p: sha256(p) for p in sorted(files_by_pkg[pkg])}}
    counts = {}
    for r in rows:
        key = r["source"] if r["source"] != "icons" else f"icons/{r['theme']}"
        counts.setdefault(key, {"train": 0, "val": 0, "test": 0})[r["split"]] += 1
    for r in fm:
        counts.setdefault("fashion-mnist", {"train": 0, "val": 0, "test": 0})[r["split"]] += 1
    manifest["counts"] = counts
    manifest["captions"] = len(texts)
    with open(os.path.join(args.out, "data-manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
    summary = {"counts": counts, "captions": len(texts), "held_out_icon_theme": sources.HELD_OUT_THEME,
               "packages": {p: {"version": versions.get(p), "license": LICENSES.get(p),
                                "files": len(manifest["sources"].get(p, {}).get("files", {}))}
                            for p in sorted(versions)},
               "data_manifest_sha256": sha256(os.path.join(args.out, "data-manifest.json")),
               "rows_sha256": sha256(os.path.join(args.out, "rows.jsonl")),
               "skipped": len(skipped)}
    with open(os.path.join(HERE, "data-summary.json"), "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True)
        f.write("\n")
    print(json.dumps(summary["counts"], sort_keys=True))
    print(f"{len(rows)} rows, {len(texts)} captions -> {args.out} in {time.time() - t0:.0f}s", flush=True)


if __name__ == "__main__":
    main()
