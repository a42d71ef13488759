#!/bin/bash
set -e
D=/work/bindery-train-data/v2
cd /work/wt16/models/bindery-mini/training
echo "train start $(date -u) load $(cat /proc/loadavg)"
/usr/bin/python3 train.py --data $D --text-embeddings $D/caption-embeddings.npy --out $D/run-short \
  --init-onnx /work/bindery-train-data/round1.onnx --epochs 4 --steps-per-epoch 40 --batch-size 64 \
  --fmnist-batch 16 --lr 1e-3 --warmup-epochs 0.25 --val-per-source 200 --fmnist-val 1000 \
  --centering-images 1000 --max-minutes 30 --threads 2
echo "train end $(date -u) load $(cat /proc/loadavg)"
