// Oracle test: llama.cpp itself (node-llama-cpp 3.22.1, whose prebuilt linux-x64 CPU binary is
// llama.cpp de3ff81; loaded with build: "never", gpu: false, so nothing is compiled or downloaded).
//
//   node llama_oracle.js files SEEK REPO_ROOT [WORK_DIR]
//     Every kind of GGUF seek writes loads in llama.cpp and generates 8 tokens: `seek init` for
//     every preset x every weight type (both lists read from seek itself), `seek quantize` of an F16
//     file into seven file types (Q4_K_M ... Q8_0), a `seek train` export
//     (tokenizer train -> data prepare -> 3 steps) and the bundled models/seek-quickstart.gguf.
//     On F32 files llama.cpp's 32 greedy ids from a fixed prompt (BOS as the file says) must equal
//     seek's, and so must the text.
//   node llama_oracle.js spm SEEK STORIES_GGUF
//     SentencePiece detokenizer seams (stories260K): for each prompt llama.cpp generates greedily,
//     and the expected continuation is llama.cpp's own detokenizer on prompt + generated ids minus
//     its text of the prompt; seek run -q must print exactly that.
//
// Both print one line per case and exit 1 if any case fails.
// Environment: SEEK_LLAMA_ORACLE_PRESETS=ds-tiny,ds-2m (restrict presets), SEEK_LLAMA_ORACLE_TYPES,
// SEEK_LLAMA_ORACLE_QUANTIZE=Q4_K_M,... (the quantize cases), SEEK_LLAMA_ORACLE_FULL=1 (ds-1b in every type, not only F32; about 6 more minutes),
// SEEK_LLAMA_ORACLE_THREADS (llama.cpp and seek threads, default 1: on a loaded 2-core machine
// llama.cpp's spinning worker threads slow it down 40x), SEEK_LLAMA_ORACLE_KEEP=1 (keep the files).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const THREADS = Math.max(1, Number(process.env.SEEK_LLAMA_ORACLE_THREADS || 1));
const CTX = 256;
const logs = [];  // llama.cpp's log lines since the last load (the reason a load failed)

function fmtSeconds(t0) { return `${((Date.now() - t0) / 1000).toFixed(1)} s`; }
function short(s, n = 60) {
  const j = JSON.stringify(s);
  return j.length > n ? `${j.slice(0, n - 4)}..."` : j;
}

// Runs seek; returns {rc, out (Buffer), err (string)}.
function seek(bin, args, opts = {}) {
  const r = spawnSync(bin, args, { maxBuffer: 1 << 28, ...opts });
  if (r.error) throw r.error;
  return { rc: r.status, out: r.stdout, err: r.stderr.toString('utf8') };
}
function seekOk(bin, args, what) {
  const r = seek(bin, args);
  if (r.rc !== 0) throw new Error(`${what}: seek ${args.join(' ')} exited ${r.rc}:\n${r.err}`);
  return r;
}

async function openLlama() {
  if (Number(process.versions.node.split('.')[0]) < 20) throw new Error(`node-llama-cpp needs Node >= 20; this is ${process.version}`);
  let getLlama;
  try {
    ({ getLlama } = await import('node-llama-cpp'));
  } catch (e) {
    throw new Error(`node-llama-cpp is not installed (npm install --omit=optional in tests/oracle): ${e.message}`);
  }
  return getLlama({
    gpu: false, build: 'never', skipDownload: true, progressLogs: false, maxThreads: THREADS,
    logLevel: 'warn',
    logger: (level, msg) => { logs.push(`${level}: ${msg.trimEnd()}`); if (logs.length > 200) logs.shift(); },
  });
}

async function loadModel(llama, file) {
  logs.length = 0;
  try {
    return { model: await llama.loadModel({ modelPath: file, gpuLayers: 0 }) };
  } catch (e) {
    const why = logs.filter((l) => l.startsWith('error:')).slice(-3);
    return { error: `${e.message}${why.length ? ' | ' + why.join(' | ') : ''}`.replace(/\s+/g, ' ') };
  }
}

// Prompt ids as llama.cpp makes them: special-token text parsed (like seek run without --raw),
// BOS prepended when the file says so (tokenize() never adds it).
function promptIds(model, prompt) {
  const ids = prompt === '' ? [] : Array.from(model.tokenize(prompt, true));
  return model.tokens.shouldPrependBosToken ? [model.tokens.bos, ...ids] : ids;
}

// n greedy ids after the prompt. keepEog: go on through end-of-generation tokens (seek --ignore-eos);
// otherwise stop before one. exact: llama.cpp's attention in f32 (-fa off -ctk f32 -ctv f32). Its
// defaults (flash attention with f16 on CPU, f16 KV cache) move logits by ~1e-3, enough to flip
// near-ties (stories260K after "Once upon a ": "q" -1.7539 vs "is" -1.7608 with them, "is"
// -1.75689 vs "q" -1.75926 without, as seek computes) and near-tied routing in random-weight MoE
// files; with exact on, llama.cpp and seek agree to ~1e-6. Off: llama.cpp as a user runs it.
async function greedy(model, ids, n, keepEog, exact) {
  const kv = exact ? { flashAttention: false, experimentalKvCacheKeyType: 'F32', experimentalKvCacheValueType: 'F32' } : {};
  const ctx = await model.createContext({ contextSize: CTX, threads: THREADS, ...kv });
  try {
    const seq = ctx.getSequence();
    const out = [];
    if (n > 0) {
      for await (const t of seq.evaluate(ids, { temperature: 0, yieldEogToken: keepEog })) {
        out.push(t);
        if (out.length >= n) break;
      }
    }
    return out;
  } finally {
    await ctx.dispose();
  }
}

// llama.cpp's text for generated ids following the prompt ids: llama_detokenize (special tokens not
// printed, SentencePiece's leading space of the first token removed) on prompt + generated, minus
// its text of the prompt alone. BOS is left out: that is where llama.cpp drops the leading space.
function continuation(model, pids, gen) {
  const body = model.tokens.shouldPrependBosToken ? pids.slice(1) : pids;
  const promptText = body.length ? model.detokenize(body, false) : '';
  const full = model.detokenize([...body, ...gen], false);
  if (!full.startsWith(promptText)) throw new Error(`llama.cpp's text of prompt+output ${short(full)} does not start with its prompt text ${short(promptText)}`);
  return { promptText, full, cont: full.slice(promptText.length) };
}

// seek's ids, when seek run has the hook: `--json` prints one JSON object as the last stdout line,
// {"prompt_ids": [...], "ids": [...generated...], "text": "..."}.
function seekHasJson(bin) {
  const r = seek(bin, ['run', '--help']);
  return /--json\b/.test(r.out.toString('utf8') + r.err);
}
// seek's exact attention (--cache-type f32): llama.cpp's default CPU flash attention rounds K, V
// and Q to f16 in its own order, which seek's default f16 cache does not reproduce bit for bit, and
// a greedy near-tie can go either way; the f32 cache is the reference both are held to.
function seekRun(bin, file, prompt, n, extra, json) {
  const args = ['run', '-m', file, '-p', prompt, '-n', String(n), '--temp', '0', '-q', '-t', String(THREADS),
    '-c', String(CTX), '--cache-type', 'f32', ...extra];
  const r = seek(bin, args);
  if (r.rc !== 0) return { error: `seek run exited ${r.rc}: ${r.err.trim().split('\n').slice(-2).join(' | ')}` };
  const text = new TextDecoder('utf-8').decode(r.out);  // invalid UTF-8 -> U+FFFD, as llama.cpp's string
  const res = { text: text.endsWith('\n') ? text.slice(0, -1) : text };
  if (json) {
    const r2 = seek(bin, [...args, '--json']);
    if (r2.rc !== 0) return { error: `seek run --json exited ${r2.rc}: ${r2.err.trim()}` };
    const lines = r2.out.toString('utf8').trim().split('\n');
    try {
      const j = JSON.parse(lines[lines.length - 1]);
      res.ids = j.ids;
      res.promptIds = j.prompt_ids;
    } catch (e) {
      return { error: `seek run --json printed no JSON object: ${short(lines[lines.length - 1], 120)}` };
    }
  }
  return res;
}

function firstDiff(a, b) {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; ++i) if (a[i] !== b[i]) return i;
  return -1;
}

// ---------------------------------------------------------------- files: seek's GGUFs in llama.cpp

const FILE_PROMPT = 'Once upon a time';
// What `seek chat` sends the quickstart model for "What is 12+30?" (its R1-Zero chat template).
const R1_PROMPT = 'A conversation between User and Assistant. The user asks a question, and the Assistant solves it. ' +
  'The assistant first thinks about the reasoning process in the mind and then provides the user with the answer. ' +
  'The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags, respectively, ' +
  'i.e., <think> reasoning process here </think> <answer> answer here </answer>. User: What is 12+30?. Assistant:';
const N_LOAD = 8;
const N_IDS = 32;

function initPresets(bin, vocab) {
  const r = seek(bin, ['init', '--preset', '?', '--vocab', vocab, '--out', '/nonexistent/x.gguf']);
  const m = /known: ([^)]*)\)/.exec(r.err);
  if (!m) throw new Error(`cannot read seek init's preset list from: ${r.err}`);
  return m[1].split(',').map((s) => s.trim()).filter(Boolean);
}
function initTypes(bin) {
  const r = seek(bin, ['init', '--help']);
  const m = /weight type: ([A-Z0-9_, ]+)/.exec(r.out.toString('utf8') + r.err);
  if (!m) throw new Error('cannot read seek init\'s type list from seek init --help');
  return m[1].split(',').map((s) => s.trim()).filter(Boolean);
}
function envList(name, all) {
  const v = process.env[name];
  return v ? v.split(',').map((s) => s.trim()).filter(Boolean) : all;
}

// The model's training corpus (JSONL {"text"}) tokenized by llama.cpp and by seek (`seek tokenize
// --batch`, no BOS): the same ids for every document, so what seek trained on is what llama.cpp reads.
function compareCorpusTokens(bin, model, file, corpus) {
  const docs = fs.readFileSync(corpus, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).text);
  const out = seekOk(bin, ['tokenize', '-m', file, '--no-bos', '--batch', corpus], 'seek tokenize --batch').out
    .toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).ids);
  if (out.length !== docs.length) return `seek tokenized ${out.length} of ${docs.length} corpus documents`;
  for (let i = 0; i < docs.length; ++i) {
    const ids = Array.from(model.tokenize(docs[i], false));
    const d = firstDiff(out[i], ids);
    if (d >= 0) return `corpus document ${i} tokenizes differently from id ${d}: seek ${JSON.stringify(out[i].slice(d, d + 8))} llama.cpp ${JSON.stringify(ids.slice(d, d + 8))} in ${short(docs[i], 200)}`;
  }
  return '';
}

async function checkFile(llama, bin, c, json) {
  const t0 = Date.now();
  const { model, error } = await loadModel(llama, c.file);
  if (error) return { ok: false, msg: `llama.cpp cannot load it: ${error}` };
  try {
    let corpusMsg = '';
    if (c.corpus) {
      const bad = compareCorpusTokens(bin, model, c.file, c.corpus);
      if (bad) return { ok: false, msg: bad };
      corpusMsg = `; its ${fs.readFileSync(c.corpus, 'utf8').split('\n').filter(Boolean).length} corpus documents tokenize identically`;
    }
    const prompt = c.prompt || FILE_PROMPT;
    const pids = promptIds(model, prompt);
    // As a user runs it (llama.cpp's default context settings): 8 tokens.
    const gen8 = await greedy(model, pids, N_LOAD, true, false);
    if (gen8.length !== N_LOAD) return { ok: false, msg: `llama.cpp generated ${gen8.length} tokens` };
    let msg = `llama.cpp loads it, bos ${model.tokens.shouldPrependBosToken ? 'yes' : 'no'}, ${N_LOAD} tokens ${short(continuation(model, pids, gen8).cont, 50)}${corpusMsg}`;
    if (!c.f32) return { ok: true, msg: `${msg} (${fmtSeconds(t0)})` };
    // F32: 32 greedy ids with f32 attention, against seek's.
    const gen = await greedy(model, pids, N_IDS, true, true);
    const { cont } = continuation(model, pids, gen);
    const s = seekRun(bin, c.file, prompt, N_IDS, ['--ignore-eos'], json);
    if (s.error) return { ok: false, msg: `${msg}; ${s.error}` };
    const problems = [];
    if (json) {
      const d = firstDiff(s.promptIds || [], pids);
      if (d >= 0) problems.push(`prompt ids differ: seek ${JSON.stringify(s.promptIds)} llama.cpp ${JSON.stringify(pids)}`);
      const g = firstDiff(s.ids || [], gen);
      if (g >= 0) problems.push(`greedy ids differ from step ${g}: seek ${JSON.stringify(s.ids)} llama.cpp ${JSON.stringify(gen)}`);
      else msg += `; ${N_IDS}/${N_IDS} greedy ids equal`;
    } else {
      problems.push('ids not compared: seek run has no --json (prompt_ids, ids)');
    }
    if (s.text !== cont) problems.push(`text differs: seek ${short(s.text, 200)} llama.cpp ${short(cont, 200)}`);
    else msg += '; text equal';
    return problems.length ? { ok: false, msg: `${msg}; ${problems.join('; ')}` } : { ok: true, msg: `${msg} (${fmtSeconds(t0)})` };
  } finally {
    await model.dispose();
  }
}

async function mainFiles(bin, repo, work) {
  const t0 = Date.now();
  const data = path.join(repo, 'tests', 'data');
  const vocab = path.join(data, 'vocab', 'ggml-vocab-deepseek-coder.gguf');  // the smallest DeepSeek vocabulary
  const spmVocab = path.join(data, 'gguf', 'stories260K-F32.gguf');
  // Up to 3.3 GB at a time (ds-1b F32): under WORK_DIR (the build tree) rather than a tmpfs /tmp.
  if (work) fs.mkdirSync(work, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(work || os.tmpdir(), 'seek-llama-'));
  const json = seekHasJson(bin);
  const llama = await openLlama();
  console.log(`llama.cpp via node-llama-cpp (${THREADS} thread(s)); seek run --json: ${json ? 'yes' : 'NO (ids cannot be compared)'}`);

  // ds-1b (967M parameters) only in F32: its ids are compared, and its softmax gate, YaRN mscale
  // 0.707 and two shared experts are in no other preset. Writing a ds-1b file takes 50 s (F32) to
  // 70 s (Q4_K) on 2 cores; its other types go through the same writer and quantizers as ds-20m
  // and ds-100m, whose rows are wide enough for every block type. SEEK_LLAMA_ORACLE_FULL=1: all.
  const big = 'ds-1b';
  const bigTypes = ['F32'];
  const presets = envList('SEEK_LLAMA_ORACLE_PRESETS', initPresets(bin, vocab));
  const types = envList('SEEK_LLAMA_ORACLE_TYPES', initTypes(bin));
  const cases = [];
  for (const p of presets) {
    for (const t of types) {
      if (p === big && !process.env.SEEK_LLAMA_ORACLE_FULL && !process.env.SEEK_LLAMA_ORACLE_TYPES && !bigTypes.includes(t)) continue;
      cases.push({ name: `init ${p} ${t}`, preset: p, type: t, f32: t === 'F32', vocab });
    }
  }
  cases.push({ name: 'init ds-tiny F32, SentencePiece vocab (stories260K)', preset: 'ds-tiny', type: 'F32', f32: true, vocab: spmVocab });
  // `seek quantize` of one F16 file into the file types whose quantizers seek has (llama-quantize's
  // per-tensor mix: q6_K promotions, q5_0 / q8_0 fallbacks on rows that are not whole 256-blocks).
  const quantizeSource = { preset: 'ds-20m', type: 'F16' };
  for (const ft of envList('SEEK_LLAMA_ORACLE_QUANTIZE', ['Q4_K_M', 'Q5_K_M', 'Q3_K_M', 'Q2_K', 'Q6_K', 'Q4_0', 'Q8_0'])) {
    cases.push({ name: `quantize ${quantizeSource.preset} ${quantizeSource.type} -> ${ft}`, quantize: ft, f32: false });
  }
  cases.push({ name: 'train export', train: true, f32: true });
  // The quickstart's models: one made here at toy size, and the bundled one, asked in their R1-Zero
  // prompt, whose preamble is one user-defined token (it must be matched in plain text as seek does).
  cases.push({ name: 'seek quickstart (toy size)', quickstart: true, f32: true, prompt: R1_PROMPT });
  cases.push({ name: 'bundled models/seek-quickstart.gguf', file: path.join(repo, 'models', 'seek-quickstart.gguf'), keep: true,
    prompt: R1_PROMPT });

  let failed = 0;
  for (const c of cases) {
    const tc = Date.now();
    let res;
    try {
      if (c.preset) {
        c.file = path.join(tmp, `${c.preset}-${c.type}${c.vocab === spmVocab ? '-spm' : ''}.gguf`);
        seekOk(bin, ['init', '--preset', c.preset, '--vocab', c.vocab, '--out', c.file, '--type', c.type, '-t', '2'], c.name);
      } else if (c.quantize) {
        const src = path.join(tmp, `quantize-source-${quantizeSource.preset}-${quantizeSource.type}.gguf`);
        if (!fs.existsSync(src))
          seekOk(bin, ['init', '--preset', quantizeSource.preset, '--vocab', vocab, '--out', src, '--type', quantizeSource.type,
            '-t', '2'], c.name);
        c.file = path.join(tmp, `quantized-${c.quantize}.gguf`);
        seekOk(bin, ['quantize', src, c.file, c.quantize, '-t', '2'], c.name);
      } else if (c.train) {
        c.file = trainExport(bin, tmp, path.join(data, 'gguf', 'ppl.txt'));
      } else if (c.quickstart) {
        const q = path.join(tmp, 'quickstart');
        seekOk(bin, ['quickstart', '--out', q, '--no-serve', '--corpus', '300', '--vocab-size', '400', '--sft-steps', '6',
          '--sft-batch', '4', '--sft-seq', '64', '--rl-steps', '1', '--rl-prompts', '2', '-G', '2', '--max-new', '16',
          '--eval-n', '2', '-t', '2', '-q'], c.name);
        c.file = path.join(q, 'model.gguf');
        c.corpus = path.join(q, 'corpus.jsonl');
      } else if (c.file && !fs.existsSync(c.file)) {
        throw new Error(`${c.file} does not exist`);
      }
      if (c.f32 === undefined) c.f32 = fileType(bin, c.file) === 'F32';
      const made = Date.now();
      res = await checkFile(llama, bin, c, json);
      if (c.preset || c.train) res.msg += ` [written in ${((made - tc) / 1000).toFixed(1)} s]`;
    } catch (e) {
      res = { ok: false, msg: e.message.trim().replace(/\n+/g, ' | ') };
    } finally {
      if (c.file && !c.keep && !process.env.SEEK_LLAMA_ORACLE_KEEP) fs.rmSync(c.file, { force: true });
    }
    if (!res.ok) ++failed;
    console.log(`${res.ok ? 'PASS' : 'FAIL'} ${c.name}${c.f32 ? ' (F32: ids compared)' : ''}: ${res.msg}`);
  }
  if (!process.env.SEEK_LLAMA_ORACLE_KEEP) fs.rmSync(tmp, { recursive: true, force: true });
  else console.log(`files kept in ${tmp}`);
  console.log(`${cases.length - failed}/${cases.length} files pass (${fmtSeconds(t0)})`);
  await llama.dispose();
  return failed === 0;
}

// The weight type of a GGUF as seek reads it (general.file_type), for the bundled model.
function fileType(bin, file) {
  const j = JSON.parse(seekOk(bin, ['info', file, '--json'], 'seek info').out.toString('utf8'));
  const ft = j.metadata && j.metadata['general.file_type'];
  return ft && ft.value === 0 ? 'F32' : 'other';
}

// The smallest `seek train` run that exports: tokenizer train -> data prepare -> 3 steps of a
// 2-layer ds-2m -> OUT/model.gguf (with the MTP block, as the export writes it by default).
function trainExport(bin, tmp, corpus) {
  const w = path.join(tmp, 'train');
  seekOk(bin, ['tokenizer', 'train', '--vocab-size', '400', '-q', '--out', path.join(w, 'tok', 'tokenizer.json'), corpus], 'tokenizer train');
  seekOk(bin, ['data', 'prepare', '--tokenizer', path.join(w, 'tok', 'tokenizer.json'), '--out', path.join(w, 'data'),
    '--val-fraction', '0.1', corpus], 'data prepare');
  seekOk(bin, ['train', '--preset', 'ds-2m', '--layers', '2', '--hidden', '64', '--data', path.join(w, 'data'),
    '--out', path.join(w, 'run'), '--batch', '2', '--seq', '32', '--steps', '3', '--warmup', '1', '--eval-every', '0',
    '--save-every', '0', '-t', '2', '-q'], 'train');
  const f = path.join(w, 'run', 'model.gguf');
  if (!fs.existsSync(f)) throw new Error('seek train wrote no run/model.gguf');
  return f;
}

// ---------------------------------------------------------------- spm: SentencePiece seams

// Each prompt puts a SentencePiece seam at the prompt/continuation boundary or inside the text; each
// case names the seams it must show (checked on llama.cpp's ids, so the case cannot silently stop
// testing what it is for). 48 tokens of continuation add more inside the output.
const SPM_CASES = [
  { name: 'word prompt, continuation led by "▁"', prompt: 'Once', want: ['output starts with ▁'] },
  { name: 'prompt starting with a space', prompt: ' Once upon', want: ['prompt starts with an extra ▁'] },
  { name: 'prompt ending with a space', prompt: 'Once upon a ', want: ['prompt ends with ▁'] },
  { name: 'prompt with a newline inside', prompt: 'Lily was happy.\nOne day', want: ['<0x0A> in prompt'] },
  { name: 'continuation starting with a newline',
    prompt: 'Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high.',
    want: ['output starts with <0x0A>', 'output starts with <0x0A> then a word without ▁'] },
  { name: 'prompt with non-ASCII characters (byte fallback)', prompt: 'Lily ate a crêpe at the café. Then', want: ['byte tokens in prompt'] },
  { name: 'prompt ending in a byte-fallback character', prompt: 'Tom saw a 🐶', want: ['prompt ends with a byte token'] },
  { name: 'empty prompt: generation from BOS', prompt: '', want: ['from BOS alone'] },
];
const N_SPM = 48;

function spmSeams(vocab, pids, gen, bos) {
  const body = pids[0] === bos ? pids.slice(1) : pids;
  const isByte = (id) => /^<0x[0-9A-F]{2}>$/.test(vocab[id]);
  const seams = [];
  if (body.length === 0) seams.push('from BOS alone');
  if (body.length && vocab[body[0]].startsWith('▁') && (vocab[body[0]] === '▁' || vocab[body[0]].startsWith('▁▁'))) seams.push('prompt starts with an extra ▁');
  if (body.length && vocab[body[body.length - 1]] === '▁') seams.push('prompt ends with ▁');
  if (body.length && isByte(body[body.length - 1])) seams.push('prompt ends with a byte token');
  if (body.some((id) => vocab[id] === '<0x0A>')) seams.push('<0x0A> in prompt');
  if (body.some((id) => isByte(id) && vocab[id] !== '<0x0A>')) seams.push('byte tokens in prompt');
  if (gen.length && vocab[gen[0]].startsWith('▁')) seams.push('output starts with ▁');
  if (gen.length && vocab[gen[0]] === '<0x0A>') {
    seams.push('output starts with <0x0A>');
    if (gen.length > 1 && !vocab[gen[1]].startsWith('▁') && !isByte(gen[1])) seams.push('output starts with <0x0A> then a word without ▁');
  }
  if (gen.some((id) => vocab[id] === '<0x0A>')) seams.push('<0x0A> in output');
  if (gen.some((id) => isByte(id) && vocab[id] !== '<0x0A>')) seams.push('byte tokens in output');
  return seams;
}

async function mainSpm(bin, file) {
  const t0 = Date.now();
  const json = seekHasJson(bin);
  const llama = await openLlama();
  const { model, error } = await loadModel(llama, file);
  if (error) throw new Error(`llama.cpp cannot load ${file}: ${error}`);
  const ggml = model.fileInfo.metadata.tokenizer?.ggml || {};
  if (ggml.model !== 'llama') throw new Error(`${file} is not a SentencePiece (llama) vocabulary`);
  const vocab = ggml.tokens;
  console.log(`llama.cpp via node-llama-cpp (${THREADS} thread(s), f32 attention); seek run --json: ${json ? 'yes' : 'no (text compared only)'}`);
  let failed = 0;
  for (const c of SPM_CASES) {
    const pids = promptIds(model, c.prompt);
    const gen = await greedy(model, pids, N_SPM, false, true);
    const { promptText, cont } = continuation(model, pids, gen);
    const seams = spmSeams(vocab, pids, gen, model.tokens.bos);
    const problems = [];
    for (const w of c.want) if (!seams.includes(w)) problems.push(`the case lost its seam '${w}' (llama.cpp ids ${JSON.stringify(pids)} -> ${JSON.stringify(gen.slice(0, 4))}...)`);
    const notes = [];
    if (promptText !== c.prompt) notes.push(`llama.cpp's text of the prompt ids is ${short(promptText)}`);
    const s = seekRun(bin, file, c.prompt, N_SPM, [], json);
    if (s.error) problems.push(s.error);
    else {
      if (json) {
        if (firstDiff(s.promptIds || [], pids) >= 0) problems.push(`prompt ids: seek ${JSON.stringify(s.promptIds)} llama.cpp ${JSON.stringify(pids)}`);
        if (firstDiff(s.ids || [], gen) >= 0) problems.push(`ids: seek ${JSON.stringify(s.ids)} llama.cpp ${JSON.stringify(gen)}`);
      }
      if (s.text !== cont) problems.push(`seek printed ${short(s.text, 160)}, llama.cpp ${short(cont, 160)}`);
    }
    if (problems.length) ++failed;
    console.log(`${problems.length ? 'FAIL' : 'PASS'} ${c.name}: prompt ${short(c.prompt, 40)} -> ids ${JSON.stringify(pids.slice(0, 12))}${pids.length > 12 ? '...' : ''}; ` +
      `seams: ${seams.join(', ') || 'none'}; llama.cpp's continuation ${short(cont, 70)}${[...notes, ...problems].map((p) => '; ' + p).join('')}`);
  }
  await model.dispose();
  await llama.dispose();
  console.log(`${SPM_CASES.length - failed}/${SPM_CASES.length} SentencePiece cases pass (${fmtSeconds(t0)})`);
  return failed === 0;
}

// ----------------------------------------------------------------

async function main() {
  const [mode, bin, arg, work] = process.argv.slice(2);
  if (!bin || !arg || !['files', 'spm'].includes(mode)) {
    console.error('usage: node llama_oracle.js files SEEK REPO_ROOT [WORK_DIR] | spm SEEK STORIES_GGUF');
    process.exit(2);
  }
  const ok = mode === 'files' ? await mainFiles(bin, arg, work) : await mainSpm(bin, arg);
  process.exit(ok ? 0 : 1);
}

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
