#!/usr/bin/python3
"""Golden embeddings for bindery-mini's image tower (round two), computed by PyTorch from the exported
tower's own weights with the training pipeline's preprocessing (Pillow: composite on white, bicubic
shortest side to 64, centre crop, CLIP mean/std: prepare_all.py's evaluation view). Bindery's Java
path (ImageDecoder, ClipImagePreprocessor, ONNX Runtime) must agree:
encoders/src/test/java/dev/bindery/encoders/image/BinderyMiniParityTest.java.

The reference network is train.py's PlainTower with the ONNX file's convolution and projection
weights and its centring constant (the [1,384] initializer that the exported CenteredTower
subtracts), so the check covers decoding, preprocessing and ONNX Runtime, not the export alone.

  /usr/bin/python3 make_parity.py --onnx ../image_tower.onnx

(Round one's goldens came from its checkpoint: make_parity_round1.py.)
"""
import argparse
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prepare_all  # noqa: E402
import train  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(HERE, "..", "demo")
OUT = os.path.join(HERE, "..", "..", "..", "encoders", "src", "test", "resources", "parity", "bindery-mini")
IMAGES = ["signs_and_symbols/flags/europe/sweden", "food/fruit/pear_01",
          "animals/mammals/contour_baboon", "computer/icons/gnome_color_palette_01"]


def centring_constant(path):
    import onnx
    from onnx import numpy_helper
    m = onnx.load(path)
    consts = [numpy_helper.to_array(i) for i in m.graph.initializer if list(i.dims) == [1, train.DIM]]
    if len(consts) != 1:
        raise SystemExit(f"{path}: expected one [1,{train.DIM}] centring constant, found {len(consts)}")
    return torch.from_numpy(consts[0].copy())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", default=os.path.join(HERE, "..", "image_tower.onnx"))
    args = ap.parse_args()
    torch.set_num_threads(2)
    model = train.CenteredTower(train.PlainTower.from_onnx(args.onnx), centring_constant(args.onnx)).eval()
    px = []
    for name in IMAGES:
        with Image.open(os.path.join(DEMO, "images", name + ".png")) as im:
            im.load()
            rgb = prepare_all.prepare_data_composite(im.convert("RGBA"))
        px.append(np.asarray(prepare_all._fit(rgb, prepare_all.S), np.uint8).transpose(2, 0, 1))
    mean = torch.tensor(train.CLIP_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(train.CLIP_STD).view(1, 3, 1, 1)
    emb = train.embed(model, torch.from_numpy(np.stack(px)), mean, std).numpy().astype("<f4")
    os.makedirs(OUT, exist_ok=True)
    np.save(os.path.join(OUT, "embeddings.npy"), emb)
    with open(os.path.join(OUT, "images.txt"), "w") as f:
        f.write("\n".join(i + ".png" for i in IMAGES) + "\n")
    print(f"{emb.shape} -> {OUT}")


if __name__ == "__main__":
    main()
