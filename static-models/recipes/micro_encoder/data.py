"""Tokenizer and question/passage pairs for micro-encoder.

Tokenizer: the micro-agent's byte-level BPE merges (trained on agent conversations and the corpus)
with BERT-style special tokens instead of the chat tokens, and a [CLS] ... [SEP] post-processor,
written as a tokenizer.json that Transformers.js loads.

Questions (written by templates here, never copied): for each passage of the bundled corpus
- title questions ("What is KV cache?"), where the passage's title appears in the query, and
- content questions, built from the passage's own sentences with the title removed and words
  replaced by synonyms from the table below ("Which idea keeps the attention keys ..."),
  so lexical overlap alone does not find the passage.
Held out: the same 15 % of passages that micro-agent's search task holds out (seeded sample of
ids, seed 1234). Their questions are never used in training; they, with the test templates,
form the evaluation set. Masked-LM training reads all passage texts (as an encoder pre-trained on
the corpus would) but no held-out question.
"""
import json
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.append(os.path.join(HERE, "..", "micro_agent"))  # after this directory: model.py here wins
from tokenizer import B2U, HF_PATTERN, U2B, Tokenizer, pretokenize  # noqa: E402

CORPUS = os.path.join(HERE, "..", "..", "corpus", "passages.jsonl")
AGENT_TOKENIZER = os.path.join(HERE, "..", "..", "micro-agent", "tokenizer.json")
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PAD, UNK, CLS, SEP, MASK = range(5)


class EncoderTokenizer:
    def __init__(self):
        tj = json.load(open(AGENT_TOKENIZER))
        self.merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in tj["model"]["merges"]]
        vocab = {t: i for i, t in enumerate(SPECIAL)}
        for b in range(256):
            vocab[B2U[b]] = len(vocab)
        for a, b in self.merges:
            if a + b not in vocab:
                vocab[a + b] = len(vocab)
        self.vocab = vocab
        self.inv = {v: k for k, v in vocab.items()}
        # micro-agent's BPE over this vocabulary (same merges, other special tokens)
        self.bpe = Tokenizer(vocab, self.merges)

    def encode(self, text, max_len=128):
        ids = [CLS]
        for w in pretokenize(text):
            ids.extend(self.bpe._bpe(w))
        return ids[:max_len - 1] + [SEP]

    def decode(self, ids):
        return bytes(U2B[c] for i in ids if i >= len(SPECIAL) for c in self.inv[i]).decode("utf-8", errors="replace")

    def tokenizer_json(self):
        def special(i):
            t = SPECIAL[i]
            return {"id": i, "content": t, "single_word": False, "lstrip": t == "[MASK]", "rstrip": False,
                    "normalized": False, "special": True}

        def tp(tok):
            return {"SpecialToken": {"id": tok, "type_id": 0}}

        return {
            "version": "1.0", "truncation": None, "padding": None,
            "added_tokens": [special(i) for i in range(len(SPECIAL))],
            "normalizer": None,
            "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": HF_PATTERN}, "behavior": "Isolated", "invert": False},
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]},
            "post_processor": {
                "type": "TemplateProcessing",
                "single": [tp("[CLS]"), {"Sequence": {"id": "A", "type_id": 0}}, tp("[SEP]")],
                "pair": [tp("[CLS]"), {"Sequence": {"id": "A", "type_id": 0}}, tp("[SEP]"),
                         {"Sequence": {"id": "B", "type_id": 0}}, tp("[SEP]")],
                "special_tokens": {t: {"id": t, "ids": [SPECIAL.index(t)], "tokens": [t]} for t in ("[CLS]", "[SEP]")},
            },
            "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                      "vocab": self.vocab, "merges": [[a, b] for a, b in self.merges]},
        }

    def tokenizer_config(self, max_len):
        return {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "cls_token": "[CLS]", "sep_token": "[SEP]", "mask_token": "[MASK]", "pad_token": "[PAD]",
            "unk_token": "[UNK]", "clean_up_tokenization_spaces": False, "model_max_length": max_len,
            "model_input_names": ["input_ids", "attention_mask"],
            "added_tokens_decoder": {str(i): {"content": t, "lstrip": t == "[MASK]", "normalized": False,
                                              "rstrip": False, "single_word": False, "special": True}
                                     for i, t in enumerate(SPECIAL)},
        }


def load_passages():
    return [json.loads(l) for l in open(CORPUS)]


def held_out_ids(passages):
    # identical to micro-agent's data.py, so neither model's training saw these questions
    ids = sorted(p["id"] for p in passages)
    return set(random.Random(1234).sample(ids, len(ids) * 15 // 100))


# synonyms applied to content questions (both splits); the encoder has to learn them from the
# training passages' questions and use them on held-out passages
SYNONYMS = {
    "model": ["network", "system"], "stores": ["keeps", "holds", "saves"], "keeps": ["retains", "holds"],
    "lets": ["allows", "enables"], "each": ["every"], "small": ["tiny", "little"], "large": ["big", "huge"],
    "largest": ["biggest"], "smallest": ["tiniest"], "uses": ["employs", "relies on"], "turns": ["converts", "changes"],
    "text": ["words", "writing"], "answer": ["reply", "response"], "answers": ["replies", "responses"],
    "step": ["stage"], "steps": ["stages"], "run": ["execution"], "runs": ["executes"], "task": ["job", "assignment"],
    "decides": ["chooses", "determines"], "picks": ["chooses", "selects"], "measures": ["quantifies", "gauges"],
    "shrinks": ["reduces", "cuts"], "grows": ["expands", "increases"], "saved": ["stored", "kept"],
    "snapshot": ["copy", "picture"], "reads": ["looks at", "inspects"], "result": ["outcome", "output"],
    "update": ["change", "adjustment"], "updates": ["changes", "adjusts"], "builds": ["constructs", "creates"],
    "makes": ["creates", "produces"], "finds": ["discovers", "locates"], "returns": ["gives back", "sends back"],
    "request": ["ask for"], "probability": ["chance", "likelihood"], "probabilities": ["chances", "likelihoods"],
    "scores": ["ratings", "marks"], "score": ["rating", "mark"], "memory": ["storage", "RAM"],
    "fast": ["quick", "rapid"], "slow": ["sluggish"], "hottest": ["warmest"], "closest": ["nearest"],
    "country": ["nation", "state"], "city": ["town"], "capital": ["seat of government", "capital city"],
    "travels": ["moves", "goes"], "about": ["roughly", "around"], "water": ["H2O"], "animal": ["creature", "beast"],
    "race": ["contest", "competition"], "running": ["jogging"], "energy": ["power"], "heat": ["warmth"],
    "cold": ["chilly", "freezing"], "hot": ["warm", "heated"], "big": ["large"], "tool": ["utility", "function"],
    "loop": ["cycle", "repetition"], "reasoning": ["thinking", "thought"], "human": ["person", "user"],
    "review": ["check", "inspection"], "crash": ["failure"], "words": ["terms"], "rare": ["uncommon", "unusual"],
    "common": ["frequent", "usual"], "output": ["result"], "vector": ["array of numbers"], "close": ["near"],
    "between": ["among"], "matrix": ["table of numbers"], "weights": ["parameters"], "training": ["learning"],
    "trained": ["learned", "taught"], "examples": ["samples", "instances"], "deterministic": ["predictable", "fixed"],
    "varied": ["diverse"], "likely": ["probable"], "raw": ["unnormalized"], "maximum": ["largest", "most"],
    "helps": ["aids", "assists"], "shows": ["displays", "reveals"], "search": ["lookup", "query"],
    "planet": ["world"], "star": ["sun"], "hides": ["conceals"], "hide": ["conceal"], "arms": ["limbs"],
    "kilometers": ["km"], "meters": ["m"], "second": ["sec"], "red": ["reddish"], "host": ["support", "harbor"],
}
STOP = set("a an the is are of to and it its that this in on at by for with as".split())

TITLE_Q = {
    "concept": {"train": ["What is {t}?", "Explain {t}.", "Tell me about {t}.", "What does {t} mean?", "{t}",
                          "Give me a definition of {t}.", "how does {t} work"],
                "test": ["Could you describe {t} in one sentence?", "I need a short explanation of {t}."],
                "dev": ["Please define {t} for me.", "Summarize what {t} is about."]},
    "capital": {"train": ["What is the capital of {t}?", "Name the capital city of {t}.", "{t} capital"],
                "test": ["Which city is the capital of {t}?"],
                "dev": ["Where is the government of {t} seated?"]},
    "element": {"train": ["What is the chemical symbol for {t}?", "What is the symbol of {t}?", "{t} element"],
                "test": ["Which symbol does {t} have in the periodic table?"],
                "dev": ["How is {t} written as a chemical symbol?"]},
    "fact": {"train": ["Tell me about {t}.", "What do you know about {t}?", "Give me a fact about {t}.", "{t}"],
             "test": ["Could you find something about {t}?", "I am curious about {t}. What is it?"],
             "dev": ["Share one thing you know about {t}.", "Look into {t} for me."]},
}
CONTENT_Q = {
    "train": ["Which idea is this: {c}?", "What is the name for this: {c}", "{c}", "Find the passage that says {c}.",
              "What term describes {c}?", "Something that {c}. What is it?"],
    "test": ["I read that {c}. What is that called?", "Look up: {c}", "Which entry explains that {c}?"],
    "dev": ["Someone told me {c}. Which topic is it?", "Search for the note saying {c}"],
}


def kind(p):
    return {"c": "concept", "g": "capital", "e": "element"}.get(p["id"][0], "fact")


WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'.-]*[A-Za-z0-9]|[A-Za-z0-9]")


def content_clause(p, r, synonym_rate=0.6):
    """Words of one sentence of the passage, title words removed, some replaced by synonyms."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", p["text"]) if s]
    s = sentences[0] if len(sentences) == 1 or r.random() < 0.7 else r.choice(sentences[1:])
    title = {w.lower() for w in WORD.findall(p["title"])}
    title |= {w + "s" for w in title}
    words = [w for w in WORD.findall(s) if w.lower() not in title]
    out = []
    for w in words:
        lw = w.lower()
        if lw in SYNONYMS and r.random() < synonym_rate:
            out.append(r.choice(SYNONYMS[lw]))
        elif lw in STOP and r.random() < 0.3:
            continue
        else:
            out.append(w)
    if len(out) > 14:  # a window, as people ask about a part of a fact
        start = r.randint(0, len(out) - 10)
        out = out[start:start + r.randint(8, 14)]
    return " ".join(out)


def question(p, split, r, content=None):
    if content is None:
        content = r.random() < 0.6
    if content:
        return r.choice(CONTENT_Q[split]).format(c=content_clause(p, r)), "content"
    return r.choice(TITLE_Q[kind(p)][split]).format(t=p["title"]), "title"


def test_set(passages, per_passage_title=2, per_passage_content=4, seed=7):
    """Held-out questions: held-out passages, test templates, a separate seed."""
    held = held_out_ids(passages)
    r = random.Random(seed)
    out = []
    for p in passages:
        if p["id"] not in held:
            continue
        for i in range(per_passage_title + per_passage_content):
            q, qk = question(p, "test", r, content=i >= per_passage_title)
            out.append({"query": q, "passage": p["id"], "type": qk})
    return out


def dev_ids(passages):
    """15 % of the non-held-out passages, also kept out of contrastive training: their questions choose
    the hybrid weight, so the weight is tuned on passages the encoder has not been trained to match,
    like the test passages, and never on the test set itself."""
    held = held_out_ids(passages)
    ids = sorted(p["id"] for p in passages if p["id"] not in held)
    return set(random.Random(4321).sample(ids, len(ids) * 15 // 100))


def inverse_cloze(p, r):
    """A query made from the passage's own words (inverse cloze task): a span of one sentence with
    some words dropped. Teaches the encoder to match shared words in general instead of memorizing
    which training question belongs to which passage."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", p["text"]) if s]
    words = WORD.findall(r.choice(sentences))
    if len(words) > 4:
        start = r.randint(0, len(words) - 4)
        words = words[start:start + r.randint(4, 10)]
    kept = [w for w in words if r.random() > 0.25] or words
    return " ".join(kept)


def validation_set(passages, n=400, seed=11):
    """Questions on the dev passages with their own templates (neither training's nor the test's),
    in the test set's mix (one third title questions), for choosing the hybrid weight."""
    dev = dev_ids(passages)
    pool = [p for p in passages if p["id"] in dev]
    r = random.Random(seed)
    out = []
    for i in range(n):
        p = r.choice(pool)
        q, qk = question(p, "dev", r, content=i % 3 != 0)
        out.append({"query": q, "passage": p["id"], "type": qk})
    return out


if __name__ == "__main__":
    ps = load_passages()
    tok = EncoderTokenizer()
    print(f"vocab {len(tok.vocab)}, passages {len(ps)}, held out {len(held_out_ids(ps))}")
    r = random.Random(0)
    for p in ps[::40]:
        print(p["id"], "|", question(p, "train", r, True)[0], "|", question(p, "test", r, False)[0])
    t = test_set(ps)
    print(len(t), "test questions; e.g.", t[:3])
    ids = tok.encode(ps[0]["text"])
    print(len(ids), tok.decode(ids) == ps[0]["text"])
