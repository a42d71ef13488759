#!/usr/bin/env bash
# Installs what the bindery-mini training pipeline reads and runs on: Debian's openclipart PNGs and
# SVGs (captions come from the SVG RDF metadata), Fashion-MNIST, Tux Paint stamps, twelve freedesktop
# icon themes, Noto Color Emoji and Unicode CLDR (emoji names), rsvg-convert (SVG rasteriser), and
# Debian's PyTorch, torchvision, onnx, PIL and numpy (for /usr/bin/python3). Needs root (apt-get).
# Skips what is already installed. prepare_all.py runs this itself when a package is missing.
# Nothing it installs is needed by Bindery's build or tests.
set -euo pipefail
packages=(openclipart-png openclipart-svg dataset-fashion-mnist tuxpaint-stamps-default
  papirus-icon-theme breeze-icon-theme adwaita-icon-theme elementary-icon-theme numix-icon-theme
  moka-icon-theme faba-icon-theme paper-icon-theme mate-icon-theme gnome-icon-theme
  deepin-icon-theme hicolor-icon-theme fonts-noto-color-emoji unicode-cldr-core librsvg2-bin
  python3-torch python3-torchvision python3-onnx python3-pil python3-numpy)
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
