#!/usr/bin/env bash
# Installs the ANN peers that `bindery bench ann --peers` measures Bindery against, from Debian:
# hnswlib (python3-hnswlib) and FAISS (python3-faiss), plus NumPy, for /usr/bin/python3; and
# hnswlib's C++ headers (libhnswlib-dev) with g++, which `bench ann --rounds` compiles its native
# hnswlib driver (hnsw_native.cpp) against with -O3 -march=native.
# Needs root (or sudo). Debian 12 (bookworm) ships hnswlib 0.6.2 and FAISS 1.7.3, the versions the
# published report used; other releases work, and the report records the versions it ran.
set -euo pipefail

packages=(python3-hnswlib python3-faiss python3-numpy libhnswlib-dev g++)
sudo=()
if ((EUID != 0)); then
  if ! command -v sudo >/dev/null; then
    echo "install-peers.sh: run as root (apt-get install ${packages[*]})" >&2
    exit 1
  fi
  sudo=(sudo)
fi
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
  "${packages[@]}"
/usr/bin/python3 -c 'import hnswlib, faiss, numpy; print("hnswlib, faiss", faiss.__version__, "numpy", numpy.__version__, "importable")'
