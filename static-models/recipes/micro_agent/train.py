"""Train micro-agent on the rendered synthetic conversations (loss on assistant tokens only).

Seeded (data order and init), CPU, 2 threads, time-boxed: the cosine schedule runs over
whichever of --steps or --minutes runs out first (so the learning-rate curve, and hence the
exact weights, depend on the machine's speed), and training stops there, saving. Checkpoints go to
ckpt/last.pt every --save-every steps.

Usage: nohup /usr/bin/python3 train.py --steps 900 --minutes 33 > train.log 2>&1 &
"""
import argparse
import json
import math
import os
import random
import time

import torch
import torch.nn.functional as F

from model import Config, MicroLlama
from tokenizer import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))


def encode_rendered(tok, path, max_len, limit=None):
    rows = []
    with open(path) as f:
        for i, l in enumerate(f):
            if limit and i >= limit:
                break
            d = json.loads(l)
            text, spans = d["text"], d["spans"]
            ids, labels, pos = [], [], 0
            for a, b in spans:
                seg = tok.encode(text[pos:a])
                ids += seg
                labels += [-100] * len(seg)
                seg = tok.encode(text[a:b])
                ids += seg
                labels += seg
                pos = b
            seg = tok.encode(text[pos:])
            ids += seg
            labels += [-100] * len(seg)
            if len(ids) <= max_len:
                rows.append((ids, labels))
    return rows


def batches(rows, tokens_per_batch, rng):
    idx = list(range(len(rows)))
    rng.shuffle(idx)
    # bucket: sort chunks of 50 batches by length to limit padding
    chunk = 2000
    out = []
    for s in range(0, len(idx), chunk):
        part = sorted(idx[s:s + chunk], key=lambda i: len(rows[i][0]))
        cur, mx = [], 0
        for i in part:
            L = len(rows[i][0])
            if cur and max(mx, L) * (len(cur) + 1) > tokens_per_batch:
                out.append(cur)
                cur, mx = [], 0
            cur.append(i)
            mx = max(mx, L)
        if cur:
            out.append(cur)
    rng.shuffle(out)
    return out


def collate(rows, b):
    T = max(len(rows[i][0]) for i in b)
    x = torch.zeros(len(b), T, dtype=torch.long)
    y = torch.full((len(b), T), -100, dtype=torch.long)
    for j, i in enumerate(b):
        ids, lab = rows[i]
        x[j, :len(ids)] = torch.tensor(ids)
        y[j, :len(lab)] = torch.tensor(lab)
    return x, y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(HERE, "data", "train_rendered.jsonl"))
    ap.add_argument("--tokenizer", default=os.path.join(HERE, "..", "..", "micro-agent", "tokenizer.json"))
    ap.add_argument("--steps", type=int, default=900)
    ap.add_argument("--minutes", type=float, default=33)
    ap.add_argument("--tokens-per-batch", type=int, default=8192)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--save-every", type=int, default=100)
    ap.add_argument("--max-len", type=int, default=512)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=os.path.join(HERE, "ckpt"))
    ap.add_argument("--init", default=None, help="continue from this checkpoint's weights (fresh optimizer and schedule)")
    a = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    t0 = time.time()
    tok = Tokenizer.load(a.tokenizer)
    rows = encode_rendered(tok, a.data, a.max_len)
    print(f"encoded {len(rows)} conversations, {sum(len(r[0]) for r in rows)} tokens in {time.time() - t0:.0f}s", flush=True)
    cfg = Config(vocab_size=len(tok.vocab))
    m = MicroLlama(cfg)
    if a.init:
        ck = torch.load(a.init, map_location="cpu")
        m.load_state_dict(ck["model"])
        rng = random.Random(a.seed + ck["step"])  # a different data order for the continuation
        print(f"continuing from {a.init} (step {ck['step']}, {ck['tokens']} tokens)", flush=True)
    print(f"params {m.n_params() / 1e6:.3f} M  config {cfg.to_dict()}", flush=True)
    decay = [p for n, p in m.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in m.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.95))
    step, epoch, tokens_seen = 0, 0, 0
    start = time.time()
    plan = []

    def save(tag="last"):
        torch.save({"model": m.state_dict(), "config": cfg.to_dict(), "step": step, "tokens": tokens_seen,
                    "minutes": (time.time() - start) / 60}, os.path.join(a.out, f"{tag}.pt"))

    ema = None
    while step < a.steps:
        if not plan:
            plan = batches(rows, a.tokens_per_batch, rng)
            epoch += 1
        b = plan.pop()
        x, y = collate(rows, b)
        # cosine over whichever budget runs out first (steps or wall time), so a slow or shared
        # machine still ends the run with a decayed learning rate
        progress = min(1.0, max(step / a.steps, (time.time() - start) / (a.minutes * 60)))
        lr = a.lr * min(1, (step + 1) / a.warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))
        for g in opt.param_groups:
            g["lr"] = lr
        m.train()
        logits, _, _, _ = m(x)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, cfg.vocab_size), y[:, 1:].reshape(-1), ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        step += 1
        tokens_seen += x.numel()
        ema = loss.item() if ema is None else 0.95 * ema + 0.05 * loss.item()
        el = time.time() - start
        if step % 10 == 0:
            print(f"step {step} epoch {epoch} loss {loss.item():.4f} ema {ema:.4f} lr {lr:.2e} tokens {tokens_seen} "
                  f"{tokens_seen / el:.0f} tok/s {el / 60:.1f} min", flush=True)
        if step % a.save_every == 0:
            save()
        if el > a.minutes * 60 or progress >= 1.0:
            print(f"time limit reached at step {step}", flush=True)
            break
    save()
    print(f"done: {step} steps, {tokens_seen} tokens, {(time.time() - start) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
