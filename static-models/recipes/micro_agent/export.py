"""Export a micro-agent checkpoint to the Transformers.js layout.

Writes MODEL_DIR/config.json, generation_config.json and onnx/model.onnx (opset 14) with
inputs input_ids, attention_mask, position_ids, past_key_values.{i}.key/.value and outputs
logits, present.{i}.key/.value, attentions.{i} and last_hidden_state.

Usage: /usr/bin/python3 export.py --ckpt ckpt/last.pt --out ../../micro-agent
"""
import argparse
import json
import os

import torch

from model import Config, MicroLlama

SPECIAL_IDS = {"pad": 0, "bos": 1, "endoftext": 2, "im_start": 3, "im_end": 4}


class OnnxWrapper(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask, position_ids, *past_flat):
        n = self.m.c.num_hidden_layers
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(n)]
        logits, presents, probs, h = self.m(input_ids, attention_mask, position_ids, past)
        out = [logits]
        for k, v in presents:
            out += [k, v]
        out += probs
        out.append(h)
        return tuple(out)


def write_configs(c: Config, out):
    cfg = {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama",
        "vocab_size": c.vocab_size, "hidden_size": c.hidden_size, "intermediate_size": c.intermediate_size,
        "num_hidden_layers": c.num_hidden_layers, "num_attention_heads": c.num_attention_heads,
        "num_key_value_heads": c.num_key_value_heads, "head_dim": c.head_dim,
        "max_position_embeddings": c.max_position_embeddings, "rope_theta": c.rope_theta,
        "rms_norm_eps": c.rms_norm_eps, "hidden_act": "silu", "tie_word_embeddings": c.tie_word_embeddings,
        "attention_bias": False, "mlp_bias": False, "initializer_range": 0.02, "torch_dtype": "float32",
        "bos_token_id": SPECIAL_IDS["bos"], "eos_token_id": SPECIAL_IDS["im_end"], "pad_token_id": SPECIAL_IDS["pad"],
        "use_cache": True, "transformers_version": "4.46.0",
        "transformers.js_config": {"dtype": "fp32", "kv_cache_dtype": "float32"},
    }
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    gen = {"bos_token_id": SPECIAL_IDS["bos"], "eos_token_id": [SPECIAL_IDS["im_end"], SPECIAL_IDS["endoftext"]],
           "pad_token_id": SPECIAL_IDS["pad"], "do_sample": False, "max_new_tokens": 128}
    with open(os.path.join(out, "generation_config.json"), "w") as f:
        json.dump(gen, f, indent=2)


def export(m: MicroLlama, out):
    c = m.c
    m.eval()
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    write_configs(c, out)
    B, T, P = 2, 3, 4
    ids = torch.randint(0, c.vocab_size, (B, T))
    am = torch.ones(B, P + T, dtype=torch.long)
    pos = torch.arange(P, P + T).unsqueeze(0).expand(B, T).contiguous()
    past = []
    for _ in range(c.num_hidden_layers):
        past += [torch.randn(B, c.num_key_value_heads, P, c.head_dim), torch.randn(B, c.num_key_value_heads, P, c.head_dim)]
    n = c.num_hidden_layers
    in_names = ["input_ids", "attention_mask", "position_ids"]
    out_names = ["logits"]
    dyn = {"input_ids": {0: "batch_size", 1: "sequence_length"},
           "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
           "position_ids": {0: "batch_size", 1: "sequence_length"},
           "logits": {0: "batch_size", 1: "sequence_length"}}
    for i in range(n):
        for kv in ("key", "value"):
            a, b = f"past_key_values.{i}.{kv}", f"present.{i}.{kv}"
            in_names.append(a)
            out_names.append(b)
            dyn[a] = {0: "batch_size", 2: "past_sequence_length"}
            dyn[b] = {0: "batch_size", 2: "total_sequence_length"}
    for i in range(n):
        out_names.append(f"attentions.{i}")
        dyn[f"attentions.{i}"] = {0: "batch_size", 2: "sequence_length", 3: "total_sequence_length"}
    out_names.append("last_hidden_state")
    dyn["last_hidden_state"] = {0: "batch_size", 1: "sequence_length"}
    path = os.path.join(out, "onnx", "model.onnx")
    with torch.no_grad():
        torch.onnx.export(OnnxWrapper(m), (ids, am, pos, *past), path, input_names=in_names, output_names=out_names,
                          dynamic_axes=dyn, opset_version=14, do_constant_folding=False)
    # with constant folding off the tied embedding stays one initializer (lm_head = a Transpose of it)
    import onnx
    model = onnx.load(path)
    onnx.checker.check_model(model)
    print(f"exported {path} ({os.path.getsize(path) / 1e6:.2f} MB, {m.n_params() / 1e6:.3f} M params)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=None, help="checkpoint from train.py; omit for an untrained model")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.manual_seed(0)
    if a.ckpt:
        ck = torch.load(a.ckpt, map_location="cpu")
        c = Config(**ck["config"])
        m = MicroLlama(c)
        m.load_state_dict(ck["model"])
    else:
        m = MicroLlama(Config())
    export(m, a.out)


if __name__ == "__main__":
    main()
