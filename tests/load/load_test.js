#!/usr/bin/env node
// Load test of `seek serve` (node, no dependencies): N concurrent clients stream
// /v1/chat/completions for D seconds, a fraction of them hanging up mid-stream. Reports
// requests, HTTP status counts, tokens/s, the server's RSS over time (/proc/PID/status) and
// /metrics after. Exits 1 on any 5xx or network error, busy slots or queued requests left once
// the clients stop, or RSS growth past the limit (warm-up excluded).
//
//   node load_test.js --seek build/seek --model M.gguf [--serve-args "--parallel 4"]   (spawns a server)
//   node load_test.js --url http://127.0.0.1:8080 --pid 1234                           (a running one)
//   options: --clients 8 --duration 15 --disconnect 0.25 --max-tokens 48 --rss-growth 0.2 --json
'use strict';
const http = require('http');
const fs = require('fs');
const net = require('net');
const { spawn } = require('child_process');

function parseArgs(argv) {
  const a = { clients: 8, duration: 15, disconnect: 0.25, 'max-tokens': 48, 'rss-growth': 0.2, 'serve-args': '', json: false };
  for (let i = 2; i < argv.length; ++i) {
    const k = argv[i].replace(/^--/, '');
    if (k === 'json') a.json = true;
    else if (k in a || ['seek', 'model', 'url', 'pid'].includes(k)) a[k] = argv[++i];
    else throw new Error('unknown option ' + argv[i]);
  }
  for (const k of ['clients', 'duration', 'disconnect', 'max-tokens', 'rss-growth']) a[k] = Number(a[k]);
  if (!a.url && !(a.seek && a.model)) throw new Error('give --url (and --pid) or --seek and --model');
  return a;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

function get(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
  });
}

async function startServer(a) {
  const port = await freePort();
  const args = ['serve', '-m', a.model, '--port', String(port), ...a['serve-args'].split(/\s+/).filter(Boolean)];
  const child = spawn(a.seek, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log = (log + d).slice(-4000); });
  const url = 'http://127.0.0.1:' + port;
  for (let t = 0; t < 300; ++t) {
    if (child.exitCode !== null) throw new Error('seek serve exited (' + child.exitCode + '): ' + log);
    try { if ((await get(url + '/health')).status === 200) return { child, url, pid: child.pid }; } catch (_) { /* not up */ }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error('seek serve did not answer /health in 30 s: ' + log);
}

function rssKiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync('/proc/' + pid + '/status', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch (_) {
    return null;
  }
}

const PROMPTS = [
  'Write a haiku about the sea.', 'What is 17 times 23?', 'List three prime numbers.',
  'Explain recursion in one sentence.', 'Translate "good morning" into French.', 'Name a colour.',
];

// One streaming request; resolves with {status, tokens, hungUp, error}.
function streamOnce(url, a, rng) {
  const hangUpAfter = rng() < a.disconnect ? 1 + Math.floor(rng() * 4) : -1;
  const body = JSON.stringify({
    messages: [{ role: 'user', content: PROMPTS[Math.floor(rng() * PROMPTS.length)] + ' #' + Math.floor(rng() * 1000) }],
    stream: true, max_tokens: a['max-tokens'], temperature: 0.8, seed: Math.floor(rng() * 1e9),
  });
  return new Promise((resolve) => {
    const out = { status: 0, tokens: 0, hungUp: false, error: null };
    const u = new URL('/v1/chat/completions', url);
    const req = http.request({ hostname: u.hostname, port: u.port, path: u.pathname, method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      out.status = res.statusCode;
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        buf += d;
        let cut;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const ev = buf.slice(0, cut).trim();
          buf = buf.slice(cut + 2);
          if (!ev.startsWith('data:') || ev === 'data: [DONE]') continue;
          let chunk;
          try { chunk = JSON.parse(ev.slice(5)); } catch (e) { out.error = 'bad SSE JSON: ' + ev.slice(0, 80); continue; }
          const d = chunk.choices && chunk.choices[0] && chunk.choices[0].delta;
          if (d && (d.content || d.reasoning_content)) ++out.tokens;
          if (chunk.error) out.error = 'stream error: ' + JSON.stringify(chunk.error);
          if (hangUpAfter > 0 && out.tokens >= hangUpAfter && !out.hungUp) {
            out.hungUp = true;
            req.destroy();
            resolve(out);
            return;
          }
        }
      });
      res.on('end', () => resolve(out));
      res.on('error', (e) => { if (!out.hungUp) out.error = e.message; resolve(out); });
    });
    req.on('error', (e) => { if (!out.hungUp) out.error = e.message; resolve(out); });
    req.setTimeout(120000, () => req.destroy(new Error('request timeout (120 s)')));
    req.end(body);
  });
}

function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6D2B79F5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function metricValue(text, name) {
  const m = new RegExp('^' + name + '(?:\\{[^}]*\\})?\\s+([0-9.eE+-]+)\\s*$', 'm').exec(text);
  return m ? Number(m[1]) : null;
}

async function main() {
  const a = parseArgs(process.argv);
  const server = a.url ? { url: a.url, pid: a.pid ? Number(a.pid) : null, child: null } : await startServer(a);
  const stats = { requests: 0, completed: 0, hung_up: 0, tokens: 0, status: {}, errors: [] };
  const rss = [];  // [seconds, KiB]
  const t0 = Date.now();
  const deadline = t0 + a.duration * 1000;
  const sampler = setInterval(() => {
    const k = server.pid ? rssKiB(server.pid) : null;
    if (k !== null) rss.push([(Date.now() - t0) / 1000, k]);
  }, 250);
  try {
    const client = async (i) => {
      const rng = mulberry32(1000 + i);
      while (Date.now() < deadline) {
        const r = await streamOnce(server.url, a, rng);
        ++stats.requests;
        stats.status[r.status] = (stats.status[r.status] || 0) + 1;
        stats.tokens += r.tokens;
        if (r.hungUp) ++stats.hung_up;
        else if (r.status === 200 && !r.error) ++stats.completed;
        if (r.error && stats.errors.length < 10) stats.errors.push(r.error);
      }
    };
    await Promise.all(Array.from({ length: a.clients }, (_, i) => client(i)));
    const wall = (Date.now() - t0) / 1000;
    // Hung-up requests must have freed their slots: poll /metrics for a few seconds.
    let metrics = '', busy = null, queued = null;
    for (let t = 0; t < 50; ++t) {
      metrics = (await get(server.url + '/metrics')).body;
      busy = metricValue(metrics, 'seek_slots_busy');
      queued = metricValue(metrics, 'seek_requests_queued');
      if (busy === 0 && queued === 0) break;
      await sleep(100);
    }
    clearInterval(sampler);
    const finalRss = server.pid ? rssKiB(server.pid) : null;
    // RSS growth: the first 30% of the run warms up (weights paged in, buffers sized).
    const warm = rss.filter(([t]) => t >= a.duration * 0.3);
    const base = warm.length ? warm[0][1] : null;
    const growth = base && finalRss ? (finalRss - base) / base : null;
    const n5xx = Object.entries(stats.status).filter(([s]) => Number(s) >= 500).reduce((n, [, c]) => n + c, 0);
    const report = {
      clients: a.clients, duration_s: wall, requests: stats.requests, completed: stats.completed, hung_up: stats.hung_up,
      status: stats.status, errors: stats.errors, tokens: stats.tokens, tokens_per_s: stats.tokens / wall,
      rss_kib: rss.filter((_, i) => i % 4 === 0).map(([t, k]) => [Number(t.toFixed(1)), k]),
      rss_base_kib: base, rss_final_kib: finalRss, rss_growth: growth,
      metrics_after: { slots_busy: busy, requests_queued: queued, requests_total: metricValue(metrics, 'seek_requests_total'),
        requests_cancelled: metricValue(metrics, 'seek_requests_cancelled_total'),
        completion_tokens: metricValue(metrics, 'seek_completion_tokens_total') },
    };
    const failures = [];
    if (n5xx > 0) failures.push(n5xx + ' responses with status 5xx');
    if (stats.errors.length) failures.push('network/stream errors: ' + stats.errors.join('; '));
    if (stats.status[0]) failures.push(stats.status[0] + ' requests got no response');
    if (busy !== 0) failures.push('busy slots after the run: ' + busy);
    if (queued !== 0) failures.push('queued requests after the run: ' + queued);
    if (growth !== null && growth > a['rss-growth']) failures.push('RSS grew ' + (100 * growth).toFixed(1) + '% (limit ' + 100 * a['rss-growth'] + '%)');
    if (stats.completed === 0) failures.push('no request completed');
    report.failures = failures;
    if (a.json) console.log(JSON.stringify(report, null, 2));
    else {
      console.log(`clients ${a.clients}, ${wall.toFixed(1)} s: ${stats.requests} requests (${stats.completed} completed, ` +
        `${stats.hung_up} hung up), status ${JSON.stringify(stats.status)}`);
      console.log(`tokens ${stats.tokens} (${report.tokens_per_s.toFixed(1)} tokens/s streamed)`);
      console.log(`RSS MiB: ${report.rss_kib.map(([t, k]) => t + 's ' + (k / 1024).toFixed(1)).join(', ')}`);
      if (growth !== null) console.log(`RSS after warm-up ${(base / 1024).toFixed(1)} MiB -> ${(finalRss / 1024).toFixed(1)} MiB (${(100 * growth).toFixed(1)}%)`);
      console.log(`/metrics after: ${JSON.stringify(report.metrics_after)}`);
      console.log(failures.length ? 'FAIL: ' + failures.join('; ') : 'PASS');
    }
    process.exitCode = failures.length ? 1 : 0;
  } finally {
    clearInterval(sampler);
    if (server.child) server.child.kill('SIGTERM');
  }
}

main().catch((e) => { console.error('load_test: ' + (e.stack || e)); process.exit(1); });
