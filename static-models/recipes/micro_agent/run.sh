#!/bin/sh
# The micro-agent recipe from nothing to stage 3 in static-models/micro-agent/. Run from this directory.
# The shipped weights continue from stage 3 (the fourth attempt, copying runs a–g, run i): README.md.
# Needs Debian's python3 with python3-torch (1.13) and python3-onnx, libopenblas0-pthread, and
# Node with the repository's node_modules (@huggingface/jinja, @huggingface/transformers).
set -e
PY=/usr/bin/python3
OUT=../../micro-agent
$PY corpus_src.py                                      # ../../corpus/passages.jsonl
$PY data.py --train 40000 --test 100                   # data/train.jsonl, data/test.jsonl (seeded)
node render.mjs data/train.jsonl data/train_rendered.jsonl   # chat template via @huggingface/jinja
node render.mjs data/test.jsonl data/test_rendered.jsonl
$PY tokenizer.py --vocab 2048 --texts data/train_rendered.jsonl --out $OUT
$PY -c "
import json; from tokenizer import Tokenizer
t = Tokenizer.load('$OUT/tokenizer.json')
with open('data/tok_check.jsonl', 'w') as f:
    for l in open('data/test_rendered.jsonl'):
        s = json.loads(l)['text']; f.write(json.dumps({'text': s, 'ids': t.encode(s)}) + '\n')
"
node verify_tokenizer.mjs $OUT data/tok_check.jsonl    # Transformers.js ids == Python ids
nice -n -8 $PY train.py --steps 1200 --minutes 30 --tokens-per-batch 4096 --warmup 30 > train.log 2>&1   # time-boxed, checkpoints in ckpt/
$PY train.py --init ckpt/last.pt --steps 1500 --minutes 18 --tokens-per-batch 4096 --warmup 20 --lr 2e-3 --out ckpt2 > train2.log 2>&1
$PY train.py --init ckpt2/last.pt --steps 4000 --minutes 21 --tokens-per-batch 4096 --warmup 10 --lr 1e-3 --out ckpt3 > train3.log 2>&1
$PY export.py --ckpt ckpt3/last.pt --out $OUT           # config.json, generation_config.json, onnx/model.onnx
$PY eval.py --ckpt ckpt3/last.pt --per-task 30          # eval.json + data/spot.jsonl
node spot_check.mjs $OUT                               # ONNX/Transformers.js greedy == PyTorch greedy
node --import tsx eval_constrained.ts --limit 40       # tool-call validity with and without XGrammar
