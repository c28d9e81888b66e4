"""A small Llama-architecture decoder (RMSNorm, RoPE, SwiGLU, grouped-query attention).

Parameter names follow Hugging Face's LlamaForCausalLM so the weights can be loaded there too.
`forward` serves both training (no cache) and the ONNX export (KV cache in, present out,
plus per-layer attention probabilities and the final hidden state).
"""
import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    vocab_size: int = 2048
    hidden_size: int = 256
    intermediate_size: int = 640
    num_hidden_layers: int = 4
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    head_dim: int = 64
    max_position_embeddings: int = 1024
    rope_theta: float = 10000.0
    rms_norm_eps: float = 1e-5
    tie_word_embeddings: bool = True

    def to_dict(self):
        return asdict(self)


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class Attention(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.c = c
        self.q_proj = nn.Linear(c.hidden_size, c.num_attention_heads * c.head_dim, bias=False)
        self.k_proj = nn.Linear(c.hidden_size, c.num_key_value_heads * c.head_dim, bias=False)
        self.v_proj = nn.Linear(c.hidden_size, c.num_key_value_heads * c.head_dim, bias=False)
        self.o_proj = nn.Linear(c.num_attention_heads * c.head_dim, c.hidden_size, bias=False)

    def forward(self, x, cos, sin, bias, past_k=None, past_v=None):
        c = self.c
        B, T, _ = x.shape
        q = self.q_proj(x).view(B, T, c.num_attention_heads, c.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(B, T, c.num_key_value_heads, c.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(B, T, c.num_key_value_heads, c.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        present_k, present_v = k, v
        rep = c.num_attention_heads // c.num_key_value_heads
        # grouped-query attention: expand + reshape (traces dynamically; repeat_interleave does not)
        kx = k.unsqueeze(2).expand(-1, -1, rep, -1, -1).reshape(k.shape[0], c.num_attention_heads, -1, c.head_dim)
        vx = v.unsqueeze(2).expand(-1, -1, rep, -1, -1).reshape(v.shape[0], c.num_attention_heads, -1, c.head_dim)
        scores = torch.matmul(q, kx.transpose(2, 3)) / math.sqrt(c.head_dim) + bias
        probs = torch.softmax(scores, dim=-1)
        out = torch.matmul(probs, vx).transpose(1, 2).reshape(B, T, c.num_attention_heads * c.head_dim)
        return self.o_proj(out), present_k, present_v, probs


class MLP(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.gate_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.up_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.down_proj = nn.Linear(c.intermediate_size, c.hidden_size, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.self_attn = Attention(c)
        self.mlp = MLP(c)
        self.input_layernorm = RMSNorm(c.hidden_size, c.rms_norm_eps)
        self.post_attention_layernorm = RMSNorm(c.hidden_size, c.rms_norm_eps)

    def forward(self, x, cos, sin, bias, past_k=None, past_v=None):
        a, pk, pv, probs = self.self_attn(self.input_layernorm(x), cos, sin, bias, past_k, past_v)
        x = x + a
        x = x + self.mlp(self.post_attention_layernorm(x))
        return x, pk, pv, probs


class Inner(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.embed_tokens = nn.Embedding(c.vocab_size, c.hidden_size)
        self.layers = nn.ModuleList([Layer(c) for _ in range(c.num_hidden_layers)])
        self.norm = RMSNorm(c.hidden_size, c.rms_norm_eps)


class MicroLlama(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.c = c
        self.model = Inner(c)
        self.lm_head = nn.Linear(c.hidden_size, c.vocab_size, bias=False)
        if c.tie_word_embeddings:
            self.lm_head.weight = self.model.embed_tokens.weight
        inv = 1.0 / (c.rope_theta ** (torch.arange(0, c.head_dim, 2).float() / c.head_dim))
        self.register_buffer("inv_freq", inv, persistent=False)
        self.apply(self._init)

    def _init(self, m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)

    def rope(self, position_ids):
        freqs = position_ids.unsqueeze(-1).float() * self.inv_freq  # B T D/2
        emb = torch.cat([freqs, freqs], dim=-1).unsqueeze(1)  # B 1 T D
        return emb.cos(), emb.sin()

    def forward(self, input_ids, attention_mask=None, position_ids=None, past=None):
        """past: list of (k, v) per layer or None. Returns logits, presents, probs, last hidden."""
        B, T = input_ids.shape
        P = 0 if past is None else past[0][0].shape[2]
        if position_ids is None:
            position_ids = torch.arange(T).unsqueeze(0) + P
        cos, sin = self.rope(position_ids)
        q_idx = torch.arange(T).unsqueeze(1) + (past[0][0].shape[2] if past is not None else 0)
        S = T + (past[0][0].shape[2] if past is not None else 0)
        k_idx = torch.arange(S).unsqueeze(0)
        allowed = (k_idx <= q_idx).unsqueeze(0).unsqueeze(0)  # 1 1 T S
        if attention_mask is not None:
            allowed = allowed & attention_mask.bool().unsqueeze(1).unsqueeze(1)  # B 1 T S
        bias = torch.where(allowed, torch.zeros((), dtype=torch.float32), torch.full((), -1e9, dtype=torch.float32))
        x = self.model.embed_tokens(input_ids)
        presents, probs_all = [], []
        for i, layer in enumerate(self.model.layers):
            pk, pv = (past[i] if past is not None else (None, None))
            x, k, v, probs = layer(x, cos, sin, bias, pk, pv)
            presents.append((k, v))
            probs_all.append(probs)
        h = self.model.norm(x)
        return self.lm_head(h), presents, probs_all, h

    def n_params(self):
        return sum(p.numel() for p in self.parameters())
