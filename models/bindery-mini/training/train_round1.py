#!/usr/bin/python3
"""bindery-mini image tower: LiT-style contrastive training into the frozen MiniLM text space.

The text tower is frozen and never run here: caption embeddings come precomputed from
--text-embeddings ([N, 384] float32 .npy, row i = embedding of line i of --captions, written by
list_captions.py). For the real model they must be Bindery's own MiniLM embeddings (Java text
tower; command still to be written); smoke_text_embeddings.py writes a smoke-only stand-in, and a
run on it is labelled "smoke" in its log (read from the .npy's ".json" sidecar).

Image side (what Bindery's Java path does at inference, reproduced exactly for evaluation):
decode, composite alpha on white (round half up), Resize(shortest edge = S, PIL bicubic),
CenterCrop(S), /255, Normalize(CLIP mean, std). Training views: the same pipeline at
C = round(1.25 * S), then RandomResizedCrop(S, scale 0.5..1, ratio 3/4..4/3, bilinear,
antialias), horizontal flip (p = 0.5, skipped when the caption says "left" or "right"), colour
jitter (brightness, contrast, saturation each x U(0.9, 1.1)).

Loss: symmetric InfoNCE over an openclipart batch with learnable logit scale (init 1/0.07, clamped
at 100); images whose captions are the same string count as positives of each other. Plus (unless
--fmnist-batch 0) a Fashion-MNIST batch per step: cross-entropy of the image against the 10 class
prompts (template drawn per epoch), same logit scale.

Selection: after each epoch, val Recall@1/5/10 (image->text over the val split's distinct
evaluation captions; text->image with each val image's evaluation caption as query, a hit being
any image with the same caption) and Fashion-MNIST val zero-shot accuracy (prompt ensemble);
best checkpoint by val_score = mean(i2t R@10, t2i R@10[, fmnist accuracy]).
Outputs in --out: log.jsonl, best.pt, last.pt, image_tower.onnx (input pixel_values [B,3,S,S],
output image_embeds [B,384] L2-normalised, opset 14, dynamic batch), preprocess.json.
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
from PIL import Image

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import captions  # noqa: E402

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
DIM = 384
FMNIST_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                  "Sneaker", "Bag", "Ankle boot"]


# ---------------------------------------------------------------- image pipeline (Bindery's)
def composite_on_white(im):
    """RGBA -> RGB over white exactly as Bindery's ImageDecoder: round((c*a + 255*(255-a))/255)."""
    if im.mode == "RGB" and "transparency" not in im.info:
        return im
    if im.mode != "RGBA":
        im = im.convert("RGBA")  # palette / grey / RGB with tRNS: transparency becomes alpha
    a = np.asarray(im, dtype=np.int32)
    alpha = a[..., 3:4]
    num = a[..., :3] * alpha + 255 * (255 - alpha)
    rgb = (2 * num + 255) // 510  # half up; never exactly .5
    return Image.fromarray(rgb.astype(np.uint8), "RGB")


def resize_center_crop(im, size):
    """torchvision Resize(size) (shortest edge, PIL bicubic) + CenterCrop(size)."""
    w, h = im.size
    if w <= h:
        nw, nh = size, int(size * h / w)
    else:
        nw, nh = int(size * w / h), size
    im = im.resize((nw, nh), Image.BICUBIC)
    left = int(round((nw - size) / 2.0))
    top = int(round((nh - size) / 2.0))
    return im.crop((left, top, left + size, top + size))


# Bindery's ImageDecoder refuses images above 100 megapixels (a decompression-bomb guard), so an
# image Bindery cannot index is not trained or evaluated on either. Debian's openclipart has a
# few such giants (up to 231 MP); PIL's own bomb check is replaced by this explicit rule.
BINDERY_MAX_PIXELS = 100_000_000
Image.MAX_IMAGE_PIXELS = None


def decodable_by_bindery(row):
    with Image.open(row["png"]) as im:
        w, h = im.size
    return w * h <= BINDERY_MAX_PIXELS


def load_clipart(args_tuple):
    path, s, c = args_tuple
    with Image.open(path) as im:
        im.load()
        rgb = composite_on_white(im)
    ev = np.asarray(resize_center_crop(rgb, s), dtype=np.uint8).transpose(2, 0, 1)
    tr = np.asarray(resize_center_crop(rgb, c), dtype=np.uint8).transpose(2, 0, 1)
    return ev, tr


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def fmnist_pixels(images28, size):
    out = np.empty((len(images28), size, size), np.uint8)
    for i, a in enumerate(images28):
        out[i] = np.asarray(Image.fromarray(a, "L").resize((size, size), Image.BICUBIC))
    return out


# ---------------------------------------------------------------- model
class ImageTower(nn.Module):
    """Compact CNN: stem + 4 stages (stride-2 conv, conv), BN/ReLU, global average pool, linear."""

    def __init__(self, width=32, dim=DIM):
        super().__init__()
        chans = [width, 2 * width, 4 * width, 8 * width]
        layers = [nn.Conv2d(3, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True)]
        cin = width
        for c in chans:
            layers += [nn.Conv2d(cin, c, 3, 2, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True),
                       nn.Conv2d(c, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True)]
            cin = c
        self.features = nn.Sequential(*layers)
        self.proj = nn.Linear(cin, dim)

    def forward(self, pixel_values):
        x = self.features(pixel_values).mean(dim=(2, 3))
        return F.normalize(self.proj(x), dim=-1)


class CenteredTower(nn.Module):
    """normalize(tower(x) - c): subtracts a constant (alpha x the mean training-image embedding)
    before re-normalizing. It counters the hubness of a small tower (a few captions nearest to
    every image); alpha is chosen on the validation split after training (see calibrate_centering)."""

    def __init__(self, tower, c):
        super().__init__()
        self.tower = tower
        self.register_buffer("c", c.detach().clone().view(1, -1))

    def forward(self, pixel_values):
        return F.normalize(self.tower(pixel_values) - self.c, dim=-1)


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


def augment(u8, size, gen, noflip):
    """u8 [B,3,C,C] -> float [B,3,S,S] in [0,1]: RandomResizedCrop, flip, colour jitter."""
    b, _, c, _ = u8.shape
    out = torch.empty(b, 3, size, size)
    area = c * c
    for i in range(b):
        for _ in range(10):
            s = float(torch.empty(1).uniform_(0.5, 1.0, generator=gen)) * area
            logr = torch.empty(1).uniform_(math.log(3 / 4), math.log(4 / 3), generator=gen)
            r = math.exp(float(logr))
            w = int(round(math.sqrt(s * r)))
            h = int(round(math.sqrt(s / r)))
            if 0 < w <= c and 0 < h <= c:
                break
        else:
            w = h = c
        top = int(torch.randint(0, c - h + 1, (1,), generator=gen))
        left = int(torch.randint(0, c - w + 1, (1,), generator=gen))
        crop = u8[i:i + 1, :, top:top + h, left:left + w].float().div_(255.0)
        out[i] = F.interpolate(crop, size=(size, size), mode="bilinear", align_corners=False,
                               antialias=True)[0]
    flip = (torch.rand(b, generator=gen) < 0.5) & ~noflip
    out[flip] = out[flip].flip(-1)
    bright = torch.empty(b, 1, 1, 1).uniform_(0.9, 1.1, generator=gen)
    contrast = torch.empty(b, 1, 1, 1).uniform_(0.9, 1.1, generator=gen)
    sat = torch.empty(b, 1, 1, 1).uniform_(0.9, 1.1, generator=gen)
    out = out * bright
    grey = (0.299 * out[:, 0:1] + 0.587 * out[:, 1:2] + 0.114 * out[:, 2:3])
    out = (out - grey.mean(dim=(2, 3), keepdim=True)) * contrast + grey.mean(dim=(2, 3), keepdim=True)
    grey = (0.299 * out[:, 0:1] + 0.587 * out[:, 1:2] + 0.114 * out[:, 2:3])
    out = (out - grey) * sat + grey
    return out.clamp_(0.0, 1.0)


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
    The test split plays no part."""
    tower = tower.eval()
    mu = embed(tower, train_ev_u8, mean, std).mean(0)
    rows = []
    for a in CENTERING_GRID:
        wrapped = CenteredTower(tower, a * mu)
        rec = retrieval_metrics(embed(wrapped, val_u8, mean, std), val_cap, text_table)
        parts = [rec["i2t_R@10"], rec["t2i_R@10"]]
        row = {"alpha": a, "val_i2t_R@10": rec["i2t_R@10"], "val_t2i_R@10": rec["t2i_R@10"]}
        if fm_val is not None:
            px, lab, classes = fm_val
            acc = float(((embed(wrapped, px, mean, std) @ classes.T).argmax(1) == lab).float().mean())
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
    ap = argparse.ArgumentParser(description="train the bindery-mini image tower")
    ap.add_argument("--data", default=os.path.expanduser("~/.cache/bindery/bindery-mini-data"))
    ap.add_argument("--captions", default=None, help="default <data>/captions.jsonl")
    ap.add_argument("--text-embeddings", required=True, help="[N,384] float32 .npy aligned with --captions")
    ap.add_argument("--out", required=True)
    ap.add_argument("--cache-dir", default=None, help="decoded-pixel cache, default <data>/cache")
    ap.add_argument("--image-size", type=int, default=64)
    ap.add_argument("--width", type=int, default=32, help="CNN base width (stages w, 2w, 4w, 8w)")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--fmnist-batch", type=int, default=32, help="Fashion-MNIST images per step; 0: none")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--weight-decay", type=float, default=0.05)
    ap.add_argument("--warmup-epochs", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-minutes", type=float, default=40.0, help="stop cleanly after this much training time")
    ap.add_argument("--export-only", action="store_true",
                    help="skip training: calibrate and export --out/best.pt of an earlier run")
    ap.add_argument("--limit-train", type=int, default=0, help="first N train images (0: all)")
    ap.add_argument("--limit-val", type=int, default=0, help="first N val images (0: all)")
    ap.add_argument("--limit-fmnist", type=int, default=0, help="first N Fashion-MNIST train/val images (0: all)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.use_deterministic_algorithms(True)
    os.makedirs(args.out, exist_ok=True)
    cap_path = args.captions or os.path.join(args.data, "captions.jsonl")
    cache_dir = args.cache_dir or os.path.join(args.data, "cache")
    os.makedirs(cache_dir, exist_ok=True)
    S = args.image_size
    C = int(round(1.25 * S))
    t_start = time.time()
    log = open(os.path.join(args.out, "log.jsonl"), "a" if args.export_only else "w")

    sidecar = args.text_embeddings + ".json"
    emb_meta = json.load(open(sidecar)) if os.path.exists(sidecar) else {"kind": "unlabelled"}
    smoke = bool(emb_meta.get("smoke"))
    texts = [r["text"] for r in read_jsonl(cap_path)]
    table = np.load(args.text_embeddings).astype(np.float32)
    if table.shape != (len(texts), DIM):
        raise SystemExit(f"--text-embeddings {args.text_embeddings}: shape {table.shape}, expected "
                         f"({len(texts)}, {DIM}) to match {cap_path}")
    text_table = F.normalize(torch.from_numpy(table), dim=-1)
    text_of = {t: i for i, t in enumerate(texts)}

    # ---- openclipart
    train_rows = read_jsonl(os.path.join(args.data, "openclipart-train.jsonl"))
    val_rows = read_jsonl(os.path.join(args.data, "openclipart-val.jsonl"))
    if args.limit_train:
        train_rows = train_rows[:args.limit_train]
    if args.limit_val:
        val_rows = val_rows[:args.limit_val]
    n_train, n_val = len(train_rows), len(val_rows)
    train_rows = [r for r in train_rows if decodable_by_bindery(r)]
    val_rows = [r for r in val_rows if decodable_by_bindery(r)]
    print(f"skipped {n_train - len(train_rows)} train and {n_val - len(val_rows)} val images above "
          f"{BINDERY_MAX_PIXELS:,} pixels (Bindery's decoder limit)", flush=True)

    def pixels(rows, tag):
        key = hashlib.sha1(("\n".join(r["png"] for r in rows) + f"|{S}|{C}").encode()).hexdigest()[:16]
        path = os.path.join(cache_dir, f"{tag}-{S}-{key}.npz")
        if os.path.exists(path):
            z = np.load(path)
            return z["ev"], z["tr"]
        t0 = time.time()
        if args.threads > 1:
            import multiprocessing as mp
            with mp.Pool(args.threads) as pool:
                res = pool.map(load_clipart, [(r["png"], S, C) for r in rows], chunksize=16)
        else:
            res = [load_clipart((r["png"], S, C)) for r in rows]
        ev = np.stack([a for a, _ in res])
        tr = np.stack([b for _, b in res])
        np.savez(path, ev=ev, tr=tr)
        print(f"decoded {len(rows)} {tag} images in {time.time() - t0:.1f}s -> {path}", flush=True)
        return ev, tr

    train_ev_u8, train_u8 = pixels(train_rows, "openclipart-train")
    val_u8, _ = pixels(val_rows, "openclipart-val")
    train_u8 = torch.from_numpy(train_u8)
    val_u8 = torch.from_numpy(val_u8)
    val_cap = np.array([text_of[captions.eval_caption(r)] for r in val_rows])

    # ---- Fashion-MNIST
    use_fm = args.fmnist_batch > 0
    if use_fm:
        fm_dir = "/usr/share/datasets/fashion-mnist"
        fm_train_rows = read_jsonl(os.path.join(args.data, "fashion-mnist-train.jsonl"))
        fm_val_rows = read_jsonl(os.path.join(args.data, "fashion-mnist-val.jsonl"))
        if args.limit_fmnist:
            fm_train_rows = fm_train_rows[:args.limit_fmnist]
            fm_val_rows = fm_val_rows[:args.limit_fmnist]
        raw = read_idx(os.path.join(fm_dir, "train-images-idx3-ubyte.gz"))
        key = f"fmnist-{S}-{len(raw)}"
        path = os.path.join(cache_dir, key + ".npy")
        if os.path.exists(path):
            fm_all = np.load(path)
        else:
            fm_all = fmnist_pixels(raw, S)
            np.save(path, fm_all)
        fm_all = torch.from_numpy(fm_all)
        fm_train_idx = torch.as_tensor([r["index"] for r in fm_train_rows])
        fm_train_lab = torch.as_tensor([r["label"] for r in fm_train_rows])
        fm_val_idx = torch.as_tensor([r["index"] for r in fm_val_rows])
        fm_val_lab = torch.as_tensor([r["label"] for r in fm_val_rows])
        fm_classes = fmnist_class_table(text_of, text_table)
        prompt_ids = torch.as_tensor([[text_of[p] for p in captions.fmnist_prompts(c)] for c in FMNIST_CLASSES])

    mean = torch.tensor(CLIP_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(CLIP_STD).view(1, 3, 1, 1)
    model = ImageTower(args.width)
    logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (decay if p.ndim >= 2 else no_decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay + [logit_scale], "weight_decay": 0.0}], lr=args.lr)
    steps_per_epoch = max(1, len(train_rows) // args.batch_size)
    total = steps_per_epoch * args.epochs
    warm = int(args.warmup_epochs * steps_per_epoch)

    def lr_at(step):
        if step < warm:
            return args.lr * (step + 1) / warm
        return 0.5 * args.lr * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))

    n_params = sum(p.numel() for p in model.parameters())
    log_line(log, {"event": "start", "smoke": smoke, "text_embeddings": emb_meta.get("kind"),
                   "text_embeddings_sha256": sha256_file(args.text_embeddings),
                   "captions_sha256": sha256_file(cap_path), "args": vars(args),
                   "train_images": len(train_rows), "val_images": len(val_rows),
                   "fmnist_train": len(fm_train_rows) if use_fm else 0,
                   "fmnist_val": len(fm_val_rows) if use_fm else 0,
                   "params": n_params, "image_size": S, "train_source_size": C,
                   "torch": torch.__version__, "threads": torch.get_num_threads(),
                   "setup_s": round(time.time() - t_start, 1)})
    if smoke:
        print("*** SMOKE RUN: text embeddings are a bag-of-words random projection, not MiniLM ***", flush=True)

    gen = torch.Generator().manual_seed(args.seed)
    best = -1.0
    step = 0
    t_train = time.time()
    stopped = "epochs"
    for epoch in range(0 if args.export_only else args.epochs):
        model.train()
        t_ep = time.time()
        order = np.random.default_rng([args.seed, epoch]).permutation(len(train_rows))
        caps = [captions.sample_caption(r, epoch, args.seed) for r in train_rows]
        cap_ids = torch.as_tensor([text_of[c] for c in caps])
        noflip = torch.as_tensor([bool(re.search(r"\b(left|right)", c.lower())) for c in caps])
        if use_fm:
            fm_order = torch.as_tensor(np.random.default_rng([args.seed, epoch, 1]).permutation(len(fm_train_idx)))
            fm_tpl = epoch % len(captions.FMNIST_TEMPLATES)
            fm_text = text_table[prompt_ids[:, fm_tpl]]
        sums = {"loss": 0.0, "clip": 0.0, "fm": 0.0}
        n = 0
        for b in range(steps_per_epoch):
            idx = torch.as_tensor(order[b * args.batch_size:(b + 1) * args.batch_size])
            for g in opt.param_groups:
                g["lr"] = lr_at(step)
            x = (augment(train_u8[idx], S, gen, noflip[idx]) - mean) / std
            img = model(x)
            ids = cap_ids[idx]
            txt = text_table[ids]
            scale = logit_scale.exp()
            same = ids[:, None] == ids[None, :]
            clip_loss = multi_positive_infonce(scale * img @ txt.T, same)
            loss = clip_loss
            if use_fm:
                j = fm_order[(b * args.fmnist_batch + torch.arange(args.fmnist_batch)) % len(fm_order)]
                g8 = fm_all[fm_train_idx[j]].unsqueeze(1).expand(-1, 3, -1, -1)
                # Fashion-MNIST is already S x S: pad to C with its black background, then crop
                pad = (C - S) // 2
                g8 = F.pad(g8, (pad, C - S - pad, pad, C - S - pad))
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
            n += 1
            step += 1
            if (time.time() - t_train) / 60 > args.max_minutes:
                stopped = "max-minutes"
                break
        train_s = time.time() - t_ep
        # ---- validation
        t_val = time.time()
        rec = retrieval_metrics(embed(model, val_u8, mean, std), val_cap, text_table)
        entry = {"event": "epoch", "epoch": epoch + 1, "steps": step, "train_loss": sums["loss"] / max(n, 1),
                 "clip_loss": sums["clip"] / max(n, 1), "logit_scale": float(logit_scale.exp()),
                 "lr": lr_at(max(step - 1, 0)), "train_s": round(train_s, 1),
                 "images_per_s": round(n * (args.batch_size + (args.fmnist_batch if use_fm else 0)) / max(train_s, 1e-9), 1),
                 "smoke": smoke}
        entry.update({f"val_{k}": v for k, v in rec.items()})
        score_parts = [rec["i2t_R@10"], rec["t2i_R@10"]]
        if use_fm:
            entry["fm_loss"] = sums["fm"] / max(n, 1)
            fv = fm_all[fm_val_idx].unsqueeze(1).expand(-1, 3, -1, -1)
            pred = (embed(model, fv, mean, std) @ fm_classes.T).argmax(1)
            entry["val_fmnist_acc"] = float((pred == fm_val_lab).float().mean())
            score_parts.append(entry["val_fmnist_acc"])
        entry["val_score"] = float(np.mean(score_parts))
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
    if not args.export_only:
        torch.save({"model": model.state_dict(), "logit_scale": logit_scale.detach(), "epoch": epoch + 1,
                    "args": vars(args)}, os.path.join(args.out, "last.pt"))

    # ---- export best
    ck = torch.load(os.path.join(args.out, "best.pt"))
    model.load_state_dict(ck["model"])
    if args.export_only:
        best = ck["val"]["val_score"]
        stopped = "export-only"
    fm_val = None
    if use_fm:
        fm_val = (fm_all[fm_val_idx].unsqueeze(1).expand(-1, 3, -1, -1), fm_val_lab, fm_classes)
    model = calibrate_centering(model, torch.from_numpy(train_ev_u8), val_u8, val_cap, text_table, fm_val,
                                mean, std, log)
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
                   "total_min": round((time.time() - t_start) / 60, 2), "smoke": smoke})


if __name__ == "__main__":
    main()
