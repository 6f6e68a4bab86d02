#!/usr/bin/python3
"""Reference fixtures for the C++ transformer, made with plain PyTorch (Debian's python3-torch).

This is an independent reading of transformers' modeling_llama.py and modeling_gemma2.py (eager
attention), written without the project's C++ code. It builds two tiny random checkpoints that
switch on every family feature (GQA, tied embeddings, llama3 RoPE scaling; Gemma-2 soft-caps,
sliding window on alternating layers, query_pre_attn_scalar != head_dim, (1+w) norms, sandwich
norms, embedding scale), saves them in Hugging Face layout and writes reference.safetensors with
input ids, logits, hidden states, loss and the gradient with respect to a one-hot input.

Run with Debian's interpreter:  /usr/bin/python3 tests/model/reference/make_fixtures.py OUT_DIR

The shipped demo model is a fixture too: with --demo, the same plain forward reads
models/demo-reasoner (config.json, model.safetensors, tokenizer.json) and writes the reference of
one real question, instruction and worked answer; rerun it whenever the demo model is retrained:
  /usr/bin/python3 tests/model/reference/make_fixtures.py --demo models/demo-reasoner \
      tests/fixtures/models/demo_reasoner
"""
import json
import math
import os
import struct
import sys

import torch

T = 12  # sequence length of the reference input


# ---------------------------------------------------------------- safetensors (stdlib writer)
DTYPES = {torch.float32: ("F32", 4), torch.int64: ("I64", 8), torch.bfloat16: ("BF16", 2)}


def save_safetensors(tensors, path):
    items = sorted(tensors.items(), key=lambda kv: (-DTYPES[kv[1].dtype][1], kv[0]))
    header, blobs, offset = {}, [], 0
    for name, t in items:
        t = t.detach().contiguous()
        raw = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype][0], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def load_safetensors(path):
    """F32 tensors of a safetensors file, read with the standard library (no project code)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise SystemExit(f"{path}: {name} is {info['dtype']}, this reader takes F32 only")
        begin, end = info["data_offsets"]
        raw = bytearray(data[begin:end])
        out[name] = torch.frombuffer(raw, dtype=torch.float32).reshape(info["shape"]).clone()
    return out


# ---------------------------------------------------------------- the model, plain PyTorch
def rms_norm(x, w, eps, plus_one):
    x32 = x.float()
    normed = x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + eps)
    if plus_one:
        return (normed * (1.0 + w.float())).to(x.dtype)
    return w * normed.to(x.dtype)


def inv_frequencies(cfg):
    d = cfg["head_dim"]
    inv = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
    rs = cfg.get("rope_scaling")
    if not rs:
        return inv
    factor, low, high = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
    old = rs["original_max_position_embeddings"]
    low_wl, high_wl = old / low, old / high
    out = []
    for f in inv.tolist():
        wl = 2 * math.pi / f
        if wl < high_wl:
            out.append(f)
        elif wl > low_wl:
            out.append(f / factor)
        else:
            s = (old / wl - low) / (high - low)
            out.append((1 - s) * f / factor + s * f)
    return torch.tensor(out, dtype=torch.float32)


def rotate(x, cos, sin):
    h = x.shape[-1] // 2
    return x * cos + torch.cat([-x[..., h:], x[..., :h]], -1) * sin


def forward(cfg, W, embeds):
    """embeds: [1, T, hidden] unscaled. Returns logits [1, T, V] and hidden states."""
    gemma = cfg["model_type"] == "gemma2"
    L, H, KV, D = cfg["num_hidden_layers"], cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
    x = embeds
    if gemma:
        x = x * torch.tensor(cfg["hidden_size"] ** 0.5, dtype=x.dtype)
    n = x.shape[1]
    pos = torch.arange(n).float()
    freqs = pos[:, None] * inv_frequencies(cfg)[None, :]
    emb = torch.cat([freqs, freqs], -1)
    cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
    scale = (cfg["query_pre_attn_scalar"] if gemma else D) ** -0.5
    eps = cfg["rms_norm_eps"]
    hidden = []
    for l in range(L):
        hidden.append(x)
        p = f"model.layers.{l}."
        h = rms_norm(x, W[p + "input_layernorm.weight"], eps, gemma)
        q = (h @ W[p + "self_attn.q_proj.weight"].T).view(1, n, H, D).transpose(1, 2)
        k = (h @ W[p + "self_attn.k_proj.weight"].T).view(1, n, KV, D).transpose(1, 2)
        v = (h @ W[p + "self_attn.v_proj.weight"].T).view(1, n, KV, D).transpose(1, 2)
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        k = k.repeat_interleave(H // KV, dim=1)
        v = v.repeat_interleave(H // KV, dim=1)
        s = (q @ k.transpose(-1, -2)) * scale
        if gemma and cfg.get("attn_logit_softcapping"):
            c = cfg["attn_logit_softcapping"]
            s = torch.tanh(s / c) * c
        i = torch.arange(n)[:, None]
        j = torch.arange(n)[None, :]
        allowed = j <= i
        if gemma and l % 2 == 0:  # even layers use the sliding window
            allowed &= (i - j) < cfg["sliding_window"]
        s = s.masked_fill(~allowed, torch.finfo(s.dtype).min)
        a = torch.softmax(s, -1, dtype=torch.float32).to(q.dtype) @ v
        a = a.transpose(1, 2).reshape(1, n, H * D) @ W[p + "self_attn.o_proj.weight"].T
        if gemma:
            x = x + rms_norm(a, W[p + "post_attention_layernorm.weight"], eps, True)
            h = rms_norm(x, W[p + "pre_feedforward_layernorm.weight"], eps, True)
        else:
            x = x + a
            h = rms_norm(x, W[p + "post_attention_layernorm.weight"], eps, False)
        g = h @ W[p + "mlp.gate_proj.weight"].T
        g = torch.nn.functional.gelu(g, approximate="tanh") if gemma else torch.nn.functional.silu(g)
        m = (g * (h @ W[p + "mlp.up_proj.weight"].T)) @ W[p + "mlp.down_proj.weight"].T
        if gemma:
            m = rms_norm(m, W[p + "post_feedforward_layernorm.weight"], eps, True)
        x = x + m
    x = rms_norm(x, W["model.norm.weight"], eps, gemma)
    hidden.append(x)
    logits = x @ W["model.embed_tokens.weight"].T  # both tiny models are tied
    if gemma and cfg.get("final_logit_softcapping"):
        c = cfg["final_logit_softcapping"]
        logits = torch.tanh(logits / c) * c
    return logits, hidden


# ---------------------------------------------------------------- tiny checkpoints
LLAMA = {
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 96, "hidden_size": 64,
    "intermediate_size": 160, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
    "head_dim": 16, "max_position_embeddings": 128, "rms_norm_eps": 1e-5, "rope_theta": 500000.0,
    "rope_scaling": {"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                     "original_max_position_embeddings": 32},
    "tie_word_embeddings": True, "hidden_act": "silu", "attention_bias": False, "mlp_bias": False,
    "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "float32",
}
GEMMA2 = {
    "architectures": ["Gemma2ForCausalLM"], "model_type": "gemma2", "vocab_size": 96, "hidden_size": 64,
    "intermediate_size": 96, "num_hidden_layers": 4, "num_attention_heads": 4, "num_key_value_heads": 2,
    "head_dim": 16, "query_pre_attn_scalar": 24, "sliding_window": 4, "attn_logit_softcapping": 5.0,
    "final_logit_softcapping": 3.0, "max_position_embeddings": 128, "rms_norm_eps": 1e-6,
    "rope_theta": 10000.0, "hidden_activation": "gelu_pytorch_tanh", "tie_word_embeddings": True,
    "attention_bias": False, "bos_token_id": 2, "eos_token_id": 1, "pad_token_id": 0,
    "torch_dtype": "float32",
}


def make_weights(cfg, gen):
    gemma = cfg["model_type"] == "gemma2"
    hs, ff, D = cfg["hidden_size"], cfg["intermediate_size"], cfg["head_dim"]
    H, KV = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    W = {"model.embed_tokens.weight": torch.randn(cfg["vocab_size"], hs, generator=gen) * 0.2}
    norms = ["input_layernorm", "post_attention_layernorm"]
    if gemma:
        norms += ["pre_feedforward_layernorm", "post_feedforward_layernorm"]
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        for name, shape in [("self_attn.q_proj", (H * D, hs)), ("self_attn.k_proj", (KV * D, hs)),
                            ("self_attn.v_proj", (KV * D, hs)), ("self_attn.o_proj", (hs, H * D)),
                            ("mlp.gate_proj", (ff, hs)), ("mlp.up_proj", (ff, hs)), ("mlp.down_proj", (hs, ff))]:
            W[p + name + ".weight"] = torch.randn(*shape, generator=gen) * 0.2
        for nm in norms:  # random norms so that (1+w) versus w matters
            W[p + nm + ".weight"] = (0.0 if gemma else 1.0) + 0.3 * torch.randn(hs, generator=gen)
    W["model.norm.weight"] = (0.0 if gemma else 1.0) + 0.3 * torch.randn(hs, generator=gen)
    return W


def reference(cfg, W, ids):
    E = W["model.embed_tokens.weight"]
    onehot = torch.nn.functional.one_hot(ids, cfg["vocab_size"]).float().requires_grad_(True)
    logits, hidden = forward(cfg, W, onehot @ E)
    loss = torch.nn.functional.cross_entropy(logits[0, :-1], ids[0, 1:])
    loss.backward()
    out = {"input_ids": ids, "logits": logits.detach(), "loss": loss.detach().reshape(1),
           "onehot_grad": onehot.grad.detach()}
    for i, h in enumerate(hidden):
        out[f"hidden_{i}"] = h.detach()
    return out


# One held-out-style question, a good instruction and the worked answer, as the model is used.
DEMO_TEXT = ("<bos> Q : start 9 , step1 + 4 , step2 * 3 , step3 - 7 . let's think step by step . "
             "step1 9 + 4 = 3 ; step2 3 * 3 = 9 ; step3 9 - 7 = 2 ; answer 2 <eos>")


def demo_reference(model_dir, out_dir):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    cfg.setdefault("head_dim", cfg["hidden_size"] // cfg["num_attention_heads"])
    with open(os.path.join(model_dir, "tokenizer.json")) as f:
        vocab = json.load(f)["model"]["vocab"]  # WordLevel: word -> id
    W = load_safetensors(os.path.join(model_dir, "model.safetensors"))
    ids = torch.tensor([[vocab[w] for w in DEMO_TEXT.split()]])
    ref = reference(cfg, W, ids)
    # Sanity of the reading itself: the trained model predicts its own worked answer.
    words = DEMO_TEXT.split()
    start = len(words) - 1 - words[::-1].index("step1")  # the working's step1, not the question's
    predicted = ref["logits"][0, start - 1:-1].argmax(-1)
    agree = (predicted == ids[0, start:]).float().mean().item()
    if agree < 0.99:
        raise SystemExit(f"{model_dir}: the reference predicts only {agree:.0%} of the working")
    os.makedirs(out_dir, exist_ok=True)
    save_safetensors(ref, os.path.join(out_dir, "reference.safetensors"))
    print(f"{out_dir}: {ids.shape[1]} tokens, loss {ref['loss'].item():.4f}, working predicted {agree:.0%}")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--demo":
        torch.set_num_threads(1)
        demo_reference(sys.argv[2], sys.argv[3])
        return
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/models"
    torch.set_num_threads(1)
    for name, cfg, seed in [("llama_tiny", LLAMA, 1), ("gemma2_tiny", GEMMA2, 2)]:
        gen = torch.Generator().manual_seed(seed)
        W = make_weights(cfg, gen)
        ids = torch.randint(0, cfg["vocab_size"], (1, T), generator=gen)
        d = os.path.join(out_dir, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
        save_safetensors(W, os.path.join(d, "model.safetensors"))
        save_safetensors(reference(cfg, W, ids), os.path.join(d, "reference.safetensors"))
        print(f"{d}: {sum(t.numel() for t in W.values())} parameters")


if __name__ == "__main__":
    main()
