// Rebuilds a Hugging Face tokenizer.json in the Llama-2 layout from llama-tokenizer-js's genuine
// LLaMA-1/2 SentencePiece vocabulary (32,000 pieces) and merges.
//
//   node build_llama2_tokenizer.cjs OUT.json
//
// The layout is that of meta-llama/Llama-2-7b-hf's tokenizer.json: normalizer Prepend "▁" +
// Replace " "→"▁", no pre-tokenizer, BPE with byte_fallback and fuse_unk, BOS added by
// TemplateProcessing, decoder Replace/ByteFallback/Fuse/Strip. Merges are written in the
// ["a", "b"] pair form on purpose: the Llama-3 file uses "a b" strings, so the parity tests cover
// both JSON forms with real data. The output is derived data: it is never committed.
'use strict';
const fs = require('fs');
const path = require('path');

async function main() {
  const out = process.argv[2];
  if (!out) throw new Error('usage: node build_llama2_tokenizer.cjs OUT.json');
  const { LlamaTokenizer } = await import('llama-tokenizer-js');
  const tok = new LlamaTokenizer();
  const vocabList = tok.vocabById;
  if (vocabList.length !== 32000) throw new Error(`expected 32000 pieces, got ${vocabList.length}`);

  // A null-prototype object: pieces such as "toString" must not collide with Object's members.
  const vocab = Object.create(null);
  vocabList.forEach((piece, id) => {
    if (Object.prototype.hasOwnProperty.call(vocab, piece)) {
      throw new Error(`duplicate piece ${JSON.stringify(piece)}`);
    }
    vocab[piece] = id;
  });
  // tok.merges maps "a b" -> priority; insertion order is the merge order of the source file.
  const ranked = [...tok.merges.entries()].sort((x, y) => x[1] - y[1]);
  const merges = ranked.map(([key]) => {
    const parts = key.split(' ');
    if (parts.length !== 2) throw new Error(`merge with a space inside: ${JSON.stringify(key)}`);
    return parts;
  });

  const special = (id, content) => ({
    id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  });
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '<unk>'), special(1, '<s>'), special(2, '</s>')],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '\u2581' },
        { type: 'Replace', pattern: { String: ' ' }, content: '\u2581' },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '<s>', type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '\u2581' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null,
      end_of_word_suffix: null, fuse_unk: true, byte_fallback: true, ignore_merges: false,
      vocab, merges,
    },
  };
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  const tmp = out + '.tmp';
  fs.writeFileSync(tmp, JSON.stringify(json));
  fs.renameSync(tmp, out);
  process.stderr.write(`wrote ${out}: ${vocabList.length} pieces, ${merges.length} merges\n`);
}

main().catch((e) => { process.stderr.write(`build_llama2_tokenizer: ${e.message}\n`); process.exit(1); });
