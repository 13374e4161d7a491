// The chat page's Markdown renderer (src/server/ui/markdown.js) under node: each construct gives
// the HTML CommonMark would give for it (expected strings written from the CommonMark spec's
// examples), and nothing the model writes can inject markup or a javascript: link.
'use strict';
const assert = require('assert');
const path = require('path');
const Markdown = require(path.join(__dirname, '../../src/server/ui/markdown.js'));

const cases = [
  ['# Title', '<h1>Title</h1>'],
  ['### Three ###', '<h3>Three</h3>'],
  ['####### seven', '<p>####### seven</p>'],
  ['a **bold** and *it* and _it2_ and __b2__', '<p>a <strong>bold</strong> and <em>it</em> and <em>it2</em> and <strong>b2</strong></p>'],
  ['snake_case_name stays', '<p>snake_case_name stays</p>'],
  ['2 * 3 * 4', '<p>2 * 3 * 4</p>'],
  ['use `a < b` here', '<p>use <code>a &lt; b</code> here</p>'],
  ['`` a`b ``', '<p><code>a`b</code></p>'],
  ['`**not bold**`', '<p><code>**not bold**</code></p>'],
  ['~~gone~~', '<p><del>gone</del></p>'],
  ['[seek](https://example.com/a?b=1&c=2)', '<p><a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">seek</a></p>'],
  ['see https://example.com.', '<p>see <a href="https://example.com" target="_blank" rel="noopener noreferrer">https://example.com</a>.</p>'],
  ['- a\n- b\n  - c\n- d', '<ul><li>a</li><li>b<ul><li>c</li></ul></li><li>d</li></ul>'],
  ['1. one\n2. two', '<ol><li>one</li><li>two</li></ol>'],
  ['3. three\n4. four', '<ol start="3"><li>three</li><li>four</li></ol>'],
  ['- a\n1. b', '<ul><li>a</li></ul><ol><li>b</li></ol>'],
  ['> quoted\n> more', '<blockquote><p>quoted\nmore</p></blockquote>'],
  ['---', '<hr>'],
  ['para one\nline two\n\npara two', '<p>para one\nline two</p>\n<p>para two</p>'],
  ['```js\nif (a < b) {}\n```', '<div class="code-block"><div class="code-head"><span class="code-lang">js</span><button type="button" class="copy-code" title="Copy code">Copy</button></div><pre><code class="language-js">if (a &lt; b) {}</code></pre></div>'],
  ['```\nstreaming, not closed yet', '<div class="code-block"><div class="code-head"><span class="code-lang">text</span><button type="button" class="copy-code" title="Copy code">Copy</button></div><pre><code>streaming, not closed yet</code></pre></div>'],
];
for (const [src, want] of cases) assert.strictEqual(Markdown.render(src), want, 'markdown: ' + JSON.stringify(src));

// Injection: raw HTML is text; link targets other than http(s)/mailto/relative are dropped.
const hostile = [
  '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '[x](javascript:alert(1))', '[x](JaVaScRiPt:alert(1))',
  '[x](data:text/html;base64,PHNjcmlwdD4=)', '```"><script>alert(1)</script>\ncode\n```', '[a](https://x.com" onmouseover="alert(1))',
  '# <b onclick=x>', '- <iframe>', '> <svg onload=alert(1)>', '`</code><script>`', '**<script>**',
];
for (const src of hostile) {
  const html = Markdown.render(src);
  assert.ok(!/<(script|img|iframe|svg|b )/i.test(html), 'markup injected by ' + JSON.stringify(src) + ': ' + html);
  assert.ok(!/href="(javascript|data):/i.test(html), 'unsafe link from ' + JSON.stringify(src) + ': ' + html);
  assert.ok(!/"\s+on\w+=/i.test(html.replace(/&quot;/g, '')), 'attribute injected by ' + JSON.stringify(src) + ': ' + html);
}
console.log('markdown.test.js: ' + (cases.length + hostile.length) + ' cases passed');
