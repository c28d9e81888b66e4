"""micro-encoder: a small encoder in the ModernBERT architecture, written for torch 1.13.

Module and parameter names follow Hugging Face's ModernBertForMaskedLM (model.embeddings.tok_embeddings,
model.layers.{i}.attn.Wqkv, mlp.Wi, head.dense, decoder, ...) so that the state dict maps one to one:
- pre-norm layers with bias-free LayerNorm; the first layer has no attention norm (the embedding norm
  precedes it);
- fused QKV projection, rotary position embedding, global attention every
  `global_attn_every_n_layers` layers (rope theta `global_rope_theta`), sliding-window attention of
  `local_attention` tokens in between (rope theta `local_rope_theta`);
- GeGLU feed-forward (Wi projects to 2 x intermediate; GELU of the first half times the second);
- a masked-LM head (dense, GELU, norm) and a decoder tied to the token embeddings, with a bias.
"""
import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    vocab_size: int = 2040
    hidden_size: int = 128
    intermediate_size: int = 256
    num_hidden_layers: int = 4
    num_attention_heads: int = 4
    max_position_embeddings: int = 512
    norm_eps: float = 1e-5
    global_rope_theta: float = 160000.0
    local_rope_theta: float = 10000.0
    local_attention: int = 128
    global_attn_every_n_layers: int = 3

    def to_dict(self):
        return asdict(self)


class BiasFreeLayerNorm(nn.Module):
    # torch 1.13's nn.LayerNorm cannot drop only the bias; ModernBERT's norms have a weight and no bias
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, None, self.eps)


def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.tok_embeddings = nn.Embedding(c.vocab_size, c.hidden_size)
        self.norm = BiasFreeLayerNorm(c.hidden_size, c.norm_eps)

    def forward(self, ids):
        return self.norm(self.tok_embeddings(ids))


class Attention(nn.Module):
    def __init__(self, c, layer_id):
        super().__init__()
        self.c = c
        self.n_heads = c.num_attention_heads
        self.head_dim = c.hidden_size // c.num_attention_heads
        self.is_global = layer_id % c.global_attn_every_n_layers == 0
        self.theta = c.global_rope_theta if self.is_global else c.local_rope_theta
        self.Wqkv = nn.Linear(c.hidden_size, 3 * c.hidden_size, bias=False)
        self.Wo = nn.Linear(c.hidden_size, c.hidden_size, bias=False)

    def forward(self, x, key_mask):
        B, T, D = x.shape
        qkv = self.Wqkv(x).view(B, T, 3, self.n_heads, self.head_dim)
        q, k, v = qkv.unbind(dim=2)  # B T H Dh
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        pos = torch.arange(T, dtype=torch.float32)
        inv = 1.0 / (self.theta ** (torch.arange(0, self.head_dim, 2, dtype=torch.float32) / self.head_dim))
        freqs = pos[:, None] * inv[None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_dim)
        # additive mask: padding keys always; outside the sliding window on local layers
        bias = (1.0 - key_mask[:, None, None, :].to(scores.dtype)) * -1e9
        if not self.is_global:
            idx = torch.arange(T)
            far = (idx[:, None] - idx[None, :]).abs() > self.c.local_attention // 2
            bias = bias + far.to(scores.dtype)[None, None] * -1e9
        probs = torch.softmax(scores + bias, dim=-1)
        out = (probs @ v).transpose(1, 2).reshape(B, T, D)
        return self.Wo(out)


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.Wi = nn.Linear(c.hidden_size, 2 * c.intermediate_size, bias=False)
        self.Wo = nn.Linear(c.intermediate_size, c.hidden_size, bias=False)

    def forward(self, x):
        inp, gate = self.Wi(x).chunk(2, dim=-1)
        return self.Wo(F.gelu(inp) * gate)


class Layer(nn.Module):
    def __init__(self, c, layer_id):
        super().__init__()
        self.attn_norm = nn.Identity() if layer_id == 0 else BiasFreeLayerNorm(c.hidden_size, c.norm_eps)
        self.attn = Attention(c, layer_id)
        self.mlp_norm = BiasFreeLayerNorm(c.hidden_size, c.norm_eps)
        self.mlp = MLP(c)

    def forward(self, x, key_mask):
        x = x + self.attn(self.attn_norm(x), key_mask)
        return x + self.mlp(self.mlp_norm(x))


class Backbone(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = Embeddings(c)
        self.layers = nn.ModuleList([Layer(c, i) for i in range(c.num_hidden_layers)])
        self.final_norm = BiasFreeLayerNorm(c.hidden_size, c.norm_eps)

    def forward(self, ids, mask):
        x = self.embeddings(ids)
        for layer in self.layers:
            x = layer(x, mask)
        return self.final_norm(x)


class Head(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size, bias=False)
        self.norm = BiasFreeLayerNorm(c.hidden_size, c.norm_eps)

    def forward(self, h):
        return self.norm(F.gelu(self.dense(h)))


class MicroModernBert(nn.Module):
    """Backbone + masked-LM head. forward returns (logits, last_hidden_state)."""

    def __init__(self, c: Config):
        super().__init__()
        self.c = c
        self.model = Backbone(c)
        self.head = Head(c)
        self.decoder = nn.Linear(c.hidden_size, c.vocab_size, bias=True)
        self.decoder.weight = self.model.embeddings.tok_embeddings.weight
        self.apply(self._init)

    @staticmethod
    def _init(mod):
        if isinstance(mod, (nn.Linear, nn.Embedding)):
            nn.init.trunc_normal_(mod.weight, std=0.02, a=-0.04, b=0.04)
        if isinstance(mod, nn.Linear) and mod.bias is not None:
            nn.init.zeros_(mod.bias)

    def forward(self, ids, mask):
        h = self.model(ids, mask)
        return self.decoder(self.head(h)), h

    def embed(self, ids, mask):
        """Mean-pooled, L2-normalized sentence embedding (what the app's embed() computes)."""
        h = self.model(ids, mask)
        m = mask.unsqueeze(-1).to(h.dtype)
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1)
        return F.normalize(pooled, dim=-1)

    def n_params(self):
        return sum(p.numel() for p in self.parameters())
