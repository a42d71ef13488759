#!/usr/bin/python3
"""Golden files for Bindery's image, depth and thermal preprocessing, and tiny test towers.

Reference implementations: PIL + torchvision (CLIP transform), numpy + torch (depth, thermal).
Writes into OUT/image/:
  clipart_NN.png      real openclipart PNGs (copied byte for byte, each < 60 KB)
  gen_*.{jpg,gif,bmp,tiff,webp,png}  images written here with PIL (CMYK JPEG, EXIF orientations,
                      16-bit PNGs, ...), from the first chosen clipart
  clip_goldens.npz    per image: the uint8 HWC crop torchvision's Resize(224, BICUBIC) +
                      CenterCrop(224) produce (name -> [224,224,3]); normalising it with
                      ToTensor + Normalize(CLIP mean/std) gives the golden tensor exactly (the
                      script asserts this against the full torchvision pipeline)
  vit_embeddings.npz  the tiny ViT's embeddings (name -> [64]) of the full-pipeline tensors
  tiny_vit.onnx       input pixel_values [B,3,224,224] -> image_embeds [B,64]
  tiny_vit_1ch.onnx   input depth [B,1,224,224] -> embeddings [B,64]
  depth_*.png/tiff/npy, thermal_*.png  synthetic maps; scalar_goldens.npz their [1,224,224]
                      tensors (depth_mm.tiff holds the same values as depth_mm.png)
  goldens.json        what each file is, the parameters used, library versions
Deterministic: fixed seeds, sorted paths. Run: /usr/bin/python3 image_goldens.py --out DIR
"""
import argparse
import json
import os
import shutil
import struct
import zlib

import numpy as np
import torch
import torchvision
from PIL import Image, ImageOps, features
from torchvision import transforms as T
from torchvision.transforms import InterpolationMode

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
CLIPART = "/usr/share/openclipart/png"
MAX_BYTES = 60_000

# Depth: Omnivore's conversion (omnivore issue 12) with NYU's Kinect focal length, mm input.
DEPTH = dict(depthScale=1000.0, baseline=0.075, focalLength=518.857901, minDepth=0.01,
             maxDepth=50.0, maxDisparity=75.0, mean=0.25, std=0.15, size=224, crop=224,
             resample="bilinear")
THERMAL = dict(mean=0.48145466, std=0.26862954, size=224, crop=224, resample="bicubic")


def pick_cliparts():
    paths = []
    for root, _, files in os.walk(CLIPART):
        for f in files:
            if f.lower().endswith(".png"):
                paths.append(os.path.join(root, f))
    real = sorted({os.path.realpath(p) for p in paths})
    small = [p for p in real if os.path.getsize(p) < MAX_BYTES]
    stride = max(1, len(small) // 60)
    cands = small[::stride][:60]
    info = []
    for p in cands:
        with Image.open(p) as im:
            alpha = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
            info.append(dict(path=p, mode=im.mode, w=im.width, h=im.height, alpha=alpha,
                             aspect=im.width / im.height))
    chosen = []

    def take(pred):
        for i in info:
            if i not in chosen and pred(i):
                chosen.append(i)
                return

    take(lambda i: i["mode"] == "P" and not i["alpha"])
    take(lambda i: i["mode"] == "P" and i["alpha"])
    take(lambda i: i["mode"] == "RGBA")
    take(lambda i: i["mode"] in ("L", "LA"))
    take(lambda i: i["mode"] == "RGB")
    take(lambda i: i["aspect"] > 1.6)
    take(lambda i: i["aspect"] < 0.6)
    take(lambda i: min(i["w"], i["h"]) < 224)
    take(lambda i: min(i["w"], i["h"]) > 400)
    rest = sorted((i for i in info if i not in chosen), key=lambda i: (i["aspect"], i["path"]))
    while len(chosen) < 12 and rest:
        chosen.append(rest.pop(len(rest) // 2 if len(chosen) % 2 else 0))
    return chosen


def to_rgb(im):
    """PIL image -> RGB the way Bindery's ImageDecoder does it (see its Javadoc)."""
    im = ImageOps.exif_transpose(im)
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        a = np.asarray(im).astype(np.uint32) >> 8
        return Image.fromarray(a.astype(np.uint8), "L").convert("RGB")
    if im.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in im.info:
        rgba = np.asarray(im.convert("RGBA")).astype(np.int64)
        a = rgba[..., 3:4]
        c = (rgba[..., :3] * a + 255 * (255 - a) + 127) // 255
        return Image.fromarray(c.astype(np.uint8), "RGB")
    return im.convert("RGB")


def clip_transform():
    return T.Compose([T.Resize(224, interpolation=InterpolationMode.BICUBIC), T.CenterCrop(224),
                      T.ToTensor(), T.Normalize(CLIP_MEAN, CLIP_STD)])


def png16(path, arr, color_type):
    """Writes a 16-bit PNG by hand (PIL cannot write 16-bit RGB)."""
    h, w = arr.shape[:2]
    raw = b"".join(b"\x00" + arr[y].astype(">u2").tobytes() for y in range(h))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, 16, color_type, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9))
                + chunk(b"IEND", b""))


def generated(out, base):
    """Images in the other formats, made from one clipart (composited on white) plus synthetic maps."""
    rng = np.random.default_rng(7)
    photo = base.resize((400, 300), Image.BICUBIC)
    noise = rng.integers(-3, 4, size=(300, 400, 3))
    photo = Image.fromarray(np.clip(np.asarray(photo).astype(int) + noise, 0, 255).astype(np.uint8))
    small = photo.resize((64, 48), Image.BILINEAR)

    photo.save(os.path.join(out, "gen_photo.jpg"), quality=90)
    photo.convert("L").save(os.path.join(out, "gen_gray.jpg"), quality=90)
    photo.convert("CMYK").save(os.path.join(out, "gen_cmyk.jpg"), quality=90)
    for o in range(2, 9):
        exif = Image.Exif()
        exif[0x0112] = o
        small.save(os.path.join(out, f"gen_exif{o}.jpg"), quality=95, exif=exif.tobytes())
    pal = photo.resize((200, 150)).quantize(colors=32, method=Image.MEDIANCUT)
    frame2 = Image.new("P", pal.size, 3)
    frame2.putpalette(pal.getpalette())
    pal.save(os.path.join(out, "gen_anim.gif"), save_all=True, append_images=[frame2], duration=100,
             loop=0)
    photo.resize((200, 120)).save(os.path.join(out, "gen_image.bmp"))
    photo.resize((150, 220)).save(os.path.join(out, "gen_image.tiff"), compression="tiff_lzw")
    if features.check("webp"):
        photo.resize((200, 200)).save(os.path.join(out, "gen_lossless.webp"), lossless=True)
        photo.resize((260, 200)).save(os.path.join(out, "gen_lossy.webp"), quality=90)
    yy, xx = np.mgrid[0:72, 0:120]
    rgb16 = np.stack([xx * 437 % 65536, yy * 728, (xx + yy) * 273], -1).astype(np.uint16)
    png16(os.path.join(out, "gen_rgb16.png"), rgb16, 2)
    gray16 = ((xx * 300 + yy * 200) % 65536).astype(np.uint16)
    Image.fromarray(gray16.astype(np.uint16), "I;16").save(os.path.join(out, "gen_gray16.png"))
    base.resize((1000, 90)).save(os.path.join(out, "gen_wide.png"))
    return sorted(f for f in os.listdir(out) if f.startswith("gen_"))


class TinyViT(torch.nn.Module):
    """Conv 32x32 patches -> one pre-norm transformer layer -> CLS -> linear projection."""

    def __init__(self, channels, dim=16, heads=2, out=64):
        super().__init__()
        self.heads = heads
        self.patch = torch.nn.Conv2d(channels, dim, 32, 32)
        self.cls = torch.nn.Parameter(torch.randn(1, 1, dim) * 0.5)
        self.pos = torch.nn.Parameter(torch.randn(1, 50, dim) * 0.5)
        self.ln1 = torch.nn.LayerNorm(dim)
        self.qkv = torch.nn.Linear(dim, 3 * dim)
        self.proj = torch.nn.Linear(dim, dim)
        self.ln2 = torch.nn.LayerNorm(dim)
        self.mlp = torch.nn.Sequential(torch.nn.Linear(dim, 2 * dim), torch.nn.GELU(),
                                       torch.nn.Linear(2 * dim, dim))
        self.ln3 = torch.nn.LayerNorm(dim)
        self.head = torch.nn.Linear(dim, out)

    def forward(self, x):
        b = x.shape[0]
        t = self.patch(x).flatten(2).transpose(1, 2)
        t = torch.cat([self.cls.expand(b, -1, -1), t], 1) + self.pos
        q, k, v = self.qkv(self.ln1(t)).chunk(3, -1)
        d = q.shape[-1] // self.heads

        def split(z):
            return z.reshape(b, -1, self.heads, d).transpose(1, 2)

        att = torch.softmax(split(q) @ split(k).transpose(-1, -2) / d ** 0.5, -1)
        t = t + self.proj((att @ split(v)).transpose(1, 2).reshape(b, -1, self.heads * d))
        t = t + self.mlp(self.ln2(t))
        return self.head(self.ln3(t[:, 0]))


def export(model, path, channels, in_name, out_name):
    model.eval()
    torch.onnx.export(model, torch.zeros(2, channels, 224, 224), path, input_names=[in_name],
                      output_names=[out_name], dynamic_axes={in_name: {0: "batch"}, out_name: {0: "batch"}},
                      opset_version=14)


def resize_crop_float(x, size, crop, mode):
    """torch reference for the float path: antialiased interpolate (PIL's kernels), then crop."""
    h, w = x.shape[-2:]
    if w <= h:
        nw, nh = size, int(size * h / w)
    else:
        nw, nh = int(size * w / h), size
    t = torch.from_numpy(x)[None, None]
    if (nh, nw) != (h, w):
        t = torch.nn.functional.interpolate(t.double(), size=(nh, nw), mode=mode, antialias=True,
                                            align_corners=False).float()
    return T.CenterCrop(crop)(t[0])


def depth_reference(raw, p):
    metres = np.clip(raw.astype(np.float64) / p["depthScale"], p["minDepth"], p["maxDepth"])
    disp = p["baseline"] * p["focalLength"] / metres
    disp = np.minimum(disp, p["maxDisparity"]) / p["maxDisparity"]
    disp = np.where(raw > 0, disp, 0.0).astype(np.float32)
    t = resize_crop_float(disp, p["size"], p["crop"], p["resample"])
    return ((t - np.float32(p["mean"])) / np.float32(p["std"])).numpy().astype(np.float32)


def thermal_reference(raw, full, p):
    x = (raw.astype(np.float32) / np.float32(full)).astype(np.float32)
    t = resize_crop_float(x, p["size"], p["crop"], p["resample"])
    return ((t - np.float32(p["mean"])) / np.float32(p["std"])).numpy().astype(np.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    out = os.path.join(ap.parse_args().out, "image")
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    torch.manual_seed(0)
    meta = {"versions": {"torch": torch.__version__, "torchvision": torchvision.__version__,
                         "PIL": Image.__version__, "numpy": np.__version__},
            "clip": {"size": 224, "crop": 224, "mean": CLIP_MEAN, "std": CLIP_STD,
                     "resample": "bicubic"},
            "depth": DEPTH, "thermal": THERMAL, "images": {}, "scalars": {}}

    chosen = pick_cliparts()
    names = []
    for n, c in enumerate(chosen):
        name = f"clipart_{n:02d}.png"
        shutil.copyfile(c["path"], os.path.join(out, name))
        names.append(name)
        meta["images"][name] = {"source": c["path"], "mode": c["mode"], "size": [c["w"], c["h"]]}
    with Image.open(os.path.join(out, names[0])) as im:
        base = to_rgb(im)
    for name in generated(out, base):
        with Image.open(os.path.join(out, name)) as im:
            meta["images"][name] = {"source": "generated", "mode": im.mode, "size": list(im.size),
                                    "format": im.format}
        names.append(name)

    transform = clip_transform()
    crops, tensors = {}, {}
    for name in names:
        with Image.open(os.path.join(out, name)) as im:
            im.seek(0)
            rgb = to_rgb(im)
        crop = T.CenterCrop(224)(T.Resize(224, interpolation=InterpolationMode.BICUBIC)(rgb))
        crops[name] = np.asarray(crop, dtype=np.uint8)
        full = transform(rgb)
        again = T.Normalize(CLIP_MEAN, CLIP_STD)(T.ToTensor()(crop))
        assert torch.equal(full, again), name
        tensors[name] = full
        meta["images"][name]["rgb_size"] = list(rgb.size)
    np.savez_compressed(os.path.join(out, "clip_goldens.npz"), **crops)

    vit = TinyViT(3)
    export(vit, os.path.join(out, "tiny_vit.onnx"), 3, "pixel_values", "image_embeds")
    with torch.no_grad():
        emb = vit(torch.stack([tensors[n] for n in names])).numpy()
    np.savez(os.path.join(out, "vit_embeddings.npz"), **{n: emb[i] for i, n in enumerate(names)})
    vit1 = TinyViT(1)
    export(vit1, os.path.join(out, "tiny_vit_1ch.onnx"), 1, "depth", "embeddings")

    rng = np.random.default_rng(11)
    yy, xx = np.mgrid[0:240, 0:320]
    depth = (800 + 12 * xx + 9 * yy + rng.normal(0, 2, (240, 320))).clip(0, 65535)
    depth[100:140, 50:90] = 0  # missing readings
    depth[0:10, :] = 30  # closer than minDepth after scaling (0.03 m is fine; 3 mm is not)
    depth[0:10, :40] = 3
    depth = depth.astype(np.uint16)
    Image.fromarray(depth, "I;16").save(os.path.join(out, "depth_mm.png"))
    Image.fromarray(depth, "I;16").save(os.path.join(out, "depth_mm.tiff"), compression="tiff_adobe_deflate")
    dnpy = (0.5 + 0.02 * np.mgrid[0:150, 0:100][0] + 0.01 * np.mgrid[0:150, 0:100][1]).astype(np.float32)
    dnpy[40:60, 40:60] = 0
    np.save(os.path.join(out, "depth_m.npy"), dnpy)
    yy2, xx2 = np.mgrid[0:120, 0:160]
    therm16 = (9000 + 2000 * np.sin(xx2 / 9.0) * np.cos(yy2 / 7.0) + rng.normal(0, 5, (120, 160)))
    therm16 = therm16.clip(0, 65535).astype(np.uint16)
    Image.fromarray(therm16, "I;16").save(os.path.join(out, "thermal_16.png"))
    yy3, xx3 = np.mgrid[0:400, 0:300]
    therm8 = (128 + 100 * np.sin(xx3 / 17.0 + yy3 / 23.0)).clip(0, 255).astype(np.uint8)
    Image.fromarray(therm8, "L").save(os.path.join(out, "thermal_8.png"))

    scal = {}
    raw = np.asarray(Image.open(os.path.join(out, "depth_mm.png"))).astype(np.float64)
    scal["depth_mm.png"] = depth_reference(raw, DEPTH)
    scal["depth_m.npy"] = depth_reference(np.load(os.path.join(out, "depth_m.npy")).astype(np.float64),
                                          dict(DEPTH, depthScale=1.0))
    scal["thermal_16.png"] = thermal_reference(
        np.asarray(Image.open(os.path.join(out, "thermal_16.png"))), 65535, THERMAL)
    scal["thermal_8.png"] = thermal_reference(
        np.asarray(Image.open(os.path.join(out, "thermal_8.png"))), 255, THERMAL)
    meta["scalars"] = {"depth_mm.png": {"depthScale": 1000.0}, "depth_m.npy": {"depthScale": 1.0},
                       "thermal_16.png": {"fullScale": 65535}, "thermal_8.png": {"fullScale": 255}}
    np.savez_compressed(os.path.join(out, "scalar_goldens.npz"), **scal)
    with open(os.path.join(out, "goldens.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
    total = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    print(f"image goldens: {len(names)} images, {len(scal)} maps, {total / 1e6:.2f} MB in {out}")


if __name__ == "__main__":
    main()
