#!/usr/bin/python3
"""Writes a random-weight ONNX image tower shaped like ViT-Ti/16 (DeiT-Tiny: 12 layers, width 192,
3 heads, 16x16 patches at 224 px, about 5.7M parameters) for `bindery bench encoders`.

No pretrained image weights can be had offline; what the benchmark needs is a model whose cost
matches a real tiny ViT, and random weights cost the same as trained ones. Not committed (23 MB):
    /usr/bin/python3 eval/bench-models/make_vit_tiny.py /tmp/vit_tiny.onnx
Needs Debian's python3-torch and python3-onnx (encoders/parity/install-deps.sh installs them).
"""
import sys

import torch
from torch import nn


class VitTiny(nn.Module):
    def __init__(self, width=192, depth=12, heads=3, patch=16, size=224, out=384):
        super().__init__()
        self.patch = nn.Conv2d(3, width, patch, stride=patch)
        n = (size // patch) ** 2
        self.cls = nn.Parameter(torch.randn(1, 1, width) * 0.02)
        self.pos = nn.Parameter(torch.randn(1, n + 1, width) * 0.02)
        layer = nn.TransformerEncoderLayer(
            width, heads, dim_feedforward=4 * width, activation="gelu", batch_first=True,
            norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, depth)
        self.norm = nn.LayerNorm(width)
        self.proj = nn.Linear(width, out, bias=False)

    def forward(self, pixel_values):
        x = self.patch(pixel_values).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
        x = self.norm(self.blocks(x))
        return self.proj(x[:, 0])


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/vit_tiny.onnx"
    torch.manual_seed(0)
    model = VitTiny().eval()
    # nn.TransformerEncoder deep-copies one layer: give every layer its own weights, or the
    # exporter stores one shared set.
    with torch.no_grad():
        for p in model.blocks.parameters():
            p.copy_(torch.randn_like(p) * 0.02)
    params = sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        torch.onnx.export(
            model, (torch.zeros(1, 3, 224, 224),), out, input_names=["pixel_values"],
            output_names=["image_embeds"], opset_version=14,
            dynamic_axes={"pixel_values": {0: "b"}, "image_embeds": {0: "b"}})
    print(f"wrote {out}: ViT-Ti/16 shape, {params / 1e6:.2f}M parameters, random weights")


if __name__ == "__main__":
    main()
