// End-to-end test of the chat page in headless Chromium (playwright-core from tests/oracle):
// starts `seek serve` on a free port with a tiny random model whose template opens a thinking
// block (DeepSeek-R1: the prompt ends in "<think>\n", so output before "</think>" is reasoning),
// sends messages through the page and checks: the reasoning streams into the "Thinking" block
// (several partial states seen, with SSE events handed to the page 8 ms apart) and equals the server's own non-streamed greedy answer; with
// thinking off the answer lands in the message body; Stop aborts and frees the slot; the
// conversation survives a reload. Saves screenshots under --out. Exit 77 (skip) without Chromium.
//
//   node chat_ui.test.js --seek build/seek --model tiny.gguf --out DIR [--serve-args "..."]
'use strict';
const fs = require('fs');
const net = require('net');
const path = require('path');
const { spawn } = require('child_process');

const CHROMIUM = process.env.SEEK_CHROMIUM || '/usr/bin/chromium';
const SKIP = 77;

function args() {
  const a = { 'serve-args': '--template deepseek-r1 --parallel 2 --ctx 2048' };
  for (let i = 2; i < process.argv.length; i += 2) a[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
  if (!a.seek || !a.model || !a.out) throw new Error('usage: chat_ui.test.js --seek BIN --model FILE --out DIR');
  return a;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer();
  s.on('error', reject);
  s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});

async function startServer(a) {
  const port = await freePort();
  const argv = ['serve', '-m', a.model, '--port', String(port), ...a['serve-args'].split(/\s+/).filter(Boolean)];
  const child = spawn(a.seek, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log = (log + d).slice(-4000); });
  const url = 'http://127.0.0.1:' + port;
  for (let i = 0; i < 200; ++i) {
    if (child.exitCode !== null) throw new Error(`seek ${argv.join(' ')} exited with ${child.exitCode}: ${log}`);
    try { if ((await fetch(url + '/health')).ok) return { child, url, log: () => log }; } catch (_) { /* starting */ }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error('seek serve did not answer /health in 20 s: ' + log);
}

async function busySlots(url) {
  const text = await (await fetch(url + '/metrics')).text();
  const m = /^seek_slots_busy\s+(\S+)/m.exec(text);
  return m ? Number(m[1]) : NaN;
}

function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
}

async function main() {
  const a = args();
  if (!fs.existsSync(CHROMIUM)) {
    console.log('SKIP: no Chromium at ' + CHROMIUM);
    process.exit(SKIP);
  }
  const { chromium } = require(path.join(__dirname, '../oracle/node_modules/playwright-core'));
  fs.mkdirSync(a.out, { recursive: true });
  const server = await startServer(a);
  let browser = null;
  try {
    // The reference: the server's own non-streamed greedy answer to the first message.
    const first = 'Hello there, who are you?';
    const ref = await (await fetch(server.url + '/v1/chat/completions', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: first }], temperature: 0, max_tokens: 160 }),
    })).json();
    const refReasoning = ref.choices[0].message.reasoning_content || '';
    check(refReasoning.length > 0, 'the R1 template makes the answer reasoning: ' + JSON.stringify(ref).slice(0, 300));

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 1200, height: 860 } });
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.addInitScript(() => {
      // The tiny model streams ~160 tokens in a few ms, faster than the page paints, so the
      // partial states could all land in one frame. Hand the page each SSE event 8 ms apart (the
      // events and their order are untouched; cancelling still reaches the real stream).
      const realFetch = window.fetch.bind(window);
      window.fetch = async (...fa) => {
        const r = await realFetch(...fa);
        if (!r.body || !(r.headers.get('content-type') || '').includes('text/event-stream')) return r;
        const reader = r.body.getReader();
        const enc = new TextEncoder(), dec = new TextDecoder();
        let buf = '';
        const paced = new ReadableStream({
          async pull(ctl) {
            const { done, value } = await reader.read();
            if (done) {
              if (buf) ctl.enqueue(enc.encode(buf));
              ctl.close();
              return;
            }
            buf += dec.decode(value, { stream: true });
            const events = buf.split('\n\n');
            buf = events.pop();
            for (const e of events) {
              ctl.enqueue(enc.encode(e + '\n\n'));
              await new Promise((res) => setTimeout(res, 8));
            }
          },
          cancel(reason) { return reader.cancel(reason); },
        });
        return new Response(paced, { status: r.status, statusText: r.statusText, headers: r.headers });
      };
      if (!localStorage.getItem('seek.settings'))
        localStorage.setItem('seek.settings', JSON.stringify({ temperature: 0, max_tokens: 160, system: '', thinking: true }));
      // Every distinct length of the streaming reasoning the page shows.
      window.__thinkingLengths = new Set();
      new MutationObserver(() => {
        const b = document.querySelectorAll('.msg.assistant .thinking-body');
        if (b.length) window.__thinkingLengths.add(b[b.length - 1].textContent.length);
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    await page.goto(server.url + '/');
    check((await page.title()).includes('seek'), 'page title');
    await page.waitForFunction(() => document.querySelector('#model-name').textContent.trim().length > 0);

    // 1. Thinking on: the reasoning streams into the collapsible block.
    await page.fill('#input', first);
    await page.press('#input', 'Enter');
    await page.waitForSelector('#send:not([hidden])', { timeout: 30000 });
    const shown = await page.$eval('.msg.assistant .thinking-body', (e) => e.textContent);
    check(shown === refReasoning, `thinking block equals the API's reasoning_content\n  page: ${JSON.stringify(shown)}\n  api:  ${JSON.stringify(refReasoning)}`);
    check(await page.$eval('.msg.assistant details.thinking', (e) => !e.hidden), 'thinking block visible');
    const partial = await page.evaluate(() => [...window.__thinkingLengths].filter((n) => n > 0).length);
    check(partial >= 2, 'the reasoning was seen streaming (distinct partial lengths: ' + partial + ')');
    check(/tokens/.test(await page.$eval('.msg.assistant .meta', (e) => e.textContent)), 'usage line');

    // 2. Thinking off: the answer is the message body.
    await page.click('#thinking-toggle');
    await page.fill('#input', 'Now answer without thinking.');
    await page.press('#input', 'Enter');
    await page.waitForSelector('#send:not([hidden])', { timeout: 30000 });
    const second = await page.$$eval('.msg.assistant', (els) => {
      const e = els[els.length - 1];
      return { content: e.querySelector('.content').textContent, thinkingHidden: e.querySelector('details.thinking').hidden };
    });
    check(second.content.trim().length > 0, 'answer text with thinking off');
    check(second.thinkingHidden, 'no thinking block with thinking off');
    await page.screenshot({ path: path.join(a.out, 'chat_ui.png') });

    // 3. Settings: a long answer, stopped after its first tokens; the slot is freed.
    await page.click('#open-settings');
    await page.fill('#set-max-tokens', '1800');
    await page.click('#settings button[value=save]');
    await page.fill('#input', 'Tell me a long story.');
    await page.press('#input', 'Enter');
    await page.waitForFunction(() => {
      const els = document.querySelectorAll('.msg.assistant .content');
      return els.length === 3 && els[2].textContent.length > 0;
    }, null, { timeout: 30000 });
    await page.click('#stop');
    await page.waitForSelector('#send:not([hidden])', { timeout: 10000 });
    const meta = await page.$$eval('.msg.assistant .meta', (els) => els[els.length - 1].textContent);
    check(/stopped/.test(meta), 'stopped answer marked: ' + meta);
    let busy = NaN;
    for (let i = 0; i < 50 && busy !== 0; ++i) { busy = await busySlots(server.url); await sleep(100); }
    check(busy === 0, 'slot freed after Stop (seek_slots_busy ' + busy + ')');

    // 4. The conversation is kept in localStorage.
    await page.reload();
    await page.waitForSelector('.msg.assistant');
    check(await page.$$eval('.msg', (e) => e.length) === 6, 'six messages after reload');
    check(await page.$$eval('#conversations li', (e) => e.length) === 1, 'one conversation listed');
    await page.screenshot({ path: path.join(a.out, 'chat_ui_reloaded.png') });
    check(pageErrors.length === 0, 'no page errors: ' + pageErrors.join('; '));
    console.log('chat_ui.test.js: passed; screenshots in ' + a.out);
  } finally {
    if (browser) await browser.close();
    server.child.kill('SIGTERM');
  }
}

main().catch((e) => { console.error('chat_ui.test.js: ' + (e.stack || e)); process.exit(1); });
