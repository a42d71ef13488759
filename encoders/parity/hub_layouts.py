#!/usr/bin/python3
"""One tiny CLIP published in the three layouts `bindery models pull` reads from the Hub.

Writes under OUT/layouts/ (OUT is usually encoders/src/test/resources/parity):
  transformers-js/  onnx/text_model.onnx (input_ids, attention_mask -> text_embeds [B,512],
                    last_hidden_state), onnx/vision_model.onnx (pixel_values -> image_embeds
                    [B,512], last_hidden_state), onnx/*_quantized.onnx (a stand-in for the int8
                    variants: the same towers with every weight rounded to 255 levels, stored as
                    float), tokenizer.json, tokenizer_config.json, preprocessor_config.json with
                    OpenAI CLIP's values, config.json, README.md
  immich/           config.json (open_clip's model config), textual/model.onnx (text int32
                    [1,77] -> embedding [1,512], L2-normalized, static batch of 1 as immich's
                    exporter leaves it), textual/tokenizer.json, textual/tokenizer_config.json
                    (pad_token <|endoftext|>), visual/model.onnx (image [1,3,224,224] ->
                    embedding), visual/preprocess_cfg.json, README.md
  open-clip/        open_clip_config.json, text.onnx (input_ids int64 [B,77] -> text_embeds),
                    visual.onnx (pixel_values -> image_embeds), tokenizer.json, README.md
  golden.json       the torch model's L2-normalized embeddings of a few texts and of a uniform
                    image, shared by all three layouts (same weights), and of the quantized
                    stand-in
All towers are tiny_towers.py's TinyClipText / TinyClipVision with the seeds of its hf-clip/
package, so every layout embeds a text or an image the same way (the parity the Java tests check).
Usage: /usr/bin/python3 hub_layouts.py --out DIR
"""
import argparse
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from tiny_towers import (
    CLIP_MEAN,
    CLIP_STD,
    GOLDEN_TEXTS,
    TinyClipText,
    TinyClipVision,
    export,
    tiny_tokenizer,
    tokenize,
    write_json,
)

CONTEXT = 77
PREPROCESSOR = {
    "crop_size": 224,
    "do_center_crop": True,
    "do_normalize": True,
    "do_resize": True,
    "feature_extractor_type": "CLIPFeatureExtractor",
    "image_mean": list(CLIP_MEAN),
    "image_std": list(CLIP_STD),
    "resample": 3,
    "size": 224,
}
OPEN_CLIP_MODEL_CFG = {
    "embed_dim": 512,
    "vision_cfg": {"image_size": 224, "layers": 1, "width": 16, "patch_size": 32},
    "text_cfg": {"context_length": CONTEXT, "vocab_size": 256, "width": 16, "heads": 1,
                 "layers": 1},
}
OPEN_CLIP_PREPROCESS = {
    "size": [224, 224], "mode": "RGB", "mean": list(CLIP_MEAN), "std": list(CLIP_STD),
    "interpolation": "bicubic", "resize_mode": "shortest", "fill_color": 0,
}


def towers():
    torch.manual_seed(4321)
    text = TinyClipText().eval()
    torch.manual_seed(4322)
    vision = TinyClipVision().eval()
    return text, vision


def rounded(module):
    """The same tower with each weight tensor rounded to 255 symmetric levels."""
    with torch.no_grad():
        for p in module.parameters():
            scale = p.abs().max() / 127.0
            if scale > 0:
                p.copy_(torch.round(p / scale) * scale)
    return module


class ImmichText(nn.Module):
    def __init__(self, text):
        super().__init__()
        self.text = text

    def forward(self, text):
        ids = text.long()
        return F.normalize(self.text(ids, torch.ones_like(ids))[0], dim=-1)


class ImmichVision(nn.Module):
    def __init__(self, vision):
        super().__init__()
        self.vision = vision

    def forward(self, image):
        return F.normalize(self.vision(image)[0], dim=-1)


class OpenClipText(nn.Module):
    def __init__(self, text):
        super().__init__()
        self.text = text

    def forward(self, input_ids):
        return self.text(input_ids, torch.ones_like(input_ids))[0]


class OpenClipVision(nn.Module):
    def __init__(self, vision):
        super().__init__()
        self.vision = vision

    def forward(self, pixel_values):
        return self.vision(pixel_values)[0]


def padded(ids, pad):
    return ids + [pad] * (CONTEXT - len(ids))


def readme(path, layout):
    with open(path, "w") as f:
        f.write(f"---\nlicense: mit\n---\nA tiny random-weight CLIP stand-in in the {layout} "
                "layout, made by Bindery's encoders/parity/hub_layouts.py for download tests.\n")


def transformers_js(out, tok, text, vision):
    onnx_dir = os.path.join(out, "onnx")
    os.makedirs(onnx_dir, exist_ok=True)
    ids = torch.tensor([tokenize(tok, "a photo of a cat")])
    px = torch.zeros(1, 3, 224, 224)
    text_dyn = {"input_ids": {0: "batch_size", 1: "sequence_length"},
                "attention_mask": {0: "batch_size", 1: "sequence_length"},
                "text_embeds": {0: "batch_size"},
                "last_hidden_state": {0: "batch_size", 1: "sequence_length"}}
    vision_dyn = {"pixel_values": {0: "batch_size"}, "image_embeds": {0: "batch_size"},
                  "last_hidden_state": {0: "batch_size"}}
    for suffix, (t, v) in {"": (text, vision),
                           "_quantized": (rounded(towers()[0]), rounded(towers()[1]))}.items():
        export(t, (ids, torch.ones_like(ids)), os.path.join(onnx_dir, f"text_model{suffix}.onnx"),
               ["input_ids", "attention_mask"], ["text_embeds", "last_hidden_state"], text_dyn)
        export(v, (px,), os.path.join(onnx_dir, f"vision_model{suffix}.onnx"),
               ["pixel_values"], ["image_embeds", "last_hidden_state"], vision_dyn)
    write_json(os.path.join(out, "tokenizer.json"), tok)
    write_json(os.path.join(out, "tokenizer_config.json"),
               {"model_max_length": CONTEXT, "pad_token": "<|endoftext|>",
                "tokenizer_class": "CLIPTokenizer"})
    write_json(os.path.join(out, "preprocessor_config.json"), PREPROCESSOR)
    write_json(os.path.join(out, "config.json"),
               {"model_type": "clip", "projection_dim": 512,
                "text_config": {"max_position_embeddings": CONTEXT},
                "vision_config": {"image_size": 224}})
    readme(os.path.join(out, "README.md"), "transformers.js")


def immich(out, tok, text, vision):
    tdir, vdir = os.path.join(out, "textual"), os.path.join(out, "visual")
    os.makedirs(tdir, exist_ok=True)
    os.makedirs(vdir, exist_ok=True)
    eot = tok["model"]["vocab"]["<|endoftext|>"]
    ids = torch.tensor([padded(tokenize(tok, "a photo of a cat"), eot)], dtype=torch.int32)
    export(ImmichText(text), (ids,), os.path.join(tdir, "model.onnx"), ["text"], ["embedding"],
           None)
    export(ImmichVision(vision), (torch.zeros(1, 3, 224, 224),), os.path.join(vdir, "model.onnx"),
           ["image"], ["embedding"], None)
    write_json(os.path.join(tdir, "tokenizer.json"), tok)
    write_json(os.path.join(tdir, "tokenizer_config.json"),
               {"model_max_length": CONTEXT, "pad_token": "<|endoftext|>",
                "tokenizer_class": "CLIPTokenizer"})
    write_json(os.path.join(vdir, "preprocess_cfg.json"), OPEN_CLIP_PREPROCESS)
    write_json(os.path.join(out, "config.json"), OPEN_CLIP_MODEL_CFG)
    readme(os.path.join(out, "README.md"), "immich")


def open_clip(out, tok, text, vision):
    os.makedirs(out, exist_ok=True)
    ids = torch.tensor([padded(tokenize(tok, "a photo of a cat"), 0)])
    export(OpenClipText(text), (ids,), os.path.join(out, "text.onnx"), ["input_ids"],
           ["text_embeds"], {"input_ids": {0: "batch_size"}, "text_embeds": {0: "batch_size"}})
    export(OpenClipVision(vision), (torch.zeros(1, 3, 224, 224),), os.path.join(out, "visual.onnx"),
           ["pixel_values"], ["image_embeds"],
           {"pixel_values": {0: "batch_size"}, "image_embeds": {0: "batch_size"}})
    write_json(os.path.join(out, "tokenizer.json"), tok)
    write_json(os.path.join(out, "open_clip_config.json"),
               {"model_cfg": OPEN_CLIP_MODEL_CFG, "preprocess_cfg": OPEN_CLIP_PREPROCESS})
    readme(os.path.join(out, "README.md"), "open_clip")


def golden(tok, text, vision, name):
    rows = {"texts": [], "uniformImage": {}}
    with torch.no_grad():
        for sentence in GOLDEN_TEXTS:
            t = torch.tensor([tokenize(tok, sentence)])
            rows["texts"].append({
                "text": sentence,
                "embedding": F.normalize(text(t, torch.ones_like(t))[0], dim=-1)[0].tolist(),
            })
        colour = (200, 100, 50)
        u = torch.tensor(
            [(colour[c] / 255.0 - CLIP_MEAN[c]) / CLIP_STD[c] for c in range(3)],
            dtype=torch.float32,
        ).view(1, 3, 1, 1).expand(1, 3, 224, 224).contiguous()
        rows["uniformImage"] = {
            "rgb": list(colour), "width": 320, "height": 200,
            "embedding": F.normalize(vision(u)[0], dim=-1)[0].tolist(),
        }
    return {"model": name, **rows}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    root = os.path.join(args.out, "layouts")
    tok = tiny_tokenizer()
    text, vision = towers()
    transformers_js(os.path.join(root, "transformers-js"), tok, text, vision)
    immich(os.path.join(root, "immich"), tok, text, vision)
    open_clip(os.path.join(root, "open-clip"), tok, text, vision)
    qt, qv = rounded(towers()[0]), rounded(towers()[1])
    # One line per vector keeps the committed file reviewable.
    with open(os.path.join(root, "golden.json"), "w") as f:
        gold = {"fp32": golden(tok, text, vision, "fp32"),
                "quantized": golden(tok, qt, qv, "quantized")}
        f.write(json.dumps(gold, separators=(",", ":")).replace("{\"text\"", "\n{\"text\""))
        f.write("\n")
    total = 0
    for dirpath, _, files in os.walk(root):
        for f in files:
            total += os.path.getsize(os.path.join(dirpath, f))
    print(f"hub_layouts: wrote {root} ({total} bytes)")


if __name__ == "__main__":
    main()
