"""The captioned image sources of bindery-mini beyond openclipart and Fashion-MNIST (issue 16):
Tux Paint stamps, freedesktop icon themes, Noto Color Emoji named by Unicode CLDR, and synthetic
two-object compositions. Standard library only; prepare_data.py calls these and renders the images.

Every row has: id, source, split, image ({"kind": "png"|"svg"|"emoji", ...}), captions (ordered
{template: text}; training draws one per epoch), eval_caption (the query used for val/test and the
demo), title, keywords, license, package. Splits are by sha1 of the id: 0-7 train, 8 val, 9 test,
except icons, where one whole theme (HELD_OUT_THEME) is test and the rest split by icon *name*
(so the same concept drawn in two styles never straddles train and val).
"""

import hashlib
import os
import re
import xml.etree.ElementTree as ET

TUXPAINT_ROOT = "/usr/share/tuxpaint/stamps"
ICON_ROOT = "/usr/share/icons"
EMOJI_FONT = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"
CLDR_ANNOTATIONS = "/usr/share/unicode/cldr/common/annotations/en.xml"

# (package, theme directory under /usr/share/icons). One theme is held out whole for testing.
ICON_THEMES = (
    ("papirus-icon-theme", "Papirus"),
    ("breeze-icon-theme", "breeze"),
    ("adwaita-icon-theme", "Adwaita"),
    ("elementary-icon-theme", "elementary"),
    ("numix-icon-theme", "Numix"),
    ("moka-icon-theme", "Moka"),
    ("faba-icon-theme", "Faba"),
    ("paper-icon-theme", "Paper"),
    ("mate-icon-theme", "mate"),
    ("gnome-icon-theme", "gnome"),
    ("deepin-icon-theme", "bloom"),
    ("hicolor-icon-theme", "hicolor"),
)
HELD_OUT_THEME = "mate"  # PNG-only theme (Bindery decodes it directly), Tango-like style
ICON_CONTEXTS = {
    "apps": "application", "applications": "application", "devices": "device", "places": "place",
    "mimetypes": "file type", "mimes": "file type", "actions": "action", "status": "status",
    "emblems": "emblem", "categories": "category", "animations": "animation", "legacy": None,
    "emotes": "emoticon", "intl": "flag", "preferences": "settings",
}
ICON_CAP_PER_THEME = 1000   # at most this many distinct icon names per theme (deterministic pick)
ICON_CAP_SVG_THEME = 350    # ... and this many for themes drawn in SVG (each costs an rsvg-convert run)
ICON_APPS_SHARE = 0.25      # application icons (brand names, not concepts) are capped to this share


def bucket(key):
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) % 10


def split_of(key):
    b = bucket(key)
    return "train" if b <= 7 else ("val" if b == 8 else "test")


def words(s):
    s = re.sub(r"([a-z])([A-Z])", r"\1 \2", s)
    return " ".join(re.sub(r"[_\-.+]+", " ", s).split()).lower()


# ---------------------------------------------------------------- Tux Paint stamps
def tuxpaint_rows():
    """Every stamp image (.png, else .svg) with an English description in its .txt (first line)."""
    rows = []
    for dirpath, dirnames, filenames in os.walk(TUXPAINT_ROOT):
        dirnames.sort()
        names = set(filenames)
        for fn in sorted(filenames):
            stem, ext = os.path.splitext(fn)
            if ext not in (".png", ".svg") or (ext == ".svg" and stem + ".png" in names):
                continue
            if stem.endswith("_mirror") or stem.endswith("_flip"):
                continue
            txt = os.path.join(dirpath, stem + ".txt")
            desc = ""
            if os.path.exists(txt):
                with open(txt, encoding="utf-8", errors="replace") as f:
                    for line in f:
                        line = line.strip()
                        if line and "=" not in line.split(" ")[0]:
                            desc = " ".join(line.split())
                            break
            rel = os.path.relpath(os.path.join(dirpath, stem), TUXPAINT_ROOT)
            name = words(os.path.basename(stem))
            # "frog-1", "grave_d", "cat_2b": variant counters are not words
            toks = name.split()
            while len(toks) > 1 and re.fullmatch(r"\d+[a-z]?|[a-z]", toks[-1]):
                toks.pop()
            name = " ".join(toks)
            category = os.path.dirname(rel)
            title = name
            caps = {"title": name}
            if desc and desc.lower() != name:
                caps["description"] = desc
            cat_words = words(category.replace("/", " "))
            if cat_words:
                caps["category"] = f"{name}, {cat_words}"
            rows.append({
                "id": "tuxpaint/" + rel,
                "source": "tuxpaint",
                "package": "tuxpaint-stamps-default",
                "license": "GPL-2 (Debian tuxpaint-stamps-default)",
                "split": split_of("tuxpaint/" + rel),
                "image": {"kind": ext[1:], "path": os.path.join(dirpath, fn)},
                "captions": caps,
                "eval_caption": desc if desc else name,
                "title": title,
                "short": name,
                "keywords": list(dict.fromkeys(toks + cat_words.split())),
                "category": category,
                "description": desc,
            })
    return rows


# ---------------------------------------------------------------- icon themes
def _icon_size(parts):
    """Pixel size named by a theme path (48x48, 48, 48x48@2x, scalable -> 1000), or 0."""
    for p in parts:
        m = re.fullmatch(r"(\d+)(?:x\d+)?(@(\d)x)?", p)
        if m:
            return int(m.group(1)) * (int(m.group(3)) if m.group(3) else 1)
        if p == "scalable":
            return 1000
    return 0


def _icon_context(parts):
    for p in parts:
        if p in ICON_CONTEXTS:
            return p
    return None


def _icon_caption_words(name, context):
    w = words(name)
    if context in ("mimetypes", "mimes"):
        for prefix in ("application x ", "application vnd ", "application ", "text x ", "text ",
                       "image x ", "image ", "audio x ", "audio ", "video x ", "video ", "x "):
            if w.startswith(prefix) and len(w) > len(prefix):
                w = w[len(prefix):]
                break
        return f"{w} file"
    return w


def icon_theme_files(theme, png_only=False):
    """{icon name: (path, context)}: per name the best picture: a PNG of 64-128 px, else an SVG of
    a >= 32 px (or scalable) folder, else the largest other. Symbolic (monochrome) icons and panel
    (tray) icons are skipped."""
    root = os.path.join(ICON_ROOT, theme)
    best = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        parts = os.path.relpath(dirpath, root).split(os.sep)
        if any("symbolic" in p for p in parts):
            continue
        size = _icon_size(parts)
        ctx = _icon_context(parts)
        if size == 0 or ctx is None:
            continue
        for fn in sorted(filenames):
            stem, ext = os.path.splitext(fn)
            if ext not in (".png", ".svg") or stem.endswith("-symbolic"):
                continue
            if png_only and ext != ".png":
                continue
            if ext == ".png" and size < 32:
                continue
            path = os.path.join(dirpath, fn)
            if not os.path.exists(path):  # dangling symlink
                continue
            # a PNG drawn for 64-128 px first, then an SVG drawn for >= 32 px (largest first; the
            # 16-24 px SVGs of a theme are simplified pictograms), then the largest other picture
            if ext == ".png":
                pref = 0 if 64 <= size <= 128 else (2 if size >= 32 else 9)
                pref = (pref, -size if size < 64 else size)
            else:
                pref = (1 if size >= 32 else 8, -size)
            cur = best.get(stem)
            if cur is None or pref < cur[0]:
                best[stem] = (pref, path, ctx)
    return {k: (v[1], v[2]) for k, v in best.items()}


def icon_rows(themes):
    rows = []
    for package, theme in themes:
        # the held-out theme is read as PNG, the form Bindery's decoder (and a user) gives it
        files = icon_theme_files(theme, png_only=theme == HELD_OUT_THEME)
        # deterministic cap: non-application icons first, applications up to ICON_APPS_SHARE
        def key(n):
            return hashlib.sha1(f"{theme}/{n}".encode()).hexdigest()
        names = sorted(files, key=key)
        svg_share = sum(1 for v in files.values() if v[0].endswith(".svg")) / max(1, len(files))
        cap = ICON_CAP_SVG_THEME if svg_share > 0.5 else ICON_CAP_PER_THEME
        apps = [n for n in names if files[n][1] in ("apps", "applications")]
        other = [n for n in names if files[n][1] not in ("apps", "applications")]
        n_apps = min(len(apps), int(cap * ICON_APPS_SHARE))
        keep = other[:cap - n_apps] + apps[:n_apps]
        keep = keep[:cap]
        for name in sorted(keep):
            path, ctx = files[name]
            w = _icon_caption_words(name, ctx)
            ctx_word = ICON_CONTEXTS.get(ctx)
            caps = {"title": w}
            if ctx_word:
                caps["context"] = f"{w}, {ctx_word} icon"
            held = theme == HELD_OUT_THEME
            rows.append({
                "id": f"icons/{theme}/{ctx}/{name}",
                "source": "icons",
                "theme": theme,
                "package": package,
                "license": "see the package's debian/copyright (free icon theme)",
                "split": "test" if held else split_of("icon-name:" + name),
                "image": {"kind": os.path.splitext(path)[1][1:], "path": path},
                "captions": caps,
                "eval_caption": w,
                "title": w,
                "short": w,
                "keywords": [ctx_word] if ctx_word else [],
                "category": ctx,
            })
    return rows


# ---------------------------------------------------------------- emoji (Noto Color Emoji + CLDR)
def cldr_annotations(path=CLDR_ANNOTATIONS):
    """{emoji string: (tts name, [keywords])} from CLDR's English annotations."""
    root = ET.parse(path).getroot()
    names, kws = {}, {}
    for a in root.iter("annotation"):
        cp = a.get("cp")
        text = " ".join((a.text or "").split())
        if a.get("type") == "tts":
            names[cp] = text
        else:
            kws[cp] = [k.strip() for k in text.split("|") if k.strip()]
    return {cp: (names[cp], kws.get(cp, [])) for cp in names}


def emoji_rows(font_has):
    """font_has(emoji) -> bool filters to what Noto Color Emoji draws (a single glyph)."""
    rows = []
    for cp, (name, kws) in sorted(cldr_annotations().items()):
        # CLDR also names plain symbols ("{", "§") and the bare skin-tone swatches: not pictures
        if max(ord(c) for c in cp) < 0x2000 or any(0x1F3FB <= ord(c) <= 0x1F3FF for c in cp):
            continue
        if not font_has(cp):
            continue
        kws = [k for k in kws if k.lower() != name.lower()]
        code = "-".join(f"{ord(c):x}" for c in cp)
        caps = {"title": name}
        if kws:
            caps["title_keywords"] = f"{name}: {', '.join(kws)}"
        rows.append({
            "id": f"emoji/{code}",
            "source": "emoji",
            "package": "fonts-noto-color-emoji",
            "license": "OFL-1.1 (Noto Color Emoji); names: Unicode CLDR (Unicode-DFS-2016)",
            "split": split_of(f"emoji/{code}"),
            "image": {"kind": "emoji", "text": cp},
            "captions": caps,
            "eval_caption": caps.get("title_keywords", name),
            "title": name,
            "short": name,
            "keywords": kws,
            "category": "emoji",
        })
    return rows


# ---------------------------------------------------------------- synthetic compositions
def composition_rows(train_rows, n, seed=0):
    """n two-object scenes from training rows with short names: "a X and a Y" (side by side) or
    "a X on a Y" (X smaller, over Y). Only training rows are used, so val/test stay unseen."""
    import random
    pool = [r for r in train_rows if r.get("short") and 1 <= len(r["short"].split()) <= 3
            and r["source"] in ("emoji", "tuxpaint", "openclipart", "icons")
            and r.get("category") not in ("apps", "applications", "mimetypes", "mimes")]
    pool.sort(key=lambda r: r["id"])
    rng = random.Random(f"compositions:{seed}")
    rows = []
    for i in range(n):
        a, b = rng.sample(pool, 2)
        if a["short"] == b["short"]:
            continue
        layout = "on" if rng.random() < 0.25 else "and"
        bg = rng.choice(["white", "plain", "gradient", "noise"])
        text = f"a {a['short']} on a {b['short']}" if layout == "on" else f"a {a['short']} and a {b['short']}"
        rows.append({
            "id": f"compositions/{i:05d}",
            "source": "compositions",
            "package": "(derived from the training rows above)",
            "license": "derived",
            "split": "train",
            "image": {"kind": "composition", "parts": [a["id"], b["id"]], "layout": layout,
                      "background": bg, "seed": i},
            "captions": {"title": text},
            "eval_caption": text,
            "title": text,
            "short": "",
            "keywords": [],
            "category": "composition",
        })
    return rows
