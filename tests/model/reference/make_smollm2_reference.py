"""Reference data for SmolLM2-135M-Instruct (GGUF), made with Hugging Face transformers.

transformers reads the same GGUF file (gguf_file=...): it dequantizes to float32, undoes
llama.cpp's Q/K permutation and builds a fast tokenizer from the metadata. This script writes
what the C++ tests (tests/model/test_smollm2_parity.cpp, tests/tokenizer/smollm2_tokenizer_test.cpp)
compare against, into tests/fixtures/smollm2/:

  tokenizer_reference.jsonl  {"text", "ids", "ids_pre"}: the strings of
                             tests/fixtures/tokenizer/*_reference.jsonl. "ids": transformers'
                             GGUF-built tokenizer as it is; "ids_pre": the same tokenizer with the
                             split that tokenizer.ggml.pre = "smollm" names (llama.cpp: every
                             \p{N} character on its own, then GPT-2's regex). transformers ignores
                             tokenizer.ggml.pre, so the two differ on strings with digits
  chat_reference.jsonl       {"question", "prompt", "ids"}: apply_chat_template of one user turn
                             "question prompt" with add_generation_prompt=True
  reference.safetensors      the ChatML question's ids, argmax at every position, logits at a
                             fixed set of vocabulary ids, loss, the one-hot input gradient at one
                             prompt position, and greedy 64-token continuations of 5 questions

Run in the reference environment (scripts/reference_env.sh; transformers also needs the
`accelerate` package to load a GGUF), after scripts/get_smollm2.sh:
  .venv-reference/bin/python tests/model/reference/make_smollm2_reference.py \
      models/smollm2-135m-instruct tests/fixtures/smollm2 [--tokenizer-only]
"""
import glob
import json
import os
import sys

import torch
from safetensors.torch import save_file
from tokenizers import Regex, pre_tokenizers
from transformers import AutoModelForCausalLM, AutoTokenizer

GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
QUESTIONS = [
    "What is the capital of France?",
    "Is the following sentence plausible? \"Joao Moutinho caught the screen pass in the NFC championship.\"",
    "Today is Christmas Eve of 1937. What is the date tomorrow in MM/DD/YYYY?",
    "Name three primary colors.",
    "If you follow these instructions, do you return to the starting point? Take 2 steps. Turn around. Take 2 steps.",
]
PROMPT = "Let's think step by step."
PARITY_QUESTION = "Which is heavier, a kilogram of feathers or a kilogram of iron?"
VOCAB_SAMPLE = 256  # logits compared at this many fixed vocabulary ids (plus every argmax)


def main(model_dir, out_dir, tokenizer_only):
    torch.manual_seed(0)
    torch.set_num_threads(2)
    os.makedirs(out_dir, exist_ok=True)
    tok = AutoTokenizer.from_pretrained(model_dir, gguf_file=GGUF)
    # The split llama.cpp applies for tokenizer.ggml.pre = "smollm", on a copy of the tokenizer.
    tok_pre = AutoTokenizer.from_pretrained(model_dir, gguf_file=GGUF)
    tok_pre.backend_tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"\p{N}"), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])

    # Tokenizer ids on the shared tokenizer test strings.
    texts = []
    here = os.path.dirname(os.path.abspath(__file__))
    for path in sorted(glob.glob(os.path.join(here, "../../fixtures/tokenizer/*_reference.jsonl"))):
        with open(path, encoding="utf-8") as f:
            for line in f:
                text = json.loads(line)["text"]
                if text not in texts:
                    texts.append(text)
    with open(os.path.join(out_dir, "tokenizer_reference.jsonl"), "w", encoding="utf-8") as f:
        for text in texts:
            ids = tok(text, add_special_tokens=False)["input_ids"]
            ids_pre = tok_pre(text, add_special_tokens=False)["input_ids"]
            f.write(json.dumps({"text": text, "ids": ids, "ids_pre": ids_pre},
                               ensure_ascii=False) + "\n")
    if tokenizer_only:
        return

    def chat_ids(question, prompt):
        content = question + (" " + prompt if prompt else "")
        out = tok.apply_chat_template([{"role": "user", "content": content}],
                                      add_generation_prompt=True, tokenize=True)
        return list(out["input_ids"] if isinstance(out, dict) or hasattr(out, "keys") else out)

    with open(os.path.join(out_dir, "chat_reference.jsonl"), "w", encoding="utf-8") as f:
        for q in QUESTIONS + [PARITY_QUESTION]:
            for p in ["", PROMPT]:
                f.write(json.dumps({"question": q, "prompt": p, "ids": chat_ids(q, p)},
                                   ensure_ascii=False) + "\n")

    model = AutoModelForCausalLM.from_pretrained(model_dir, gguf_file=GGUF, dtype=torch.float32)
    model.eval()
    out = {}
    # Logits, loss and one-hot gradient on one ChatML question with the prompt.
    ids = torch.tensor([chat_ids(PARITY_QUESTION, PROMPT)])
    embed = model.get_input_embeddings().weight
    onehot = torch.nn.functional.one_hot(ids, embed.shape[0]).float().requires_grad_(True)
    logits = model(inputs_embeds=onehot @ embed).logits.float()
    loss = torch.nn.functional.cross_entropy(logits[0, :-1], ids[0, 1:])
    loss.backward()
    argmax = logits[0].argmax(-1)
    sample = torch.randperm(embed.shape[0])[:VOCAB_SAMPLE]
    sample = torch.unique(torch.cat([sample, argmax]))
    # The gradient at the prompt's first token: the position GReaTer scores candidates at.
    prompt_ids = tok(" " + PROMPT, add_special_tokens=False)["input_ids"]
    seq = ids[0].tolist()
    position = next(i for i in range(len(seq)) if seq[i:i + len(prompt_ids)] == prompt_ids)
    out.update({
        "input_ids": ids,
        "argmax": argmax,
        "vocab_sample": sample,
        "logits_sample": logits[0][:, sample].detach().contiguous(),
        "loss": loss.detach().reshape(1),
        "grad_position": torch.tensor([position]),
        "onehot_grad": onehot.grad[0, position].detach().contiguous(),
    })

    # Greedy continuations, stopping at <|im_end|> (the model's EOS) or after 64 tokens.
    for k, q in enumerate(QUESTIONS):
        prefix = torch.tensor([chat_ids(q, "")])
        with torch.no_grad():
            gen = model.generate(prefix, do_sample=False, max_new_tokens=64, eos_token_id=2,
                                 pad_token_id=2, attention_mask=torch.ones_like(prefix))
        new = gen[0, prefix.shape[1]:]
        out[f"greedy_prefix_{k}"] = prefix[0]
        out[f"greedy_{k}"] = new.contiguous()
        print(q, "->", repr(tok.decode(new)))
    save_file({k: v.contiguous() for k, v in out.items()}, os.path.join(out_dir, "reference.safetensors"))
    print(f"{len(texts)} strings; loss {loss.item():.4f}; gradient at position {position}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--tokenizer-only"]
    if len(args) != 2:
        sys.exit(__doc__)
    main(args[0], args[1], "--tokenizer-only" in sys.argv)
