#!/usr/bin/python3
"""Writes the tiny dataset fixtures of eval's loader tests (stdlib only; run from this folder)."""
import base64, gzip, json, os, struct, zlib


def png(width, height, rgb):
    """A solid-colour RGB PNG, written by hand (signature, IHDR, IDAT, IEND)."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def write(path, data):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


# ImageFolder: two classes, three images
write("imagefolder/cat/a.png", png(4, 4, (200, 120, 40)))
write("imagefolder/cat/b.png", png(4, 4, (190, 110, 50)))
write("imagefolder/dog_house/c.png", png(4, 4, (40, 40, 200)))

# Karpathy split: COCO layout (filepath + filename), 2 test images and 1 train image
for name, rgb in [("COCO_val2014_1.png", (255, 0, 0)), ("COCO_val2014_2.png", (0, 255, 0)),
                  ("COCO_val2014_3.png", (0, 0, 255))]:
    write("karpathy/val2014/" + name, png(4, 4, rgb))
karpathy = {"dataset": "coco", "images": [
    {"filepath": "val2014", "filename": "COCO_val2014_1.png", "imgid": 0, "split": "test",
     "sentids": [0, 1], "sentences": [{"raw": "A red square.", "sentid": 0, "tokens": ["a", "red", "square"]},
                                       {"raw": "Something red ", "sentid": 1, "tokens": ["something", "red"]}]},
    {"filepath": "val2014", "filename": "COCO_val2014_2.png", "imgid": 1, "split": "test",
     "sentids": [2], "sentences": [{"raw": "A green square.", "sentid": 2, "tokens": ["a", "green", "square"]}]},
    {"filepath": "val2014", "filename": "COCO_val2014_3.png", "imgid": 2, "split": "train",
     "sentids": [3], "sentences": [{"raw": "A blue square.", "sentid": 3, "tokens": ["a", "blue", "square"]}]},
]}
write("karpathy/dataset_tiny.json", json.dumps(karpathy, indent=1).encode())

# JSONL pairs: text-text, text-image, and an id
write("pairs/red.png", png(2, 2, (255, 0, 0)))
write("pairs/pairs.jsonl", b"\n".join(json.dumps(o).encode() for o in [
    {"a": {"text": "a cat on a sofa"}, "b": {"text": "a kitten on a couch"}},
    {"id": "red", "a": {"text": "a red square"}, "b": {"image": "red.png"}},
    {}][:2]) + b"\n\n" + json.dumps({"a": {"text": "stocks fall"}, "b": {"text": "markets drop"}}).encode() + b"\n")

# MMBench TSV: a header, a question with a quoted tab, one sharing row 0's image by index
img = base64.b64encode(png(2, 2, (10, 20, 30))).decode()
rows = [["index", "question", "hint", "A", "B", "C", "D", "answer", "category", "image"],
        ["0", "\"What\tcolour is it?\"", "nan", "dark blue", "red", "green", "white", "A", "color", img],
        ["1", "How many options?", "Count them.", "one", "two", "nan", "nan", "B", "count", "0"]]
write("mmbench/tiny.tsv", ("\n".join("\t".join(r) for r in rows) + "\n").encode())


# IDX: 3 images of 2x3 pixels with labels 0, 9, 0 (gzip, as the Debian files); a raw copy too
def idx(dims, values):
    return struct.pack(">BBBB", 0, 0, 0x08, len(dims)) + b"".join(struct.pack(">I", d) for d in dims) + bytes(values)


images = idx([3, 2, 3], list(range(6)) + [255] * 6 + [0, 10, 20, 30, 40, 50])
labels = idx([3], [0, 9, 0])
write("fashion/t10k-images-idx3-ubyte.gz", gzip.compress(images, mtime=0))
write("fashion/t10k-labels-idx1-ubyte.gz", gzip.compress(labels, mtime=0))
write("fashion/raw-images.idx", images)
write("fashion/truncated.idx", images[:-1])
write("fashion/int-typed.idx", struct.pack(">BBBB", 0, 0, 0x0C, 1) + struct.pack(">I", 1) + b"\0\0\0\1")
