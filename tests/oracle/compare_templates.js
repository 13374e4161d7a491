// Oracle test: seek's native chat-template renderers against the real Jinja templates
// (templates.js) rendered by @huggingface/jinja, on a set of conversations (plain chat, system
// prompts, past reasoning, tool calls and outputs, thinking on/off), and seek's template
// detection on each real Jinja source. Usage: node compare_templates.js SEEK_BINARY
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { Template } = require('@huggingface/jinja');
const { realTemplates } = require('./templates');

const seek = process.argv[2];
if (!seek) {
  console.error('usage: node compare_templates.js SEEK_BINARY');
  process.exit(2);
}
const BOS = '<｜begin▁of▁sentence｜>', EOS = '<｜end▁of▁sentence｜>';
const call = (id, name, args) => ({ id, type: 'function', function: { name, arguments: JSON.stringify(args) } });
const u = (content) => ({ role: 'user', content });
const a = (content) => ({ role: 'assistant', content });
const s = (content) => ({ role: 'system', content });
const tool = (content, id) => ({ role: 'tool', content, tool_call_id: id });
const calls = (content, ...tc) => ({ role: 'assistant', content, tool_calls: tc });

const CHATS = [
  [u('Hello!')],
  [s('You are a helpful assistant.'), u('What is 2+2?')],
  [s('First system.'), s('Second system.'), u('Hi')],
  [u('Hi'), a('Hello! How can I help?'), u('Tell me a joke.')],
  [u('Solve x+1=3'), a('<think>\nSubtract 1.\n</think>\n\nx = 2'), u('And x+2=5?')],
  [u('Q'), a('<think>a</think>b</think>c'), u('again')],
  [u('多语言：中文、日本語、한국어 😀'), a('好的 👍'), u('line1\nline2\r\n\ttabbed')],
  [u('What is the weather in Paris?'), calls(null, call('c1', 'get_weather', { city: 'Paris' })),
    tool('{"temp": 21}', 'c1')],
  [u('Weather in Paris and Rome?'), calls(null, call('c1', 'get_weather', { city: 'Paris' }), call('c2', 'get_weather', { city: 'Rome' })),
    tool('{"temp": 21}', 'c1'), tool('{"temp": 25}', 'c2'), a('Paris 21°C, Rome 25°C.')],
  [u('Weather?'), calls(null, call('c1', 'get_weather', { city: 'Oslo' })), tool('cold', 'c1'), a('It is cold.'),
    u('And tomorrow?'), calls(null, call('c2', 'forecast', { city: 'Oslo', days: 1 })), tool('colder', 'c2')],
  [u('Use the tool'), calls('Let me check.', call('c1', 'lookup', { q: 'x' })), tool('found', 'c1'), a('Done.')],
  [u('Find x'), calls('', call('c1', 'find', { x: 1 }), call('c2', 'find', { x: 2 })), tool('one', 'c1'), tool('two', 'c2'),
    a('<think>ok</think>Both found.'), u('thanks')],
  [s('sys'), u('a'), a('b')],
  [u('')],
  [u('Continue: '), { role: 'assistant', content: 'Once upon', prefix: true }],
];

const templates = realTemplates();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'seek-tpl-'));
let passed = 0, failed = 0, skipped = 0;
const fail = (msg) => {
  ++failed;
  if (failed <= 12) console.log(msg);
};

for (const [name, src] of Object.entries(templates)) {
  // Detection: seek must recognise the real source as this kind.
  const jf = path.join(tmp, `${name}.jinja`);
  fs.writeFileSync(jf, src);
  const detected = JSON.parse(execFileSync(seek, ['template', '--jinja', jf, '--json'], { input: '[]' }).toString()).template;
  if (detected === name) ++passed;
  else fail(`DETECT ${name}: seek says ${detected}`);

  const tpl = new Template(src);
  const cases = [];
  for (const messages of CHATS)
    for (const add_generation_prompt of [true, false])
      for (const thinking of name === 'deepseek-v3.1' ? [true, false] : [true]) {
        let want;
        try {
          want = tpl.render({ messages, add_generation_prompt, thinking, bos_token: BOS, eos_token: EOS });
        } catch (e) {
          ++skipped;  // the real template itself fails on this chat (e.g. null content in R1-0528)
          if (process.env.SEEK_VERBOSE) console.log(`jinja rejects ${name}: ${e.message.slice(0, 80)} ${JSON.stringify(messages).slice(0, 120)}`);
          continue;
        }
        cases.push({ req: { messages, add_generation_prompt, thinking }, want });
      }
  const bf = path.join(tmp, `${name}.jsonl`);
  fs.writeFileSync(bf, cases.map((c) => JSON.stringify(c.req)).join('\n') + '\n');
  const got = execFileSync(seek, ['template', '--template', name, '--batch', bf]).toString('utf8').trim().split('\n');
  cases.forEach((c, i) => {
    const g = got[i] === undefined ? undefined : JSON.parse(got[i]).prompt;
    if (g === c.want) ++passed;
    else fail(`MISMATCH ${name} ${JSON.stringify(c.req).slice(0, 300)}\n  jinja: ${JSON.stringify(c.want)}\n  seek:  ${JSON.stringify(g)}`);
  });
}
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`chat templates: ${Object.keys(templates).length} real templates x ${CHATS.length} chats (${skipped} combinations the Jinja itself rejects)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
