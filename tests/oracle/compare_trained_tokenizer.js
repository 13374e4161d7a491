// Oracle test for `seek tokenizer train`: trains a tokenizer with seek on a text corpus, loads
// the written tokenizer.json + tokenizer_config.json into @lenml/tokenizers (an independent JS
// port of HF tokenizers) and checks, on the strings of corpus.js, that seek's ids from the
// tokenizer.json and from the --gguf-out file equal the JS ids, and seek decodes to the input.
// Usage: node compare_trained_tokenizer.js SEEK_BINARY PRE CORPUS_FILE...
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { TokenizerLoader } = require('@lenml/tokenizers');
const { makeCorpus } = require('./corpus');

const [seek, pre, ...corpusFiles] = process.argv.slice(2);
if (!seek || !pre || !corpusFiles.length) {
  console.error('usage: node compare_trained_tokenizer.js SEEK_BINARY PRE CORPUS_FILE...');
  process.exit(2);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'seek-toktrain-'));
const tokJson = path.join(tmp, 'tok', 'tokenizer.json');
const gguf = path.join(tmp, 'vocab.gguf');
execFileSync(seek, ['tokenizer', 'train', '-q', '--vocab-size', '3000', '--pre', pre, '--min-frequency', '2',
  '--out', tokJson, '--gguf-out', gguf, ...corpusFiles], { stdio: ['ignore', 'inherit', 'inherit'] });
const tok = TokenizerLoader.fromPreTrained({
  tokenizerJSON: JSON.parse(fs.readFileSync(tokJson, 'utf8')),
  tokenizerConfig: JSON.parse(fs.readFileSync(path.join(tmp, 'tok', 'tokenizer_config.json'), 'utf8')),
});

// corpus.js strings, plus special-token text: the specials must map to their added ids.
const corpus = makeCorpus();
const input = path.join(tmp, 'corpus.jsonl');
fs.writeFileSync(input, corpus.map((b) => JSON.stringify({ b64: b.toString('base64') })).join('\n') + '\n');
function runSeek(args) {
  const out = execFileSync(seek, ['tokenize', ...args, '--no-bos', '--special', '--batch', input],
    { maxBuffer: 1 << 30 }).toString('utf8').trim().split('\n');
  if (out.length !== corpus.length) throw new Error(`seek printed ${out.length} lines for ${corpus.length} strings`);
  return out.map((l) => JSON.parse(l));
}
const fromJson = runSeek(['--tokenizer', tokJson]);
const fromGguf = runSeek(['--model', gguf]);
fs.rmSync(tmp, { recursive: true, force: true });

let passed = 0, failed = 0, multi = 0;
for (let i = 0; i < corpus.length; ++i) {
  const text = corpus[i].toString('utf8');
  const want = Array.from(tok.encode(text, { add_special_tokens: false }));
  const a = fromJson[i], g = fromGguf[i];
  const ok = JSON.stringify(want) === JSON.stringify(a.ids) && JSON.stringify(want) === JSON.stringify(g.ids) &&
    Buffer.from(a.decoded_b64, 'base64').equals(Buffer.from(text, 'utf8'));
  if (want.length < Buffer.byteLength(text)) ++multi;
  if (ok) { ++passed; continue; }
  ++failed;
  if (failed <= 10) {
    console.log(`MISMATCH #${i}: ${JSON.stringify(text).slice(0, 200)}`);
    console.log(`  lenml: ${JSON.stringify(want).slice(0, 300)}\n  json:  ${JSON.stringify(a.ids).slice(0, 300)}\n  gguf:  ${JSON.stringify(g.ids).slice(0, 300)}`);
  }
}
// A trained tokenizer must actually merge: most strings take fewer tokens than bytes.
console.log(`trained (${pre}) on ${corpusFiles.length} files: ${corpus.length} strings, ${passed} passed, ${failed} failed, ${multi} shorter than their bytes`);
process.exit(failed || multi < corpus.length / 2 ? 1 : 0);
