#!/usr/bin/python3
"""Golden embeddings for bindery-mini's image tower, computed by PyTorch (the reference) from the
training checkpoint: a few demo images through train_round1.py's own pipeline (composite on white,
bicubic shortest side, centre crop, CLIP mean/std) and the centred tower as train_round1.py exports it.
Bindery's Java path (ImageDecoder, ClipImagePreprocessor, ONNX Runtime) must agree:
encoders/src/test/java/dev/bindery/encoders/image/BinderyMiniParityTest.java.

  /usr/bin/python3 make_parity_round1.py --data ~/.cache/bindery/bindery-mini-data \
      --run ~/.cache/bindery/bindery-mini-data/run-default
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_round1 as train  # noqa: E402  (round one: the shipped tower)

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(HERE, "..", "demo")
OUT = os.path.join(HERE, "..", "..", "..", "encoders", "src", "test", "resources", "parity", "bindery-mini")
IMAGES = ["signs_and_symbols/flags/europe/sweden", "food/fruit/pear_01",
          "animals/mammals/contour_baboon", "computer/icons/gnome_color_palette_01"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--run", required=True)
    args = ap.parse_args()
    torch.set_num_threads(2)
    ck = torch.load(os.path.join(args.run, "best.pt"))
    tower = train.ImageTower(ck["args"]["width"])
    tower.load_state_dict(ck["model"])
    tower.eval()
    alpha = [json.loads(l) for l in open(os.path.join(args.run, "log.jsonl"))
             if '"centering"' in l][-1]["alpha"]
    rows = [r for r in train.read_jsonl(os.path.join(args.data, "openclipart-train.jsonl"))
            if train.decodable_by_bindery(r)]
    key = hashlib.sha1(("\n".join(r["png"] for r in rows) + "|64|80").encode()).hexdigest()[:16]
    ev = torch.from_numpy(np.load(os.path.join(args.data, "cache", f"openclipart-train-64-{key}.npz"))["ev"])
    mean = torch.tensor(train.CLIP_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(train.CLIP_STD).view(1, 3, 1, 1)
    mu = train.embed(tower, ev, mean, std).mean(0)
    model = train.CenteredTower(tower, alpha * mu).eval()
    px = np.stack([train.load_clipart((os.path.join(DEMO, "images", i + ".png"), 64, 80))[0] for i in IMAGES])
    emb = train.embed(model, torch.from_numpy(px), mean, std).numpy().astype("<f4")
    os.makedirs(OUT, exist_ok=True)
    np.save(os.path.join(OUT, "embeddings.npy"), emb)
    with open(os.path.join(OUT, "images.txt"), "w") as f:
        f.write("\n".join(i + ".png" for i in IMAGES) + "\n")
    print(f"alpha {alpha}; {emb.shape} -> {OUT}")


if __name__ == "__main__":
    main()
