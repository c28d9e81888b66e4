"""Retrieval on held-out questions: BM25 vs micro-encoder vs the hybrid of both.

Every method ranks all corpus passages for each held-out question (see data.test_set); we report
recall@1, recall@5 and MRR, overall and per question type. The hybrid adds the two scores after
putting them on [0, 1]: BM25 divided by the query's best BM25 score, the encoder's cosine mapped
from [-1, 1] to [0, 1]. Its weight is chosen on training-split questions (data.validation_set),
never on the test questions, and written to eval.json for the app to use.

Usage: /usr/bin/python3 eval.py --ckpt CKPT [--out eval.json]
"""
import argparse
import json
import math
import os
import sys

import torch

from data import EncoderTokenizer, load_passages, test_set, validation_set
from model import Config, MicroModernBert

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.append(os.path.join(HERE, "..", "micro_agent"))
import tools as agent_tools  # noqa: E402  (the BM25 the app's search tool matches byte for byte)


def bm25_scores(bm25, query):
    q = agent_tools._TOK.findall(str(query).lower())
    out = []
    for t in bm25.toks:
        tf = {}
        for w in t:
            tf[w] = tf.get(w, 0) + 1
        s = 0.0
        for w in q:
            if w in tf:
                idf = math.log(1 + (bm25.n - bm25.df[w] + 0.5) / (bm25.df[w] + 0.5))
                f = tf[w]
                s += idf * f * (bm25.k1 + 1) / (f + bm25.k1 * (1 - bm25.b + bm25.b * len(t) / bm25.avg))
        out.append(s)
    return torch.tensor(out)


def hybrid(bm, cos, w):
    top = bm.max()
    bm_n = bm / top if top > 0 else bm
    return w * bm_n + (1 - w) * (cos + 1) / 2


def rank_of(scores, gold):
    # ties broken by corpus order, as the app's sort does
    s = scores[gold].item()
    return int((scores > s).sum().item() + (scores[:gold] == s).sum().item()) + 1


def metrics(ranks):
    n = len(ranks)
    return {"n": n, "recall@1": round(100 * sum(r == 1 for r in ranks) / n, 1),
            "recall@5": round(100 * sum(r <= 5 for r in ranks) / n, 1),
            "mrr": round(sum(1 / r for r in ranks) / n, 3)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--out", default=os.path.join(HERE, "eval.json"))
    a = ap.parse_args()
    ck = torch.load(a.ckpt, map_location="cpu")
    m = MicroModernBert(Config(**ck["config"]))
    m.load_state_dict(ck["model"])
    m.eval()
    tok = EncoderTokenizer()
    passages = load_passages()
    index = {p["id"]: i for i, p in enumerate(passages)}
    bm25 = agent_tools.BM25(passages)

    from train import pad

    def embed(texts):
        out = []
        with torch.no_grad():
            for i in range(0, len(texts), 64):
                ids, mask = pad([tok.encode(t) for t in texts[i:i + 64]])
                out.append(m.embed(ids, mask))
        return torch.cat(out)

    P = embed([p["text"] for p in passages])

    def score_all(qs):
        E = embed([q["query"] for q in qs])
        return [(bm25_scores(bm25, q["query"]), E[i] @ P.T, index[q["passage"]]) for i, q in enumerate(qs)]

    val = score_all(validation_set(passages))
    grid = [round(0.05 * i, 2) for i in range(21)]
    val_r1 = {w: sum(rank_of(hybrid(b, c, w), g) == 1 for b, c, g in val) / len(val) for w in grid}
    best_w = max(grid, key=lambda w: (val_r1[w], -abs(w - 0.5)))
    tests = test_set(passages)
    scored = score_all(tests)
    result = {"held_out_passages": len({t["passage"] for t in tests}), "corpus_passages": len(passages),
              "hybrid_weight_bm25": best_w, "validation_recall@1_by_weight": {str(w): round(100 * v, 1) for w, v in val_r1.items()}}
    for kind in ("all", "title", "content"):
        sel = [s for s, t in zip(scored, tests) if kind == "all" or t["type"] == kind]
        result[kind] = {
            "bm25": metrics([rank_of(b, g) for b, c, g in sel]),
            "encoder": metrics([rank_of(c, g) for b, c, g in sel]),
            "hybrid": metrics([rank_of(hybrid(b, c, best_w), g) for b, c, g in sel]),
        }
    result["checkpoint"] = {"step": ck["step"], "minutes": round(ck["minutes"], 1)}
    with open(a.out, "w") as f:
        json.dump(result, f, indent=2)
    for kind in ("all", "title", "content"):
        print(kind, {k: v["recall@1"] for k, v in result[kind].items()})
    print("hybrid weight", best_w)


if __name__ == "__main__":
    main()
