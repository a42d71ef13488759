#!/usr/bin/python3
"""bindery-mini image tower, rounds two and three (issue 16): LiT-style contrastive training into the frozen
MiniLM text space on every source prepared by prepare_all.py (openclipart, Tux Paint stamps, icon
themes, Noto emoji with CLDR names, synthetic compositions) plus Fashion-MNIST.

The text tower is frozen and never run here: caption embeddings come precomputed from
--text-embeddings ([N, 384] float32 .npy, row i = Bindery's own MiniLM embedding of line i of
<data>/captions.jsonl, written by `bin/bindery embed-text`).

Image side. Evaluation views are Bindery's inference path (composite on white, Resize(64,
bicubic), CenterCrop(64), CLIP mean/std), cached by prepare_all.py as ev-64.npy. Training views
start from the 80x80 RGBA cache: RandomResizedCrop(64, scale 0.45..1, ratio 3/4..4/3, bilinear,
antialias), then the alpha is composited on a random background (white with p 0.5, else a random
plain colour, a two-colour gradient or a noisy texture), horizontal flip (p 0.5, never when the
caption says left/right), colour jitter (brightness, contrast, saturation x U(0.75, 1.25)) and
grayscale with p 0.1.

Model: a small ResNet (stem conv3x3 + 4 stages of [stride-2 conv, residual basic block], widths
w, 2w, 4w, 8w, BatchNorm + ReLU), global average pool, linear to 384, L2 normalise.

Loss: symmetric multi-positive InfoNCE with a learnable logit scale (images in a batch with the same
caption string are positives of each other), plus a Fashion-MNIST batch classified against the 10
class prompts, plus --gap-weight x mean(1 - cos(image, its caption)): that term pulls image vectors
onto the text vectors themselves, not only to the right rank, so the image-text cosines approach
the text-text ones and embedding arithmetic works with weights near 1 (the modality gap).

Selection: after each epoch, val Recall@10 both ways over a fixed sample of the val rows of all
sources (captions as groups) and Fashion-MNIST val zero-shot accuracy; val_score = their mean picks
best.pt. With --word-probe (round three) val_score also averages in the everyday-words protocol on
the val images: every word of short_captions.py's vocabulary that a val picture holds, typed as
"a <word>", a hit when a top-5 val picture has it in its title or keywords. Test rows (including the held-out icon theme) are never read. Exported as before
(centring calibrated on val, ONNX opset 14, input pixel_values [B,3,64,64], output image_embeds).
"""

import argparse
import gzip
import hashlib
import json
import math
import os
import re
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import captions  # noqa: E402

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
DIM = 384
FMNIST_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                  "Sneaker", "Bag", "Ankle boot"]
FMNIST_DIR = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def fmnist_pixels(images28, size):
    from PIL import Image
    out = np.empty((len(images28), size, size), np.uint8)
    for i, a in enumerate(images28):
        out[i] = np.asarray(Image.fromarray(a, "L").resize((size, size), Image.BICUBIC))
    return out


# ---------------------------------------------------------------- model
class Block(nn.Module):
    """Residual basic block: conv-BN-ReLU-conv-BN + identity, ReLU."""

    def __init__(self, c):
        super().__init__()
        self.c1 = nn.Conv2d(c, c, 3, 1, 1, bias=False)
        self.b1 = nn.BatchNorm2d(c)
        self.c2 = nn.Conv2d(c, c, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(c)

    def forward(self, x):
        y = F.relu(self.b1(self.c1(x)))
        return F.relu(x + self.b2(self.c2(y)))


class ImageTower(nn.Module):
    """Small ResNet: stem + 4 stages (stride-2 conv, residual block), average pool, linear."""

    def __init__(self, width=32, dim=DIM):
        super().__init__()
        chans = [width, 2 * width, 4 * width, 8 * width]
        layers = [nn.Conv2d(3, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True)]
        cin = width
        for c in chans:
            layers += [nn.Conv2d(cin, c, 3, 2, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True),
                       Block(c)]
            cin = c
        self.features = nn.Sequential(*layers)
        self.proj = nn.Linear(cin, dim)

    def forward(self, pixel_values):
        x = self.features(pixel_values).mean(dim=(2, 3))
        return F.normalize(self.proj(x), dim=-1)


class PlainTower(nn.Module):
    """Round one's architecture with its BatchNorms folded into the convolutions (as its ONNX
    export holds it): stem conv3x3 + 4 stages [conv3x3 stride 2, conv3x3], ReLU after each, global
    average pool, linear 8w -> 384, L2 normalise. Used to continue training from that export."""

    def __init__(self, width=32, dim=DIM):
        super().__init__()
        chans = [width, 2 * width, 4 * width, 8 * width]
        layers = [nn.Conv2d(3, width, 3, 1, 1), nn.ReLU(inplace=True)]
        cin = width
        for c in chans:
            layers += [nn.Conv2d(cin, c, 3, 2, 1), nn.ReLU(inplace=True),
                       nn.Conv2d(c, c, 3, 1, 1), nn.ReLU(inplace=True)]
            cin = c
        self.features = nn.Sequential(*layers)
        self.proj = nn.Linear(cin, dim)

    def forward(self, pixel_values):
        x = self.features(pixel_values).mean(dim=(2, 3))
        return F.normalize(self.proj(x), dim=-1)

    @staticmethod
    def from_onnx(path):
        """Reads the weights of a round-one image_tower.onnx (Conv nodes in order, then the Gemm);
        its trailing centring constant is not part of the tower and is dropped."""
        import onnx
        from onnx import numpy_helper
        m = onnx.load(path)
        init = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in m.graph.initializer}
        convs = [n for n in m.graph.node if n.op_type == "Conv"]
        gemm = [n for n in m.graph.node if n.op_type == "Gemm"]
        width = init[convs[0].input[1]].shape[0]
        tower = PlainTower(width)
        mods = [mod for mod in tower.features if isinstance(mod, nn.Conv2d)]
        if len(mods) != len(convs) or len(gemm) != 1:
            raise SystemExit(f"{path}: {len(convs)} Conv / {len(gemm)} Gemm nodes, expected {len(mods)} / 1")
        with torch.no_grad():
            for mod, node in zip(mods, convs):
                mod.weight.copy_(init[node.input[1]])
                mod.bias.copy_(init[node.input[2]])
            w = init[gemm[0].input[1]]
            tower.proj.weight.copy_(w if w.shape == tower.proj.weight.shape else w.T)
            tower.proj.bias.copy_(init[gemm[0].input[2]])
        return tower


class CenteredTower(nn.Module):
    """normalize(tower(x) - c): subtracts a constant (alpha x the mean training-image embedding)
    before re-normalizing, against hubness; alpha is chosen on validation (calibrate_centering)."""

    def __init__(self, tower, c):
        super().__init__()
        self.tower = tower
        self.register_buffer("c", c.detach().clone().view(1, -1))

    def forward(self, pixel_values):
        return F.normalize(self.tower(pixel_values) - self.c, dim=-1)


def backgrounds(b, size, gen):
    """[B,3,S,S] in [0,1]: white (p 0.5), plain colour, vertical/horizontal gradient, or noise."""
    kind = torch.randint(0, 8, (b,), generator=gen)
    col = torch.rand(b, 3, 1, 1, generator=gen)
    col2 = torch.rand(b, 3, 1, 1, generator=gen)
    t = torch.linspace(0, 1, size).view(1, 1, size, 1)
    vert = col * (1 - t) + col2 * t
    horiz = vert.transpose(2, 3)
    noise = (col * 0.6 + 0.3 + 0.08 * torch.randn(b, 3, size, size, generator=gen)).clamp(0, 1)
    bg = torch.ones(b, 3, size, size)
    plain = col.expand(-1, -1, size, size)
    for k, src in ((4, plain), (5, vert.expand(-1, -1, size, size)), (6, horiz.expand(-1, -1, size, size)),
                   (7, noise)):
        m = kind == k
        bg[m] = src[m]
    return bg


def augment(rgba_u8, size, gen, noflip):
    """rgba u8 [B,4,C,C] -> float [B,3,S,S] in [0,1] (see the module docstring)."""
    b, _, c, _ = rgba_u8.shape
    out = torch.empty(b, 4, size, size)
    area = c * c
    for i in range(b):
        for _ in range(10):
            s = float(torch.empty(1).uniform_(0.45, 1.0, generator=gen)) * area
            r = math.exp(float(torch.empty(1).uniform_(math.log(3 / 4), math.log(4 / 3), generator=gen)))
            w = int(round(math.sqrt(s * r)))
            h = int(round(math.sqrt(s / r)))
            if 0 < w <= c and 0 < h <= c:
                break
        else:
            w = h = c
        top = int(torch.randint(0, c - h + 1, (1,), generator=gen))
        left = int(torch.randint(0, c - w + 1, (1,), generator=gen))
        crop = rgba_u8[i:i + 1, :, top:top + h, left:left + w].float().div_(255.0)
        crop[:, :3] *= crop[:, 3:4]  # premultiplied for resampling
        out[i] = F.interpolate(crop, size=(size, size), mode="bilinear", align_corners=False,
                               antialias=True)[0]
    alpha = out[:, 3:4].clamp(0, 1)
    out = (out[:, :3] + (1 - alpha) * backgrounds(b, size, gen)).clamp_(0, 1)
    flip = (torch.rand(b, generator=gen) < 0.5) & ~noflip
    out[flip] = out[flip].flip(-1)
    bright = torch.empty(b, 1, 1, 1).uniform_(0.75, 1.25, generator=gen)
    contrast = torch.empty(b, 1, 1, 1).uniform_(0.75, 1.25, generator=gen)
    sat = torch.empty(b, 1, 1, 1).uniform_(0.75, 1.25, generator=gen)
    gray = (torch.rand(b, 1, 1, 1, generator=gen) < 0.1).float()
    out = out * bright
    lum = 0.299 * out[:, 0:1] + 0.587 * out[:, 1:2] + 0.114 * out[:, 2:3]
    m = lum.mean(dim=(2, 3), keepdim=True)
    out = (out - m) * contrast + m
    lum = 0.299 * out[:, 0:1] + 0.587 * out[:, 1:2] + 0.114 * out[:, 2:3]
    out = (out - lum) * (sat * (1 - gray)) + lum
    return out.clamp_(0.0, 1.0)


# ---------------------------------------------------------------- helpers
def log_line(fh, obj):
    line = json.dumps(obj, sort_keys=True)
    fh.write(line + "\n")
    fh.flush()
    print(line, flush=True)


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def normalize(u8, mean, std):
    x = u8.float().div_(255.0)
    return (x - mean) / std


def multi_positive_infonce(logits, same):
    """-log of the softmax mass on the positives (same: bool [B,B], diagonal true), both ways."""
    neg_inf = torch.finfo(logits.dtype).min
    pos = logits.masked_fill(~same, neg_inf)
    i2t = (torch.logsumexp(logits, 1) - torch.logsumexp(pos, 1)).mean()
    t2i = (torch.logsumexp(logits, 0) - torch.logsumexp(pos, 0)).mean()
    return (i2t + t2i) / 2


def recall_at(ranks, ks=(1, 5, 10)):
    return {f"R@{k}": float((ranks < k).mean()) for k in ks}


@torch.no_grad()
def embed(model, u8, mean, std, batch=256):
    model.eval()
    outs = [model(normalize(u8[i:i + batch], mean, std)) for i in range(0, len(u8), batch)]
    return torch.cat(outs) if outs else torch.empty(0, DIM)


@torch.no_grad()
def retrieval_metrics(img, cap_ids, text_table):
    """img [N,D]; cap_ids [N] indices into text_table (eval captions). Hits count by caption."""
    uniq, inv = np.unique(cap_ids, return_inverse=True)
    txt = text_table[torch.as_tensor(uniq)]
    sims = img @ txt.T  # [N, U]
    # image -> text: rank of the image's own caption among the distinct captions
    own = sims[torch.arange(len(img)), torch.as_tensor(inv)]
    i2t_rank = (sims > own[:, None]).sum(1).numpy()
    # text -> image: query = each image's caption; best rank of any image with that caption
    st = sims.T[torch.as_tensor(inv)]  # [N queries, N images]
    inv_t = torch.as_tensor(inv)
    same = inv_t[:, None] == inv_t[None, :]
    best_pos = st.masked_fill(~same, -2.0).max(1).values
    t2i_rank = (st.masked_fill(same, -2.0) > best_pos[:, None]).sum(1).numpy()
    out = {f"i2t_{k}": v for k, v in recall_at(i2t_rank).items()}
    out.update({f"t2i_{k}": v for k, v in recall_at(t2i_rank).items()})
    out["distinct_captions"] = int(len(uniq))
    return out


def fmnist_class_table(text_of, text_table):
    rows = []
    for c in FMNIST_CLASSES:
        v = text_table[torch.as_tensor([text_of[p] for p in captions.fmnist_prompts(c)])].mean(0)
        rows.append(F.normalize(v, dim=0))
    return torch.stack(rows)


CENTERING_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)


@torch.no_grad()
def calibrate_centering(tower, train_ev_u8, val_u8, val_cap, text_table, fm_val, mean, std, log):
    """Returns CenteredTower(tower, alpha * mu): mu = mean embedding of the training images (eval
    transform); alpha from CENTERING_GRID maximises the validation score (the same score that picked
    the epoch: mean of i2t R@10, t2i R@10 and Fashion-MNIST accuracy); ties go to the smaller alpha.
    The tower is run once per image; each alpha is applied to those embeddings (the same arithmetic
    CenteredTower does). The test split plays no part."""
    tower = tower.eval()
    mu = embed(tower, train_ev_u8, mean, std).mean(0)
    val_raw = embed(tower, val_u8, mean, std)
    fm_raw = embed(tower, fm_val[0], mean, std) if fm_val is not None else None
    rows = []
    for a in CENTERING_GRID:
        rec = retrieval_metrics(F.normalize(val_raw - a * mu, dim=-1), val_cap, text_table)
        parts = [rec["i2t_R@10"], rec["t2i_R@10"]]
        row = {"alpha": a, "val_i2t_R@10": rec["i2t_R@10"], "val_t2i_R@10": rec["t2i_R@10"]}
        if fm_val is not None:
            _, lab, classes = fm_val
            acc = float(((F.normalize(fm_raw - a * mu, dim=-1) @ classes.T).argmax(1) == lab).float().mean())
            row["val_fmnist_acc"] = acc
            parts.append(acc)
        row["val_score"] = float(np.mean(parts))
        rows.append(row)
    pick = max(rows, key=lambda r: (round(r["val_score"], 9), -r["alpha"]))
    log_line(log, {"event": "centering", "train_mean_norm": float(mu.norm()), "grid": rows,
                   "alpha": pick["alpha"], "val_score": pick["val_score"]})
    print(f"centering: alpha {pick['alpha']} (validation score {pick['val_score']:.4f})", flush=True)
    return CenteredTower(tower, pick["alpha"] * mu).eval()


def export_onnx(model, size, path):
    model.eval()
    dummy = torch.zeros(2, 3, size, size)
    torch.onnx.export(model, dummy, path, input_names=["pixel_values"], output_names=["image_embeds"],
                      dynamic_axes={"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}},
                      opset_version=14, do_constant_folding=True)
    import onnx
    m = onnx.load(path)
    out_dim = m.graph.output[0].type.tensor_type.shape.dim[1]
    out_dim.Clear()
    out_dim.dim_value = DIM  # the exporter leaves the L2-normalised output's width symbolic
    onnx.checker.check_model(m)
    onnx.save(m, path)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description="train the bindery-mini image tower (round two)")
    ap.add_argument("--data", default="/work/bindery-train-data/v2", help="prepare_all.py's --out")
    ap.add_argument("--text-embeddings", required=True, help="[N,384] float32 .npy aligned with captions.jsonl")
    ap.add_argument("--out", required=True)
    ap.add_argument("--width", type=int, default=32, help="CNN base width (stages w, 2w, 4w, 8w)")
    ap.add_argument("--init-onnx", default=None,
                    help="continue from a round-one image_tower.onnx (PlainTower) instead of a fresh ResNet")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--steps-per-epoch", type=int, default=0,
                    help="steps between validations (0: one pass over the training rows); each epoch "
                         "draws its batches from a fresh seeded permutation")
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--fmnist-batch", type=int, default=24, help="Fashion-MNIST images per step; 0: none")
    ap.add_argument("--gap-weight", type=float, default=0.5, help="weight of mean(1 - cos(image, caption))")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--weight-decay", type=float, default=0.05)
    ap.add_argument("--warmup-epochs", type=float, default=0.3)
    ap.add_argument("--val-per-source", type=int, default=600, help="val rows per source for selection")
    ap.add_argument("--fmnist-val", type=int, default=0, help="first N Fashion-MNIST val images (0: all)")
    ap.add_argument("--centering-images", type=int, default=4000, help="training images for the mean embedding")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-minutes", type=float, default=60.0,
                    help="safety stop after this much training time (stops after the current step)")
    ap.add_argument("--export-only", action="store_true", help="calibrate and export --out/best.pt only")
    ap.add_argument("--limit-train", type=int, default=0, help="first N train rows after shuffling (0: all)")
    ap.add_argument("--word-probe", action="store_true",
                    help="also score 'a <word>' queries against the val images (words from "
                         "<data>/word-vocab.json, written by short_captions.py; a hit when one of the top 5 "
                         "has the word in its title or keywords) and count that in val_score")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.use_deterministic_algorithms(True)
    os.makedirs(args.out, exist_ok=True)
    S = 64
    t_start = time.time()
    log = open(os.path.join(args.out, "log.jsonl"), "a" if args.export_only else "w")

    cap_path = os.path.join(args.data, "captions.jsonl")
    texts = [r["text"] for r in read_jsonl(cap_path)]
    table = np.load(args.text_embeddings).astype(np.float32)
    if table.shape != (len(texts), DIM):
        raise SystemExit(f"--text-embeddings {args.text_embeddings}: shape {table.shape}, expected "
                         f"({len(texts)}, {DIM}) to match {cap_path}")
    text_table = F.normalize(torch.from_numpy(table), dim=-1)
    text_of = {t: i for i, t in enumerate(texts)}

    rows = read_jsonl(os.path.join(args.data, "rows.jsonl"))
    rgba = np.load(os.path.join(args.data, "rgba-80.npy"), mmap_mode="r")
    ev = np.load(os.path.join(args.data, "ev-64.npy"), mmap_mode="r")
    if len(rgba) != len(rows) or len(ev) != len(rows):
        raise SystemExit(f"cache rows {len(rgba)}/{len(ev)} != rows.jsonl {len(rows)}")
    train_idx = np.array([i for i, r in enumerate(rows) if r["split"] == "train"])
    if args.limit_train:
        train_idx = np.sort(np.random.default_rng([args.seed, 99]).permutation(train_idx)[:args.limit_train])
    val_idx = []
    by_source = {}
    for i, r in enumerate(rows):
        if r["split"] == "val":
            by_source.setdefault(r["source"], []).append(i)
    for src in sorted(by_source):
        ids = sorted(by_source[src], key=lambda i: hashlib.sha1(rows[i]["id"].encode()).hexdigest())
        val_idx += sorted(ids[:args.val_per_source])
    val_idx = np.array(val_idx)
    train_rgba = torch.from_numpy(np.ascontiguousarray(rgba[train_idx]))
    val_u8 = torch.from_numpy(np.ascontiguousarray(ev[val_idx]))
    cands = [[text_of[t] for t in rows[i]["captions"].values()] for i in train_idx]
    n_cands = np.array([len(c) for c in cands])
    max_c = int(n_cands.max())
    cand_table = torch.as_tensor([c + [c[0]] * (max_c - len(c)) for c in cands])
    noflip_text = torch.as_tensor([bool(re.search(r"\b(left|right)\b", t.lower())) for t in texts])
    val_cap = np.array([text_of[rows[i]["eval_caption"]] for i in val_idx])
    val_src = np.array([rows[i]["source"] for i in val_idx])
    probe_q, probe_rel = None, None
    if args.word_probe:
        # the everyday-words probe's protocol on the val images: query "a <word>", a hit when a top-5
        # image has the word (or its plural) in its title or keywords; words no val image has are skipped
        vocab = json.load(open(os.path.join(args.data, "word-vocab.json")))["words"]
        meta = [(rows[i]["title"] + " " + " ".join(rows[i].get("keywords") or [])).lower() for i in val_idx]
        qs, rel = [], []
        for w in sorted(vocab):
            pat = re.compile(r"(^|[^\w])" + re.escape(w) + r"(e?s)?($|[^\w])")
            hit = [j for j, m in enumerate(meta) if pat.search(m)]
            q = captions.short_caption(w)
            if hit and q in text_of:
                qs.append(text_of[q])
                rel.append(torch.zeros(len(val_idx), dtype=torch.bool).index_fill_(0, torch.as_tensor(hit), True))
        probe_q, probe_rel = torch.as_tensor(qs), torch.stack(rel)

    # ---- Fashion-MNIST (pixels resized once to 64, cached next to the data)
    use_fm = args.fmnist_batch > 0
    fm_path = os.path.join(args.data, f"fmnist-train-{S}.npy")
    if os.path.exists(fm_path):
        fm_all = np.load(fm_path)
    else:
        fm_all = fmnist_pixels(read_idx(os.path.join(FMNIST_DIR, "train-images-idx3-ubyte.gz")), S)
        np.save(fm_path, fm_all)
    fm_all = torch.from_numpy(fm_all)
    fm_train_rows = read_jsonl(os.path.join(args.data, "fashion-mnist-train.jsonl"))
    fm_val_rows = read_jsonl(os.path.join(args.data, "fashion-mnist-val.jsonl"))
    if args.fmnist_val:
        fm_val_rows = fm_val_rows[:args.fmnist_val]
    fm_train_idx = torch.as_tensor([r["index"] for r in fm_train_rows])
    fm_train_lab = torch.as_tensor([r["label"] for r in fm_train_rows])
    fm_val_idx = torch.as_tensor([r["index"] for r in fm_val_rows])
    fm_val_lab = torch.as_tensor([r["label"] for r in fm_val_rows])
    fm_classes = fmnist_class_table(text_of, text_table)
    prompt_ids = torch.as_tensor([[text_of[p] for p in captions.fmnist_prompts(c)] for c in FMNIST_CLASSES])

    mean = torch.tensor(CLIP_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(CLIP_STD).view(1, 3, 1, 1)
    model = PlainTower.from_onnx(args.init_onnx) if args.init_onnx else ImageTower(args.width)
    logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (decay if p.ndim >= 2 else no_decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay + [logit_scale], "weight_decay": 0.0}], lr=args.lr)
    steps_per_epoch = args.steps_per_epoch or max(1, len(train_idx) // args.batch_size)
    if steps_per_epoch * args.batch_size > len(train_idx):
        raise SystemExit(f"--steps-per-epoch {steps_per_epoch} x batch {args.batch_size} exceeds the "
                         f"{len(train_idx)} training rows")
    total = steps_per_epoch * args.epochs
    warm = max(1, int(args.warmup_epochs * steps_per_epoch))

    def lr_at(step):
        if step < warm:
            return args.lr * (step + 1) / warm
        return 0.5 * args.lr * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))

    counts = {}
    for i in train_idx:
        counts[rows[i]["source"]] = counts.get(rows[i]["source"], 0) + 1
    log_line(log, {"event": "start", "text_embeddings_sha256": sha256_file(args.text_embeddings),
                   "captions_sha256": sha256_file(cap_path), "args": vars(args),
                   "rows_sha256": sha256_file(os.path.join(args.data, "rows.jsonl")),
                   "train_images": int(len(train_idx)), "train_by_source": counts,
                   "val_images": int(len(val_idx)),
                   "val_by_source": {s: int((val_src == s).sum()) for s in sorted(set(val_src))},
                   "fmnist_train": len(fm_train_rows), "fmnist_val": len(fm_val_rows),
                   "params": sum(p.numel() for p in model.parameters()), "image_size": S,
                   "torch": torch.__version__, "threads": torch.get_num_threads(),
                   "loadavg": os.getloadavg(), "setup_s": round(time.time() - t_start, 1)})

    def validate():
        """Validation metrics of the current model (val rows of every source, Fashion-MNIST val)."""
        val_emb = embed(model, val_u8, mean, std)
        rec = retrieval_metrics(val_emb, val_cap, text_table)
        entry = {f"val_{k}": v for k, v in rec.items()}
        for src in sorted(set(val_src)):
            m = val_src == src
            r2 = retrieval_metrics(val_emb[torch.as_tensor(m)], val_cap[m], text_table)
            entry[f"val_{src}_t2i_R@10"] = r2["t2i_R@10"]
            entry[f"val_{src}_i2t_R@10"] = r2["i2t_R@10"]
        own = (val_emb * text_table[torch.as_tensor(val_cap)]).sum(-1)
        entry["val_cos_own_caption"] = float(own.mean())
        fv = fm_all[fm_val_idx].unsqueeze(1).expand(-1, 3, -1, -1)
        pred = (embed(model, fv, mean, std) @ fm_classes.T).argmax(1)
        entry["val_fmnist_acc"] = float((pred == fm_val_lab).float().mean())
        parts = [entry["val_i2t_R@10"], entry["val_t2i_R@10"], entry["val_fmnist_acc"]]
        if probe_q is not None:
            top = (text_table[probe_q] @ val_emb.T).topk(5, dim=1).indices
            entry["val_words_success@5"] = float(probe_rel.gather(1, top).any(1).float().mean())
            entry["val_words"] = int(len(probe_q))
            parts.append(entry["val_words_success@5"])
        entry["val_score"] = float(np.mean(parts))
        return entry

    if args.init_onnx and not args.export_only:
        # the starting point, measured the same way, so that the run can be compared with it
        t_val = time.time()
        entry = {"event": "epoch", "epoch": 0, "steps": 0, "init_onnx_sha256": sha256_file(args.init_onnx)}
        entry.update(validate())
        entry["eval_s"] = round(time.time() - t_val, 1)
        log_line(log, entry)

    gen = torch.Generator().manual_seed(args.seed)
    best = -1.0
    step = 0
    t_train = time.time()
    stopped = "epochs"
    epoch = 0
    for epoch in range(0 if args.export_only else args.epochs):
        model.train()
        t_ep = time.time()
        order = np.random.default_rng([args.seed, epoch]).permutation(len(train_idx))
        pick = np.random.default_rng([args.seed, epoch, 2]).integers(0, 1 << 30, len(train_idx)) % n_cands
        cap_ids = cand_table[torch.arange(len(train_idx)), torch.as_tensor(pick)]
        noflip = noflip_text[cap_ids]
        fm_order = torch.as_tensor(np.random.default_rng([args.seed, epoch, 1]).permutation(len(fm_train_idx)))
        fm_text = text_table[prompt_ids[:, epoch % len(captions.FMNIST_TEMPLATES)]]
        sums = {"loss": 0.0, "clip": 0.0, "fm": 0.0, "gap": 0.0, "cos": 0.0}
        n = 0
        for b in range(steps_per_epoch):
            idx = torch.as_tensor(order[b * args.batch_size:(b + 1) * args.batch_size])
            for g in opt.param_groups:
                g["lr"] = lr_at(step)
            x = (augment(train_rgba[idx], S, gen, noflip[idx]) - mean) / std
            img = model(x)
            ids = cap_ids[idx]
            txt = text_table[ids]
            scale = logit_scale.exp()
            same = ids[:, None] == ids[None, :]
            clip_loss = multi_positive_infonce(scale * img @ txt.T, same)
            cos = (img * txt).sum(-1).mean()
            loss = clip_loss + args.gap_weight * (1 - cos)
            if use_fm:
                j = fm_order[(b * args.fmnist_batch + torch.arange(args.fmnist_batch)) % len(fm_order)]
                g8 = fm_all[fm_train_idx[j]].unsqueeze(1).expand(-1, 3, -1, -1)
                g8 = torch.cat([g8, torch.full_like(g8[:, :1], 255)], 1)  # opaque
                pad = 8  # 64 -> 80 with the black background, then the same crops
                g8 = F.pad(g8, (pad, pad, pad, pad))
                g8[:, 3] = 255
                fx = (augment(g8.contiguous(), S, gen, torch.zeros(len(j), dtype=torch.bool)) - mean) / std
                fm_loss = F.cross_entropy(scale * model(fx) @ fm_text.T, fm_train_lab[j])
                loss = loss + fm_loss
                sums["fm"] += float(fm_loss)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                logit_scale.clamp_(0, math.log(100))
            sums["loss"] += float(loss)
            sums["clip"] += float(clip_loss)
            sums["cos"] += float(cos)
            n += 1
            step += 1
            if step % 50 == 0:
                print(f"epoch {epoch + 1} step {step}/{total} loss {sums['loss'] / n:.3f} "
                      f"cos {sums['cos'] / n:.3f} {time.time() - t_train:.0f}s", flush=True)
            if (time.time() - t_train) / 60 > args.max_minutes:
                stopped = "max-minutes"
                break
        train_s = time.time() - t_ep
        t_val = time.time()
        entry = {"event": "epoch", "epoch": epoch + 1, "steps": step, "train_loss": sums["loss"] / max(n, 1),
                 "clip_loss": sums["clip"] / max(n, 1), "fm_loss": sums["fm"] / max(n, 1),
                 "train_cos": sums["cos"] / max(n, 1), "logit_scale": float(logit_scale.exp()),
                 "lr": lr_at(max(step - 1, 0)), "train_s": round(train_s, 1),
                 "images_per_s": round(n * (args.batch_size + args.fmnist_batch) / max(train_s, 1e-9), 1),
                 "loadavg": os.getloadavg()}
        entry.update(validate())
        entry["eval_s"] = round(time.time() - t_val, 1)
        entry["elapsed_min"] = round((time.time() - t_train) / 60, 2)
        if entry["val_score"] > best:
            best = entry["val_score"]
            entry["best"] = True
            torch.save({"model": model.state_dict(), "logit_scale": logit_scale.detach(), "epoch": epoch + 1,
                        "args": vars(args), "val": entry}, os.path.join(args.out, "best.pt"))
        log_line(log, entry)
        if stopped == "max-minutes":
            break

    ck = torch.load(os.path.join(args.out, "best.pt"))
    model.load_state_dict(ck["model"])
    if args.export_only:
        best = ck["val"]["val_score"]
        stopped = "export-only"
    mu_idx = np.sort(np.random.default_rng([args.seed, 3]).permutation(train_idx)[:args.centering_images])
    fm_val = (fm_all[fm_val_idx].unsqueeze(1).expand(-1, 3, -1, -1), fm_val_lab, fm_classes)
    model = calibrate_centering(model, torch.from_numpy(np.ascontiguousarray(ev[mu_idx])), val_u8, val_cap,
                                text_table, fm_val, mean, std, log)
    onnx_path = os.path.join(args.out, "image_tower.onnx")
    export_onnx(model, S, onnx_path)
    with torch.no_grad():
        probe = (val_u8[:4].float() / 255 - mean) / std
        ref = model.eval()(probe)
    pre = {"size": S, "crop": S, "resizeMode": "shortest", "resample": "bicubic",
           "mean": list(CLIP_MEAN), "std": list(CLIP_STD), "alpha": "composite on white",
           "input": "pixel_values", "output": "image_embeds", "dimension": DIM, "space": "minilm-l6-v2",
           "normalized": True, "opset": 14}
    with open(os.path.join(args.out, "preprocess.json"), "w") as f:
        json.dump(pre, f, indent=2)
        f.write("\n")
    log_line(log, {"event": "end", "stopped_by": stopped, "best_epoch": ck["epoch"], "best_val_score": best,
                   "onnx_bytes": os.path.getsize(onnx_path), "onnx_sha256": sha256_file(onnx_path),
                   "probe_embedding_norms": [round(float(v), 6) for v in ref.norm(dim=1)],
                   "total_min": round((time.time() - t_start) / 60, 2), "loadavg": os.getloadavg()})


if __name__ == "__main__":
    main()
