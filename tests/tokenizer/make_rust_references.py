#!/usr/bin/env python3
"""Reference ids from Hugging Face's Rust `tokenizers` library for the four real vocabularies.

Writes tests/fixtures/tokenizer/<name>_rust_reference.jsonl (one line per string: ids without and
with special tokens, decode with and without skip_special_tokens) and
<name>_rust_token_samples.jsonl (decode of single ids), read by tests/tokenizer/rust_parity_test.cpp.

The strings are the JavaScript-era corpus already committed (the texts of llama3_reference.jsonl
and llama2_reference.jsonl), plus cases for what the JavaScript references could not check:
Unicode normalization (NFC for Qwen3), each vocabulary's own added tokens inside text, and seeded
random mixtures. Deterministic: rerunning gives the same files.

    scripts/setup_test_data.sh
    .venv-reference/bin/python tests/tokenizer/make_rust_references.py
"""
import json
import random
import sys
from pathlib import Path

import tokenizers

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "tokenizers"
OUT = ROOT / "tests" / "fixtures" / "tokenizer"
NAMES = ["llama3", "llama2", "qwen3", "gemma3"]

# Canonical-equivalence cases: decomposed and precomposed forms, reordering of combining marks,
# singletons, Hangul syllables and jamo, compatibility characters NFC must leave alone.
NORMALIZATION = [
    "cafe\u0301 au lait", "re\u0301sume\u0301", "A\u030a", "\u212b ngstro\u0308m", "\u2126hm",
    "o\u0308\u0304", "e\u0323\u0302", "e\u0302\u0323", "a\u0328\u0301", "u\u031b\u0303",
    "\u1100\u1161\u11a8", "\u1112\u1161\u11ab\u1100\u1173\u11af", "\uac00\u11a8", "\u1100\u1161",
    "\u0958\u0959", "\u0344", "\u0f73", "\u1e9b\u0323", "\u00c5\u0301", "\u0041\u0301\u0328",
    "Z\u0307\u0327 z\u0327\u0307", "\u304b\u3099 \u30cf\u309a", "\ufb01 \u2460 \uff21 \u00b2",
    "\u03b1\u0313\u0301\u0345", "\u1f00\u0301", "\u0392\u0313", "\u0e40\u0e01\u0e48\u0e32",
    "\u05e9\u05c1\u05bc", "\u0627\u0653", "\u0915\u093c", "\u2000\u2001", "\u2329\u232a",
    "\u0300 leading mark", "mark at end\u0301", "\u0301\u0301\u0301", "e\u0301\u0301\u0301",
]


def corpus():
    """The committed JavaScript-era strings, in file order, without duplicates."""
    seen, out = set(), []
    for name in ["llama3_reference.jsonl", "llama2_reference.jsonl"]:
        with open(OUT / name, encoding="utf-8") as f:
            for line in f:
                text = json.loads(line)["text"]
                if text not in seen:
                    seen.add(text)
                    out.append(text)
    return out


def added_token_cases(tok):
    """Each vocabulary's own special tokens inside text (first 12 specials, a few plain added)."""
    added = sorted(tok.get_added_tokens_decoder().items())
    special = [t.content for _, t in added if t.special][:12]
    plain = [t.content for _, t in added if not t.special][:4]
    cases = []
    for s in special + plain:
        cases += [s, f"Hi {s} there", f"{s}\n{s}", f"x{s}y", f" {s} "]
    return cases


def random_mixtures(seed, count):
    parts = ["the", " cat", "Let's", " think", " step", " by", "1", "23", "456", "  ", "\n", "\t",
             "\r\n", "é", "e\u0301", "\u1100\u1161", "한", "中文", "日本", "🦙", "👍🏽", "\u00a0",
             "'s", "'LL", "(A)", ":", "?", "...", "$", "▁", "\u0301", "Ω", "\u2126", "ß", "ﬁ",
             "<b>", "</p>", "    ", "x", "Q:", " =", "-", "_", "\u200b", "\ufeff", "٣", "Ⅻ"]
    rng = random.Random(seed)
    return ["".join(rng.choice(parts) for _ in range(rng.randint(1, 14))) for _ in range(count)]


def references(name, tok, strings):
    rows = []
    for text in strings:
        ids = tok.encode(text, add_special_tokens=False).ids
        ids_special = tok.encode(text, add_special_tokens=True).ids
        rows.append({
            "text": text,
            "ids": ids,
            "ids_special": ids_special,
            "decoded": tok.decode(ids_special, skip_special_tokens=False),
            "decoded_skip_special": tok.decode(ids_special, skip_special_tokens=True),
        })
    return rows


def token_samples(tok):
    size = tok.get_vocab_size(with_added_tokens=True)
    step = max(1, size // 1000)
    ids = sorted(set(range(0, size, step)) | set(range(min(300, size))))
    return [{"id": i, "text": tok.decode([i], skip_special_tokens=False)} for i in ids]


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")


def main():
    if tokenizers.__version__ != "0.23.2":
        sys.exit(f"tokenizers {tokenizers.__version__}: the fixtures were made with 0.23.2")
    base = corpus() + NORMALIZATION
    for index, name in enumerate(NAMES):
        path = DATA / name / "tokenizer.json"
        if not path.exists():
            sys.exit(f"{path} is missing: run scripts/setup_test_data.sh first")
        tok = tokenizers.Tokenizer.from_file(str(path))
        strings = list(dict.fromkeys(base + added_token_cases(tok) + random_mixtures(index, 120)))
        rows = references(name, tok, strings)
        write_jsonl(OUT / f"{name}_rust_reference.jsonl", rows)
        write_jsonl(OUT / f"{name}_rust_token_samples.jsonl", token_samples(tok))
        print(f"{name}: {len(rows)} strings")


if __name__ == "__main__":
    main()
