#!/usr/bin/env node
// Serving benchmark (node, no dependencies): aggregate decode tokens/s of `seek serve` with 1, 4
// and 16 concurrent streams. One server with --parallel = the largest level; each level runs
// `--rounds` rounds of C simultaneous streaming requests (fixed prompt, ignore_eos, max_tokens N).
// Per stream: time to first token and decode rate (n - 1) / (t_last - t_first); the level's
// aggregate decode rate is the sum over its streams (they decode in the same batched steps),
// and end-to-end throughput is all completion tokens / wall time. Prints a Markdown table.
//
//   node bench/serve_bench.js --seek build/seek --model ds-1b-f16.gguf [--levels 1,4,16]
//        [--tokens 64] [--rounds 2] [--serve-args "--threads 16"]
'use strict';
const http = require('http');
const net = require('net');
const os = require('os');
const { spawn } = require('child_process');

function parseArgs() {
  const a = { levels: '1,4,16', tokens: 64, rounds: 2, 'serve-args': '', prompt: 'Write a long story about a lighthouse keeper.' };
  for (let i = 2; i < process.argv.length; i += 2) a[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
  a.levels = String(a.levels).split(',').map(Number);
  a.tokens = Number(a.tokens);
  a.rounds = Number(a.rounds);
  if (!a.url && !(a.seek && a.model)) throw new Error('give --seek BIN --model FILE (or --url of a running server)');
  return a;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => Number(process.hrtime.bigint()) / 1e9;
const median = (xs) => { const s = [...xs].sort((p, q) => p - q); return s.length ? s[Math.floor(s.length / 2)] : NaN; };

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

async function startServer(a) {
  const port = await freePort();
  const parallel = Math.max(...a.levels);
  const argv = ['serve', '-m', a.model, '--port', String(port), '--parallel', String(parallel),
    ...a['serve-args'].split(/\s+/).filter(Boolean)];
  const child = spawn(a.seek, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log = (log + d).slice(-4000); });
  const url = 'http://127.0.0.1:' + port;
  for (let i = 0; i < 1200; ++i) {
    if (child.exitCode !== null) throw new Error('seek serve exited: ' + log);
    try { if ((await fetch(url + '/health')).ok) return { child, url }; } catch (_) { /* loading */ }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error('seek serve not up after 120 s: ' + log);
}

// One streaming request; resolves {start, first, last, tokens}.
function stream(url, a, i) {
  const body = JSON.stringify({
    messages: [{ role: 'user', content: a.prompt + ' (' + i + ')' }], stream: true, stream_options: { include_usage: true },
    max_tokens: a.tokens, ignore_eos: true, temperature: 0.7, seed: i, thinking: { type: 'disabled' },
  });
  return new Promise((resolve, reject) => {
    const u = new URL('/v1/chat/completions', url);
    const r = { start: now(), first: 0, last: 0, tokens: 0 };
    const req = http.request({ hostname: u.hostname, port: u.port, path: u.pathname, method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      if (res.statusCode !== 200) reject(new Error('HTTP ' + res.statusCode));
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        buf += d;
        let cut;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const ev = buf.slice(0, cut).trim();
          buf = buf.slice(cut + 2);
          if (!ev.startsWith('data:') || ev === 'data: [DONE]') continue;
          const c = JSON.parse(ev.slice(5));
          if (c.usage) r.tokens = c.usage.completion_tokens;
          const d = c.choices && c.choices[0] && c.choices[0].delta;
          if (d && (d.content || d.reasoning_content)) {
            if (!r.first) r.first = now();
            r.last = now();
          }
        }
      });
      res.on('end', () => resolve(r));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function main() {
  const a = parseArgs();
  const server = a.url ? { url: a.url, child: null } : await startServer(a);
  const rows = [];
  try {
    await stream(server.url, { ...a, tokens: 8 }, -1);  // warm-up: weights paged in
    for (const c of a.levels) {
      const per = [], ttft = [];
      let tokens = 0, wall = 0;
      for (let round = 0; round < a.rounds; ++round) {
        const t0 = now();
        const rs = await Promise.all(Array.from({ length: c }, (_, i) => stream(server.url, a, 1000 * round + i)));
        wall += now() - t0;
        let agg = 0;
        for (const r of rs) {
          tokens += r.tokens;
          ttft.push(r.first - r.start);
          if (r.last > r.first && r.tokens > 1) agg += (r.tokens - 1) / (r.last - r.first);
        }
        per.push(agg);
      }
      const row = { streams: c, decode_tps: median(per), e2e_tps: tokens / wall, ttft_s: median(ttft), tokens };
      rows.push(row);
      console.error(`streams ${c}: aggregate decode ${row.decode_tps.toFixed(1)} tok/s, end-to-end ${row.e2e_tps.toFixed(1)} tok/s, ` +
        `median TTFT ${(1000 * row.ttft_s).toFixed(0)} ms`);
    }
  } finally {
    if (server.child) server.child.kill('SIGTERM');
  }
  console.log(`| streams | aggregate decode tok/s | per stream tok/s | end-to-end tok/s | median TTFT (ms) |`);
  console.log(`|---:|---:|---:|---:|---:|`);
  for (const r of rows)
    console.log(`| ${r.streams} | ${r.decode_tps.toFixed(1)} | ${(r.decode_tps / r.streams).toFixed(1)} | ${r.e2e_tps.toFixed(1)} | ${(1000 * r.ttft_s).toFixed(0)} |`);
  console.log(`\n${os.cpus().length} CPUs (${os.cpus()[0].model}), ${a.tokens} tokens per stream, median of ${a.rounds} rounds`);
}

main().catch((e) => { console.error('serve_bench: ' + (e.stack || e)); process.exit(1); });
