"""Export a micro-encoder checkpoint to the Transformers.js layout of a ModernBERT model.

Writes MODEL_DIR/config.json (model_type modernbert), tokenizer.json, tokenizer_config.json and
onnx/model.onnx (opset 14): inputs input_ids, attention_mask; outputs logits (masked-LM, used by
fill-mask) and last_hidden_state (mean-pooled for embeddings), both with axes batch_size and
sequence_length.

Usage: /usr/bin/python3 export.py --ckpt CKPT --out ../../micro-encoder
"""
import argparse
import json
import os

import torch

from data import CLS, MASK, PAD, SEP, EncoderTokenizer
from model import Config, MicroModernBert


class OnnxWrapper(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask):
        return self.m(input_ids, attention_mask)


def write_config(c: Config, out):
    cfg = {
        "architectures": ["ModernBertForMaskedLM"], "model_type": "modernbert",
        "vocab_size": c.vocab_size, "hidden_size": c.hidden_size, "intermediate_size": c.intermediate_size,
        "num_hidden_layers": c.num_hidden_layers, "num_attention_heads": c.num_attention_heads,
        "max_position_embeddings": c.max_position_embeddings, "hidden_activation": "gelu",
        "norm_eps": c.norm_eps, "norm_bias": False, "attention_bias": False, "mlp_bias": False,
        "decoder_bias": True, "classifier_bias": False, "classifier_pooling": "mean",
        "global_rope_theta": c.global_rope_theta, "local_rope_theta": c.local_rope_theta,
        "local_attention": c.local_attention, "global_attn_every_n_layers": c.global_attn_every_n_layers,
        "attention_dropout": 0.0, "embedding_dropout": 0.0, "mlp_dropout": 0.0,
        "pad_token_id": PAD, "cls_token_id": CLS, "sep_token_id": SEP, "bos_token_id": CLS, "eos_token_id": SEP,
        "mask_token_id": MASK, "tie_word_embeddings": True, "initializer_range": 0.02, "torch_dtype": "float32",
        "transformers_version": "4.48.0",
        "transformers.js_config": {"dtype": "fp32"},
    }
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--spot", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "spot.json"))
    a = ap.parse_args()
    ck = torch.load(a.ckpt, map_location="cpu")
    c = Config(**ck["config"])
    m = MicroModernBert(c)
    m.load_state_dict(ck["model"])
    m.eval()
    os.makedirs(os.path.join(a.out, "onnx"), exist_ok=True)
    write_config(c, a.out)
    tok = EncoderTokenizer()
    with open(os.path.join(a.out, "tokenizer.json"), "w") as f:
        json.dump(tok.tokenizer_json(), f, ensure_ascii=False)
    with open(os.path.join(a.out, "tokenizer_config.json"), "w") as f:
        json.dump(tok.tokenizer_config(c.max_position_embeddings), f, ensure_ascii=False, indent=2)
    from train import pad
    ids, mask = pad([tok.encode("A KV cache stores keys and values."), tok.encode("Tokyo is big.")])
    path = os.path.join(a.out, "onnx", "model.onnx")
    axes = {0: "batch_size", 1: "sequence_length"}
    with torch.no_grad():
        torch.onnx.export(OnnxWrapper(m), (ids, mask), path, input_names=["input_ids", "attention_mask"],
                          output_names=["logits", "last_hidden_state"],
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "logits": axes, "last_hidden_state": axes},
                          opset_version=14, do_constant_folding=False)
    import onnx
    onnx.checker.check_model(onnx.load(path))
    # reference outputs for spot_check.mjs (Transformers.js must reproduce them)
    texts = ["A KV cache stores the keys and values of earlier tokens.", "The capital of Japan is Tokyo.",
             "Which element has the symbol Hg?"]
    masked = "The capital of Japan is [MASK]."
    with torch.no_grad():
        ids_list = [tok.encode(t) for t in texts]
        e = m.embed(*pad(ids_list))
        # [MASK] strips the space before it (lstrip), so the text around it is tokenized in two parts
        mi = tok.encode("The capital of Japan is")[:-1] + [MASK] + tok.encode(".")[1:]
        logits, _ = m(torch.tensor([mi]), torch.ones(1, len(mi), dtype=torch.long))
        top = logits[0, mi.index(MASK)].topk(3).indices.tolist()
    spot = {"texts": texts, "ids": ids_list, "embeddings": [[round(v, 6) for v in row] for row in e.tolist()],
            "masked": masked, "masked_ids": mi, "mask_top3": [tok.decode([i]) for i in top]}
    os.makedirs(os.path.dirname(a.spot), exist_ok=True)
    with open(a.spot, "w") as f:
        json.dump(spot, f, indent=1)
    print(f"exported {path} ({os.path.getsize(path) / 1e6:.2f} MB, {m.n_params() / 1e6:.3f} M params)")


if __name__ == "__main__":
    main()
