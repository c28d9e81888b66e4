#!/bin/sh
# Full micro-encoder recipe, from the corpus and micro-agent's tokenizer to static-models/micro-encoder/.
set -e
PY=/usr/bin/python3
$PY train.py --minutes 14 --out ckpt > train.log 2>&1
$PY eval.py --ckpt ckpt/last.pt                       # eval.json (hybrid weight chosen on dev questions)
$PY export.py --ckpt ckpt/last.pt --out ../../micro-encoder
node spot_check.mjs                                   # Transformers.js == PyTorch
