// `seek serve` through the official `openai` npm client (v4) and plain fetch: chat and text
// completions, streaming (SSE, include_usage), the DeepSeek fields (reasoning_content, usage
// prompt_cache_hit/miss_tokens, reasoning_tokens), thinking on/off, tools, logprobs,
// response_format json_object, the error shapes and statuses, auth, a client that disconnects
// mid-stream, concurrent clients, and greedy output equal to `seek run`.
// Usage: node server_openai.js SEEK_BINARY MODEL.gguf
'use strict';
const assert = require('assert');
const { spawn, spawnSync } = require('child_process');
const OpenAI = require('openai');

const [SEEK, MODEL] = process.argv.slice(2);
if (!SEEK || !MODEL) {
  console.error('usage: node server_openai.js SEEK_BINARY MODEL.gguf');
  process.exit(2);
}

const servers = [];
function startServer(args) {
  return new Promise((resolve, reject) => {
    const p = spawn(SEEK, ['serve', '-m', MODEL, '--port', '0', '-t', '2', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    servers.push(p);
    let out = '', err = '';
    const timer = setTimeout(() => reject(new Error('seek serve did not start: ' + err)), 30000);
    p.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m && !p.url) {
        p.url = m[1];
        clearTimeout(timer);
        resolve(p);
      }
    });
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (code) => { if (!p.url) reject(new Error(`seek serve exited with ${code}: ${err}`)); });
  });
}

function client(url, apiKey = 'unused') {
  return new OpenAI({ baseURL: url + '/v1', apiKey, maxRetries: 0, timeout: 30000 });
}

const greedy = { temperature: 0, max_tokens: 16 };
const ask = (text) => [{ role: 'user', content: text }];

async function expectApiError(promise, status, check) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof OpenAI.APIError, `expected an APIError, got ${e}`);
    assert.strictEqual(e.status, status, `status: ${e.status} ${e.message}`);
    assert.ok(e.error && typeof e.error.message === 'string', 'error.message');
    assert.ok(typeof e.error.type === 'string', 'error.type');
    if (check) check(e.error);
    return;
  }
  assert.fail(`expected HTTP ${status}`);
}

async function rawPost(url, path, body, headers = {}) {
  const r = await fetch(url + path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch (_) { /* not JSON */ }
  return { status: r.status, json, text };
}

async function collectStream(stream) {
  let content = '', reasoning = '', finish = null, usage = null, roleSeen = false, n = 0;
  const toolCalls = [];
  for await (const chunk of stream) {
    n++;
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices) {
      if (c.delta.role) roleSeen = true;
      if (c.delta.content) content += c.delta.content;
      if (c.delta.reasoning_content) {
        assert.strictEqual(content, '', 'reasoning deltas come before content deltas');
        reasoning += c.delta.reasoning_content;
      }
      if (c.delta.tool_calls) toolCalls.push(...c.delta.tool_calls);
      if (c.finish_reason) finish = c.finish_reason;
    }
  }
  return { content, reasoning, finish, usage, roleSeen, n, toolCalls };
}

function checkUsage(u) {
  for (const k of ['prompt_tokens', 'completion_tokens', 'total_tokens', 'prompt_cache_hit_tokens', 'prompt_cache_miss_tokens'])
    assert.ok(Number.isInteger(u[k]), `usage.${k}`);
  assert.strictEqual(u.total_tokens, u.prompt_tokens + u.completion_tokens);
  assert.strictEqual(u.prompt_cache_hit_tokens + u.prompt_cache_miss_tokens, u.prompt_tokens);
  assert.ok(Number.isInteger(u.completion_tokens_details.reasoning_tokens), 'reasoning_tokens');
}

async function health(url) {
  return (await fetch(url + '/health')).json();
}

async function mainServerTests() {
  const srv = await startServer(['--parallel', '2', '-c', '512']);
  const url = srv.url;
  const ai = client(url);

  // /v1/models
  const models = await ai.models.list();
  assert.strictEqual(models.data.length, 1);
  assert.strictEqual(models.data[0].id, 'ds2-micro-F32.gguf');

  // Non-streaming chat; then the same prompt streamed must give the same greedy text.
  const msgs = ask('Write a haiku about the sea.');
  const a = await ai.chat.completions.create({ model: 'x', messages: msgs, ...greedy });
  assert.strictEqual(a.object, 'chat.completion');
  assert.ok(a.id.startsWith('chatcmpl-'));
  assert.strictEqual(a.choices[0].message.role, 'assistant');
  assert.ok(['stop', 'length'].includes(a.choices[0].finish_reason));
  checkUsage(a.usage);
  assert.ok(a.usage.completion_tokens > 0 && a.usage.completion_tokens <= 16);
  const text = a.choices[0].message.content;
  assert.strictEqual(typeof text, 'string');

  const s = await collectStream(await ai.chat.completions.create({
    model: 'x', messages: msgs, ...greedy, stream: true, stream_options: { include_usage: true } }));
  assert.ok(s.roleSeen, 'first chunk carries the role');
  assert.strictEqual(s.content, text, 'streamed text equals the non-streamed text');
  assert.strictEqual(s.finish, a.choices[0].finish_reason);
  checkUsage(s.usage);
  assert.strictEqual(s.usage.completion_tokens, a.usage.completion_tokens);
  // The prefix cache: the same prompt again reuses all but its last token.
  assert.strictEqual(s.usage.prompt_cache_hit_tokens, a.usage.prompt_tokens - 1);

  // Greedy text completion == `seek run` (same prompt, same count).
  const run = spawnSync(SEEK, ['run', '-m', MODEL, '-p', 'Once upon a time', '-n', '12', '-q', '-t', '2'], { encoding: 'utf8' });
  assert.strictEqual(run.status, 0, run.stderr);
  const c = await ai.completions.create({ model: 'x', prompt: 'Once upon a time', temperature: 0, max_tokens: 12 });
  assert.strictEqual(c.object, 'text_completion');
  assert.strictEqual(c.choices[0].text, run.stdout.replace(/\n$/, ''), 'server greedy == seek run');
  let streamed = '';
  for await (const ch of await ai.completions.create({ model: 'x', prompt: 'Once upon a time', temperature: 0, max_tokens: 12, stream: true }))
    streamed += ch.choices[0].text;
  assert.strictEqual(streamed, c.choices[0].text);

  // logprobs: top-1 alternative of a greedy token is the token itself.
  const lp = await ai.chat.completions.create({ model: 'x', messages: msgs, temperature: 0, max_tokens: 4, logprobs: true, top_logprobs: 3 });
  const entries = lp.choices[0].logprobs.content;
  assert.strictEqual(entries.length, lp.usage.completion_tokens);
  for (const e of entries) {
    assert.ok(e.logprob <= 0);
    assert.strictEqual(e.top_logprobs.length, 3);
    assert.strictEqual(e.top_logprobs[0].token, e.token);
    assert.ok(Math.abs(e.top_logprobs[0].logprob - e.logprob) < 1e-6);
  }

  // Tools are accepted (the answer is well-formed whatever this random model writes).
  const tools = [{ type: 'function', function: { name: 'get_weather', description: 'weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
  const t = await ai.chat.completions.create({ model: 'x', messages: ask('Weather in Paris?'), tools, ...greedy });
  assert.ok(['stop', 'length', 'tool_calls'].includes(t.choices[0].finish_reason));

  // response_format json_object: the answer is a prefix of one JSON object (complete if "stop").
  const j = await ai.chat.completions.create({ model: 'x', messages: ask('JSON please'), temperature: 0, max_tokens: 40,
    response_format: { type: 'json_object' } });
  const jt = j.choices[0].message.content.trim();
  assert.ok(jt.startsWith('{'), `json_object output starts with {: ${JSON.stringify(jt)}`);
  if (j.choices[0].finish_reason === 'stop') JSON.parse(jt);

  // Errors: the OpenAI shape and status, and the server keeps serving.
  await expectApiError(ai.chat.completions.create({ model: 'x', messages: [] }), 400, (e) => assert.strictEqual(e.param, 'messages'));
  await expectApiError(ai.chat.completions.create({ model: 'x', messages: [{ role: 'wizard', content: 'hi' }] }), 400,
    (e) => assert.strictEqual(e.param, 'messages[0].role'));
  await expectApiError(ai.chat.completions.create({ model: 'x', messages: msgs, temperature: 'hot' }), 400,
    (e) => assert.strictEqual(e.param, 'temperature'));
  await expectApiError(ai.chat.completions.create({ model: 'x', messages: msgs, max_tokens: 1e9 }), 400,
    (e) => assert.strictEqual(e.param, 'max_tokens'));
  await expectApiError(ai.chat.completions.create({ model: 'x', messages: ask('word '.repeat(600)) }), 400,
    (e) => assert.strictEqual(e.code, 'context_length_exceeded'));
  await expectApiError(ai.chat.completions.create({ model: 'x', messages: msgs, n: 3 }), 400);

  let r = await rawPost(url, '/v1/chat/completions', '{"messages": [');
  assert.strictEqual(r.status, 400);
  assert.strictEqual(r.json.error.type, 'invalid_request_error');
  r = await rawPost(url, '/v1/chat/completions', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]));  // {"a":"\xff\xfe"}
  assert.strictEqual(r.status, 400, 'invalid UTF-8');
  r = await rawPost(url, '/v1/chat/completions', '[1,2]');
  assert.strictEqual(r.status, 400);
  r = await rawPost(url, '/v1/chat/completions', JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(9 << 20) }] }));
  assert.strictEqual(r.status, 413, 'body too large');
  assert.strictEqual(r.json.error.code, 'request_too_large');
  r = await rawPost(url, '/v1/nothing', '{}');
  assert.strictEqual(r.status, 404);
  assert.ok(r.json.error.message.includes('/v1/nothing'));

  // tokenize / detokenize round trip
  r = await rawPost(url, '/tokenize', JSON.stringify({ content: 'Hello world' }));
  assert.strictEqual(r.status, 200);
  assert.ok(r.json.tokens.length >= 2);
  const back = await rawPost(url, '/detokenize', JSON.stringify({ tokens: r.json.tokens }));
  assert.strictEqual(back.json.content, 'Hello world');
  r = await rawPost(url, '/detokenize', JSON.stringify({ tokens: [-1] }));
  assert.strictEqual(r.status, 400);

  // A client that disconnects mid-stream frees its slot.
  const ctl = new AbortController();
  const long = await ai.chat.completions.create({ model: 'x', messages: ask('Tell me a long story.'), max_tokens: 400,
    ignore_eos: true, stream: true }, { signal: ctl.signal });
  let got = 0;
  try {
    for await (const _ of long) { if (++got === 3) ctl.abort(); }
  } catch (e) { /* aborted */ }
  let h;
  for (let i = 0; i < 50; i++) {
    h = await health(url);
    if (h.slots_processing === 0) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.strictEqual(h.slots_processing, 0, 'the disconnected client\'s slot is free');

  // Concurrent clients (more than the 2 slots): each gets what it gets alone.
  const prompts = ['one', 'two two', 'three three three', 'four', 'five five'];
  const alone = [];
  for (const p of prompts) alone.push((await ai.chat.completions.create({ model: 'x', messages: ask(p), ...greedy })).choices[0].message.content);
  const together = await Promise.all(prompts.map((p) => ai.chat.completions.create({ model: 'x', messages: ask(p), ...greedy })));
  together.forEach((x, i) => assert.strictEqual(x.choices[0].message.content, alone[i], `concurrent request ${i}`));

  // Metrics
  const m = await (await fetch(url + '/metrics')).text();
  for (const name of ['seek_requests_total', 'seek_completion_tokens_total', 'seek_prompt_cache_hit_tokens_total',
    'seek_slots_busy', 'seek_tokens_per_second', 'seek_requests_cancelled_total'])
    assert.ok(m.includes(name + ' '), `metrics has ${name}`);
  assert.ok(/seek_requests_cancelled_total [1-9]/.test(m), 'the disconnect was counted as a cancellation');
  assert.strictEqual((await health(url)).status, 'ok');
}

async function thinkingTests() {
  // R1 template: the prompt opens <think>, so the output is reasoning until </think>.
  const srv = await startServer(['--parallel', '1', '-c', '256', '--template', 'deepseek-r1']);
  const ai = client(srv.url);
  const a = await ai.chat.completions.create({ model: 'x', messages: ask('2+2?'), ...greedy });
  const msg = a.choices[0].message;
  assert.strictEqual(typeof msg.reasoning_content, 'string');
  assert.ok(msg.reasoning_content.length > 0 || msg.content.length > 0);
  if (!msg.content) assert.strictEqual(a.usage.completion_tokens_details.reasoning_tokens, a.usage.completion_tokens);
  const s = await collectStream(await ai.chat.completions.create({ model: 'x', messages: ask('2+2?'), ...greedy, stream: true }));
  assert.strictEqual(s.reasoning, msg.reasoning_content);
  assert.strictEqual(s.content, msg.content);
  // Thinking off: the prompt closes an empty think block, nothing goes to reasoning_content.
  for (const extra of [{ thinking: { type: 'disabled' } }, { chat_template_kwargs: { enable_thinking: false } }]) {
    const b = await ai.chat.completions.create({ model: 'x', messages: ask('2+2?'), ...greedy, ...extra });
    assert.ok(!b.choices[0].message.reasoning_content, 'no reasoning with thinking disabled');
    assert.strictEqual(b.usage.completion_tokens_details.reasoning_tokens, 0);
    assert.notStrictEqual(b.usage.prompt_tokens, a.usage.prompt_tokens, 'a different prompt');
  }
}

async function authTests() {
  const srv = await startServer(['--parallel', '1', '-c', '128', '--api-key', 'sekrit']);
  await expectApiError(client(srv.url, 'wrong').models.list(), 401, (e) => assert.strictEqual(e.type, 'authentication_error'));
  const r = await fetch(srv.url + '/v1/models');
  assert.strictEqual(r.status, 401);
  assert.strictEqual((await health(srv.url)).status, 'ok', '/health needs no key');
  const ok = await client(srv.url, 'sekrit').chat.completions.create({ model: 'x', messages: ask('hi'), temperature: 0, max_tokens: 2 });
  assert.ok(ok.choices.length === 1);
}

(async () => {
  try {
    await mainServerTests();
    await thinkingTests();
    await authTests();
    console.log('server_openai: all checks passed');
  } catch (e) {
    console.error('server_openai FAILED:', e);
    process.exitCode = 1;
  } finally {
    for (const p of servers) p.kill('SIGTERM');
  }
})();
