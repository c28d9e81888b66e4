"""Train micro-encoder: masked-LM on the corpus plus contrastive question -> passage matching.

Each step: a batch of distinct training passages, one fresh question per passage (title or content
question, training templates); InfoNCE over in-batch negatives between mean-pooled, normalized
question and passage embeddings (temperature --tau), plus the masked-LM loss (30 % of passage tokens
masked, ModernBERT's rate; 80/10/10 mask/random/keep) on the same passages. Seeded; CPU; time-boxed.

Usage: /usr/bin/python3 train.py --minutes 12 --out /tmp/enc_ckpt
"""
import argparse
import math
import os
import random
import time

import torch
import torch.nn.functional as F

from data import MASK, PAD, EncoderTokenizer, dev_ids, held_out_ids, inverse_cloze, load_passages, question
from model import Config, MicroModernBert


def pad(seqs):
    T = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), T), PAD, dtype=torch.long)
    mask = torch.zeros(len(seqs), T, dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, :len(s)] = torch.tensor(s)
        mask[i, :len(s)] = 1
    return ids, mask


def mlm_inputs(ids, mask, vocab, rate, g):
    special = ids < 5
    pick = (torch.rand(ids.shape, generator=g) < rate) & ~special & mask.bool()
    labels = torch.where(pick, ids, torch.full_like(ids, -100))
    x = ids.clone()
    u = torch.rand(ids.shape, generator=g)
    x[pick & (u < 0.8)] = MASK
    rand_tok = torch.randint(5, vocab, ids.shape, generator=g)
    swap = pick & (u >= 0.8) & (u < 0.9)
    x[swap] = rand_tok[swap]
    return x, labels


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=12)
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--tau", type=float, default=0.05)
    ap.add_argument("--mlm-weight", type=float, default=0.5)
    ap.add_argument("--ict", type=float, default=0.3, help="share of inverse-cloze queries")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    g = torch.Generator().manual_seed(a.seed)
    r = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    tok = EncoderTokenizer()
    passages = load_passages()
    held = held_out_ids(passages)
    dev = dev_ids(passages)
    train_ps = [p for p in passages if p["id"] not in held and p["id"] not in dev]
    enc_passage = {p["id"]: tok.encode(p["text"]) for p in passages}
    cfg = Config(vocab_size=len(tok.vocab))
    m = MicroModernBert(cfg)
    print(f"params {m.n_params() / 1e6:.3f} M; {len(train_ps)} training passages, {len(dev)} dev, {len(held)} held out", flush=True)
    decay = [p for n, p in m.named_parameters() if p.dim() >= 2]
    other = [p for n, p in m.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": other, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.98))
    start = time.time()
    step, ema = 0, None
    while step < a.steps:
        progress = min(1.0, max(step / a.steps, (time.time() - start) / (a.minutes * 60)))
        if progress >= 1.0:
            break
        lr = a.lr * min(1, (step + 1) / 100) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))
        for grp in opt.param_groups:
            grp["lr"] = lr
        # MLM on all passages (corpus pre-training), contrastive only on training passages
        batch = r.sample(train_ps, a.batch)
        mlm_batch = r.sample(passages, a.batch // 2)
        queries = []
        for p in batch:
            u = r.random()
            if u < a.ict:
                queries.append(inverse_cloze(p, r))
            elif u < a.ict + 0.1:
                queries.append(p["title"])
            else:
                queries.append(question(p, "train", r)[0])
        q_ids, q_mask = pad([tok.encode(q) for q in queries])
        p_ids, p_mask = pad([enc_passage[p["id"]] for p in batch])
        m.train()
        qe = m.embed(q_ids, q_mask)
        pe = m.embed(p_ids, p_mask)
        sim = qe @ pe.T / a.tau
        target = torch.arange(len(batch))
        loss_c = 0.5 * (F.cross_entropy(sim, target) + F.cross_entropy(sim.T, target))
        mi, mm = pad([enc_passage[p["id"]] for p in mlm_batch])
        x, labels = mlm_inputs(mi, mm, cfg.vocab_size, 0.3, g)
        logits, _ = m(x, mm)
        loss_m = F.cross_entropy(logits.reshape(-1, cfg.vocab_size), labels.reshape(-1), ignore_index=-100)
        loss = loss_c + a.mlm_weight * loss_m
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        step += 1
        ema = loss.item() if ema is None else 0.95 * ema + 0.05 * loss.item()
        if step % 50 == 0:
            print(f"step {step} contrastive {loss_c.item():.3f} mlm {loss_m.item():.3f} ema {ema:.3f} lr {lr:.2e} "
                  f"{(time.time() - start) / 60:.1f} min", flush=True)
    torch.save({"model": m.state_dict(), "config": cfg.to_dict(), "step": step,
                "minutes": (time.time() - start) / 60}, os.path.join(a.out, "last.pt"))
    print(f"done: {step} steps in {(time.time() - start) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
