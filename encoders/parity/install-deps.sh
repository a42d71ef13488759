#!/usr/bin/env bash
# Installs the reference implementations the parity harness compares Bindery against (Debian's
# PyTorch, torchvision, torchaudio, PIL, numpy, onnx) and the real media it reads (openclipart PNGs,
# espeak-ng speech, freedesktop sounds, ffmpeg to transcode test clips). Needs root (apt-get).
# Only the goldens and tiny models it produces are committed; tests never need these packages.
set -euo pipefail
packages=(python3-torch python3-torchvision python3-torchaudio python3-onnx python3-pil
  python3-numpy openclipart-png espeak-ng sound-theme-freedesktop ffmpeg)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  apt_opts=(-o DPkg::Lock::Timeout=900 -y -q)
  apt-get "${apt_opts[@]}" update
  DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install --no-install-recommends "${missing[@]}"
fi
/usr/bin/python3 -c 'import torch, torchvision, torchaudio, onnx, PIL, numpy; print("torch", torch.__version__, "torchvision", torchvision.__version__, "torchaudio", torchaudio.__version__, "onnx", onnx.__version__)'
