#!/usr/bin/env bash
# Regenerates every parity fixture (goldens and tiny signature-identical ONNX models) under
# encoders/src/test/resources/parity/ with Debian's reference libraries. Run from anywhere:
#   encoders/parity/make_all.sh
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
out=$here/../src/test/resources/parity
mkdir -p "$out"
"$here/install-deps.sh"
for script in "$here"/*.py; do
  echo "== $(basename "$script")"
  /usr/bin/python3 "$script" --out "$out"
done
