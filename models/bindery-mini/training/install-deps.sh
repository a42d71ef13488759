#!/usr/bin/env bash
# Installs what the bindery-mini training pipeline reads and runs on: Debian's openclipart PNGs and
# SVGs (captions come from the SVG RDF metadata), Fashion-MNIST, and Debian's PyTorch, torchvision,
# onnx, PIL and numpy (for /usr/bin/python3). Needs root (apt-get). Skips what is already installed.
# Nothing it installs is needed by Bindery's build or tests.
set -euo pipefail
packages=(openclipart-png openclipart-svg dataset-fashion-mnist python3-torch python3-torchvision
  python3-onnx python3-pil python3-numpy)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  apt_opts=(-o DPkg::Lock::Timeout=900 -y -q)
  apt-get "${apt_opts[@]}" update
  DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install --no-install-recommends "${missing[@]}"
fi
/usr/bin/python3 -c 'import torch, torchvision, onnx, PIL, numpy; print("torch", torch.__version__, "torchvision", torchvision.__version__, "onnx", onnx.__version__, "PIL", PIL.__version__, "numpy", numpy.__version__)'
