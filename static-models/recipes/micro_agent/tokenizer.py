"""Byte-level BPE tokenizer for micro-agent: trainer, encoder and tokenizer.json writer.

The pre-tokenizer is Qwen2's split regex (single digits, letters with one leading
non-letter) followed by GPT-2 byte-to-unicode mapping, written to tokenizer.json as
Sequence[Split(Isolated), ByteLevel(use_regex=false)] so Transformers.js reproduces it.

Usage: /usr/bin/python3 tokenizer.py --vocab 2048 --texts data/train_rendered.jsonl --out ../../micro-agent
"""
import argparse
import collections
import json
import os
import re

SPECIAL = ["<|pad|>", "<|bos|>", "<|endoftext|>", "<|im_start|>", "<|im_end|>"]
# added tokens that must decode as text (Qwen-style added tokens with special=false)
ADDED_TEXT = ["<tool_call>", "</tool_call>", "<think>", "</think>", "<tool_response>", "</tool_response>", "<answer>", "</answer>"]
ALL_ADDED = SPECIAL + ADDED_TEXT

# Qwen2 pre-tokenizer pattern (as written into tokenizer.json) and its Python `re` equivalent.
HF_PATTERN = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
_L = r"[^\W\d_]"
_NOT_LN = r"(?:[^\w]|_)"
PY_PATTERN = re.compile(
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|(?:[^\r\n\w]|_)?" + _L + r"+|\d| ?(?:[^\s\w]|_)+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
SPECIAL_SPLIT = re.compile("(" + "|".join(re.escape(t) for t in ALL_ADDED) + ")")


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


B2U = bytes_to_unicode()
U2B = {v: k for k, v in B2U.items()}


def pretokenize(text):
    return ["".join(B2U[b] for b in w.encode("utf-8")) for w in PY_PATTERN.findall(text)]


def train_bpe(texts, vocab_size):
    counts = collections.Counter()
    for t in texts:
        for part in SPECIAL_SPLIT.split(t):
            if part in ALL_ADDED or not part:
                continue
            counts.update(pretokenize(part))
    words = [list(w) for w in counts]
    freqs = [counts[w] for w in counts]
    pair_counts = collections.Counter()
    where = collections.defaultdict(set)
    for i, w in enumerate(words):
        for a, b in zip(w, w[1:]):
            pair_counts[(a, b)] += freqs[i]
            where[(a, b)].add(i)
    merges = []
    n_merges = vocab_size - len(ALL_ADDED) - 256
    for _ in range(n_merges):
        if not pair_counts:
            break
        best = max(pair_counts.items(), key=lambda kv: (kv[1], kv[0]))[0]
        if pair_counts[best] < 2:
            break
        merges.append(best)
        new = best[0] + best[1]
        for i in list(where[best]):
            w = words[i]
            f = freqs[i]
            for a, b in zip(w, w[1:]):
                pair_counts[(a, b)] -= f
                if pair_counts[(a, b)] <= 0:
                    del pair_counts[(a, b)]
            j, out = 0, []
            while j < len(w):
                if j < len(w) - 1 and w[j] == best[0] and w[j + 1] == best[1]:
                    out.append(new)
                    j += 2
                else:
                    out.append(w[j])
                    j += 1
            words[i] = out
            for a, b in zip(out, out[1:]):
                pair_counts[(a, b)] += f
                where[(a, b)].add(i)
        del where[best]
    return merges


class Tokenizer:
    def __init__(self, vocab, merges):
        self.vocab = vocab
        self.inv = {v: k for k, v in vocab.items()}
        self.ranks = {tuple(m): i for i, m in enumerate(merges)}
        self.cache = {}

    @classmethod
    def load(cls, path):
        tj = json.load(open(path))
        merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in tj["model"]["merges"]]
        return cls(tj["model"]["vocab"], merges)

    def _bpe(self, word):
        if word in self.cache:
            return self.cache[word]
        w = list(word)
        while len(w) > 1:
            best, bi = None, -1
            for i in range(len(w) - 1):
                r = self.ranks.get((w[i], w[i + 1]))
                if r is not None and (best is None or r < best):
                    best, bi = r, i
            if best is None:
                break
            pair = (w[bi], w[bi + 1])
            out, j = [], 0
            while j < len(w):
                if j < len(w) - 1 and (w[j], w[j + 1]) == pair:
                    out.append(w[j] + w[j + 1])
                    j += 2
                else:
                    out.append(w[j])
                    j += 1
            w = out
        ids = [self.vocab[p] for p in w]
        self.cache[word] = ids
        return ids

    def encode(self, text):
        ids = []
        for part in SPECIAL_SPLIT.split(text):
            if not part:
                continue
            if part in ALL_ADDED:
                ids.append(self.vocab[part])
                continue
            for w in pretokenize(part):
                ids.extend(self._bpe(w))
        return ids

    def decode(self, ids, skip_special=False):
        out, buf = [], []
        for i in ids:
            t = self.inv[i]
            if t in ALL_ADDED:
                if buf:
                    out.append(bytes(U2B[c] for c in "".join(buf)).decode("utf-8", errors="replace"))
                    buf = []
                if not (skip_special and t in SPECIAL):
                    out.append(t)
            else:
                buf.append(t)
        if buf:
            out.append(bytes(U2B[c] for c in "".join(buf)).decode("utf-8", errors="replace"))
        return "".join(out)


def build_vocab(merges):
    vocab = {}
    for t in ALL_ADDED:
        vocab[t] = len(vocab)
    for b in range(256):
        vocab[B2U[b]] = len(vocab)
    for a, b in merges:
        if a + b not in vocab:
            vocab[a + b] = len(vocab)
    return vocab


def tokenizer_json(vocab, merges):
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": t in SPECIAL} for t in ALL_ADDED],
        "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": HF_PATTERN}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [[a, b] for a, b in merges]},
    }


def tokenizer_config(chat_template, max_len):
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": "<|bos|>", "eos_token": "<|im_end|>", "pad_token": "<|pad|>", "unk_token": None,
        "add_bos_token": False, "add_eos_token": False, "clean_up_tokenization_spaces": False,
        "model_max_length": max_len, "split_special_tokens": False,
        "additional_special_tokens": ["<|im_start|>", "<|im_end|>", "<|endoftext|>"],
        "added_tokens_decoder": {str(i): {"content": t, "lstrip": False, "normalized": False, "rstrip": False,
                                          "single_word": False, "special": t in SPECIAL} for i, t in enumerate(ALL_ADDED)},
        "chat_template": chat_template,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vocab", type=int, default=2048)
    ap.add_argument("--texts", required=True, help="rendered JSONL ({text, spans})")
    ap.add_argument("--limit", type=int, default=20000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-len", type=int, default=1024)
    a = ap.parse_args()
    texts = []
    with open(a.texts) as f:
        for i, l in enumerate(f):
            if i >= a.limit:
                break
            texts.append(json.loads(l)["text"])
    # the corpus too, so passages tokenize compactly
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "..", "corpus", "passages.jsonl")) as f:
        texts += [json.loads(l)["text"] for l in f] * 5
    merges = train_bpe(texts, a.vocab)
    vocab = build_vocab(merges)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "tokenizer.json"), "w") as f:
        json.dump(tokenizer_json(vocab, merges), f, ensure_ascii=False)
    tpl = open(os.path.join(here, "chat_template.jinja")).read()
    with open(os.path.join(a.out, "tokenizer_config.json"), "w") as f:
        json.dump(tokenizer_config(tpl, a.max_len), f, ensure_ascii=False, indent=2)
    tok = Tokenizer(vocab, merges)
    n_tok = sum(len(tok.encode(t)) for t in texts[:500])
    n_chr = sum(len(t) for t in texts[:500])
    print(f"vocab {len(vocab)} merges {len(merges)}; {n_chr / n_tok:.2f} chars/token on 500 training texts")


if __name__ == "__main__":
    main()
