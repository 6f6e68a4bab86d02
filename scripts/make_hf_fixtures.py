#!/usr/bin/env python3
"""Parity fixtures made by Hugging Face transformers for the C++ transformer.

For each supported architecture it builds a tiny random checkpoint with transformers, saves it
with save_pretrained (config.json, model.safetensors in BF16, generation_config.json) and writes
reference.safetensors with what transformers computes on CPU (eager attention):

  input_ids [1, T]           the test sequence (T longer than every sliding window)
  logits [1, T, V]           fp32 forward
  hidden_<i> [1, T, hidden]  hidden states, i = 0..num_layers (the last one after the final norm)
  loss []                    mean next-token cross-entropy (labels = input_ids)
  onehot_grad [T, V]         d loss / d one-hot input = (d loss / d input embeddings) · Eᵀ
  grad_position []           the position the optimizer-style check looks at
  logits_bf16 [1, T, V]      forward of the same weights cast to bfloat16 (stored as fp32)
  bf16_rounding_error []     max |logits_bf16 - logits|: how far bf16 alone moves the logits
  prompt_ids [1, P]          prompt of the greedy run
  generated_ids [32]         model.generate(prompt, do_sample=False, max_new_tokens=32), no EOS
  min_top2_margin []         smallest top-1 minus top-2 logit over the 32 greedy steps

Checkpoints (each switches on its family's features):
  llama_hf   GQA, tied embeddings, llama3 RoPE scaling
  gemma2_hf  logit soft-caps, sliding window (4) shorter than T, query_pre_attn_scalar != head_dim
  qwen2_hf   q/k/v biases, untied lm_head
  mistral_hf sliding window (5) on every layer, untied lm_head

Weights are rounded to bfloat16 values and the checkpoint is stored in BF16 (the fixtures stay
well under 2 MB); the references are computed in fp32 from the same values.

Random weights are drawn large enough (std 0.2, perturbed norms, non-zero biases) that every
feature changes the output; transformers' own init (std 0.02, zero biases, unit norms) would
hide bias and norm bugs.

Run in the reference environment (scripts/reference_env.sh):
    .venv-reference/bin/python scripts/make_hf_fixtures.py tests/fixtures/hf
"""
import copy
import json
import sys
from pathlib import Path

import safetensors.torch
import torch
import transformers
from transformers import (Gemma2Config, LlamaConfig, MistralConfig, Qwen2Config,
                          AutoModelForCausalLM)

T = 12           # test sequence length
PROMPT = 6       # greedy prompt length
NEW_TOKENS = 32  # greedy steps
GRAD_POSITION = 7
MIN_MARGIN = 1e-3  # a greedy run is kept only when no step is a near tie

COMMON = dict(vocab_size=128, hidden_size=64, num_attention_heads=4, num_key_value_heads=2,
              head_dim=16, max_position_embeddings=128, bos_token_id=1, eos_token_id=2,
              pad_token_id=0)


def configs():
    return {
        "llama_hf": LlamaConfig(
            **COMMON, intermediate_size=160, num_hidden_layers=2, rms_norm_eps=1e-5,
            tie_word_embeddings=True,
            rope_parameters={"rope_type": "llama3", "rope_theta": 500000.0, "factor": 32.0,
                             "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                             "original_max_position_embeddings": 32}),
        "gemma2_hf": Gemma2Config(
            **COMMON, intermediate_size=96, num_hidden_layers=4, rms_norm_eps=1e-6,
            query_pre_attn_scalar=24, sliding_window=4, attn_logit_softcapping=5.0,
            final_logit_softcapping=3.0, tie_word_embeddings=True),
        "qwen2_hf": Qwen2Config(
            **COMMON, intermediate_size=128, num_hidden_layers=2, rms_norm_eps=1e-6,
            tie_word_embeddings=False, use_sliding_window=False),
        "mistral_hf": MistralConfig(
            **COMMON, intermediate_size=128, num_hidden_layers=2, rms_norm_eps=1e-5,
            sliding_window=5, tie_word_embeddings=False),
    }


def randomize(model, gemma, seed):
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=gen)
            if "norm" in name:  # Gemma stores w for (1 + w); the others w itself
                p.copy_(noise * 0.1 if gemma else 1.0 + noise * 0.1)
            elif gemma and "embed_tokens" in name:
                # Gemma multiplies embeddings by sqrt(hidden): keep the scaled rows at std 0.2 so
                # that the input token does not dominate the residual stream (greedy decoding of
                # such a model repeats one token, which tests the cache little).
                p.copy_(noise * 0.2 / model.config.hidden_size**0.5)
            elif name.endswith(".bias"):
                p.copy_(noise * 0.1)
            else:
                p.copy_(noise * 0.2)
            # bf16-representable values: the checkpoint is stored in BF16 (half the bytes, and
            # the loader's BF16 path is exercised) while fp32 computation sees the same weights.
            p.copy_(p.to(torch.bfloat16).float())


def greedy(model, prompt):
    out = model.generate(prompt, do_sample=False, max_new_tokens=NEW_TOKENS,
                         min_new_tokens=NEW_TOKENS, eos_token_id=None, pad_token_id=0,
                         output_scores=True, return_dict_in_generate=True)
    margins = [s[0].topk(2).values for s in out.scores]
    margin = min(float(v[0] - v[1]) for v in margins)
    return out.sequences[0, prompt.shape[1]:], margin


def references(name, model, seed):
    gen = torch.Generator().manual_seed(seed + 1000)
    vocab = model.config.vocab_size
    ids = torch.randint(3, vocab, (1, T), generator=gen)
    model.eval()
    embedding = model.get_input_embeddings()
    embed = embedding.weight
    embeds = embed[ids].detach().clone().requires_grad_(True)
    # Gemma's embedding module multiplies by sqrt(hidden) (transformers 5 does it there, so
    # inputs_embeds must come scaled); the gradient is taken w.r.t. the unscaled rows, as the
    # optimizer's one-hot gradient is.
    scale = getattr(embedding, "embed_scale", None)
    scaled = embeds * scale.to(embeds.dtype) if scale is not None else embeds
    out = model(inputs_embeds=scaled, labels=ids, output_hidden_states=True)
    out.loss.backward()
    ref = {
        "input_ids": ids,
        "logits": out.logits.detach(),
        "loss": out.loss.detach(),
        "onehot_grad": (embeds.grad[0] @ embed.detach().T),
        "grad_position": torch.tensor(GRAD_POSITION),
    }
    for i, h in enumerate(out.hidden_states):
        ref[f"hidden_{i}"] = h.detach()
    with torch.no_grad():
        # The last hidden state must be the final norm's output (the C++ test's convention).
        last = model.model(input_ids=ids).last_hidden_state
        last_recorded = ref[f"hidden_{len(out.hidden_states) - 1}"]
        assert (last - last_recorded).abs().max() < 1e-5, name
        ids_logits = model(input_ids=ids).logits
        assert (ids_logits - ref["logits"]).abs().max() < 1e-5, name

    # Greedy decoding: of 40 seeded prompts without a near tie, the one whose continuation has
    # the most distinct tokens (tied random models tend to fall into repeating one token).
    best = None
    for attempt in range(40):
        candidate = torch.randint(3, vocab, (1, PROMPT), generator=gen)
        with torch.no_grad():
            tokens_c, margin_c = greedy(model, candidate)
        distinct = len(set(tokens_c.tolist()))
        if margin_c >= MIN_MARGIN and (best is None or distinct > best[0]):
            best = (distinct, candidate, tokens_c, margin_c)
    if best is None:
        sys.exit(f"{name}: every greedy prompt had a near tie")
    _, prompt, tokens, margin = best
    ref["prompt_ids"] = prompt
    ref["generated_ids"] = tokens
    ref["min_top2_margin"] = torch.tensor(margin)

    bf16 = AutoModelForCausalLM.from_config(model.config, dtype=torch.bfloat16,
                                            attn_implementation="eager")
    bf16.load_state_dict({k: v.to(torch.bfloat16) for k, v in model.state_dict().items()})
    bf16.eval()
    with torch.no_grad():
        logits_bf16 = bf16(input_ids=ids).logits.float()
    ref["logits_bf16"] = logits_bf16
    ref["bf16_rounding_error"] = (logits_bf16 - ref["logits"]).abs().max()
    return {k: v.contiguous() for k, v in ref.items()}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out_dir = Path(sys.argv[1])
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    manifest = {
        "script": "scripts/make_hf_fixtures.py",
        "command": ".venv-reference/bin/python scripts/make_hf_fixtures.py tests/fixtures/hf",
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "safetensors": safetensors.__version__,
        "attention": "eager, CPU",
        "models": {},
    }
    for seed, (name, config) in enumerate(configs().items()):
        torch.manual_seed(seed)
        model = AutoModelForCausalLM.from_config(config, dtype=torch.float32,
                                                 attn_implementation="eager")
        randomize(model, config.model_type == "gemma2", seed)
        folder = out_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        # A copy is cast: casting the model itself would round its non-persistent fp32 buffers
        # (RoPE inverse frequencies, Gemma's embedding scale) to bf16 for the references too.
        copy.deepcopy(model).to(torch.bfloat16).save_pretrained(folder)
        ref = references(name, model, seed)
        safetensors.torch.save_file(ref, str(folder / "reference.safetensors"))
        manifest["models"][name] = {
            "model_type": config.model_type,
            "seed": seed,
            "loss": float(ref["loss"]),
            "bf16_rounding_error": float(ref["bf16_rounding_error"]),
            "min_top2_margin": float(ref["min_top2_margin"]),
            "generated_ids": ref["generated_ids"].tolist(),
        }
        print(name, json.dumps(manifest["models"][name]))
    with open(out_dir / "MANIFEST.json", "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
