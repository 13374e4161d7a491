// A small Markdown renderer for chat answers (hand-written, no dependencies): headings, lists
// (nested by indentation), block quotes, rules, fenced code blocks (with a copy button; an
// unterminated fence renders as code while it streams), paragraphs; inline code, bold, italic,
// strikethrough and links. Every piece of text is HTML-escaped before any markup is added, and
// link targets are limited to http(s), mailto and relative URLs.
'use strict';

const Markdown = (() => {
  const escapeHtml = (s) =>
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

  function safeUrl(url) {
    const u = url.trim();
    if (/^(https?:|mailto:)/i.test(u) || /^[/#.]/.test(u) || !/^[a-z][a-z0-9+.-]*:/i.test(u)) return u;
    return null;
  }

  // Inline spans. Code spans are cut out first so nothing inside them is interpreted.
  function inline(text) {
    const codes = [];
    let s = text.replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (_, ticks, code) => {
      codes.push('<code>' + escapeHtml(code.trim() === '' ? code : code.replace(/^ (.*) $/s, '$1')) + '</code>');
      return '\u0000' + (codes.length - 1) + '\u0000';
    });
    s = escapeHtml(s);
    s = s.replace(/\[([^\]\n]+)\]\(([^)\s]+)(?:\s+&quot;[^&]*&quot;)?\)/g, (m, label, href) => {
      const url = safeUrl(href.replace(/&amp;/g, '&'));
      if (url === null) return label;
      return '<a href="' + escapeHtml(url) + '" target="_blank" rel="noopener noreferrer">' + label + '</a>';
    });
    s = s.replace(/(^|[\s(])(https?:\/\/[^\s<]+[^\s<.,:;"')\]])/g,
      (m, pre, url) => pre + '<a href="' + url + '" target="_blank" rel="noopener noreferrer">' + url + '</a>');
    s = s.replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, '<strong>$1</strong>');
    s = s.replace(/(^|[^\w])__(?=\S)([\s\S]*?\S)__(?!\w)/g, '$1<strong>$2</strong>');
    s = s.replace(/(^|[^*\w])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?!\*)/g, '$1<em>$2</em>');
    s = s.replace(/(^|[^\w])_(?=[^\s_])([^_\n]*?[^\s_])_(?!\w)/g, '$1<em>$2</em>');
    s = s.replace(/~~(?=\S)([\s\S]*?\S)~~/g, '<del>$1</del>');
    s = s.replace(/ {2,}\n|\\\n/g, '<br>');
    return s.replace(/\u0000(\d+)\u0000/g, (_, i) => codes[Number(i)]);
  }

  function codeBlock(lang, code) {
    const cls = lang ? ' class="language-' + escapeHtml(lang) + '"' : '';
    return '<div class="code-block"><div class="code-head"><span class="code-lang">' + escapeHtml(lang || 'text') +
      '</span><button type="button" class="copy-code" title="Copy code">Copy</button></div>' +
      '<pre><code' + cls + '>' + escapeHtml(code) + '</code></pre></div>';
  }

  const reFence = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/;
  const reHeading = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
  const reRule = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
  const reItem = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
  const reQuote = /^ {0,3}>\s?(.*)$/;

  // A run of list lines -> nested <ul>/<ol>, nesting by indentation.
  function list(lines) {
    let html = '';
    const stack = [];  // {indent, tag}
    for (const line of lines) {
      const m = reItem.exec(line);
      if (!m) {  // continuation of the previous item
        html += ' ' + inline(line.trim());
        continue;
      }
      const indent = m[1].replace(/\t/g, '    ').length;
      const tag = /\d/.test(m[2]) ? 'ol' : 'ul';
      while (stack.length && indent < stack[stack.length - 1].indent) html += '</li></' + stack.pop().tag + '>';
      if (stack.length && indent === stack[stack.length - 1].indent && tag !== stack[stack.length - 1].tag)
        html += '</li></' + stack.pop().tag + '>';  // "- a" then "1. b" at one level: two lists
      const top = stack[stack.length - 1];
      if (!top || indent > top.indent) {
        const start = tag === 'ol' && parseInt(m[2], 10) !== 1 ? ' start="' + parseInt(m[2], 10) + '"' : '';
        html += '<' + tag + start + '>';
        stack.push({ indent, tag });
      } else {
        html += '</li>';
      }
      html += '<li>' + inline(m[3]);
    }
    while (stack.length) html += '</li></' + stack.pop().tag + '>';
    return html;
  }

  function render(src) {
    const lines = src.replace(/\r\n?/g, '\n').split('\n');
    const out = [];
    let para = [];
    const flush = () => {
      if (para.length) out.push('<p>' + inline(para.join('\n')) + '</p>');
      para = [];
    };
    for (let i = 0; i < lines.length;) {
      const line = lines[i];
      let m;
      if ((m = reFence.exec(line))) {
        flush();
        const fence = m[1];
        const body = [];
        for (++i; i < lines.length && !lines[i].trim().startsWith(fence); ++i) body.push(lines[i]);
        ++i;  // the closing fence (or past the end while streaming)
        out.push(codeBlock(m[2], body.join('\n')));
      } else if ((m = reHeading.exec(line))) {
        flush();
        out.push('<h' + m[1].length + '>' + inline(m[2]) + '</h' + m[1].length + '>');
        ++i;
      } else if (reRule.test(line)) {
        flush();
        out.push('<hr>');
        ++i;
      } else if (reItem.test(line) && (para.length === 0 || /^\s*([-*+]|1[.)])\s/.test(line))) {
        flush();
        const items = [];
        while (i < lines.length && lines[i].trim() !== '' && !reFence.test(lines[i]) &&
               (reItem.test(lines[i]) || /^\s+\S/.test(lines[i]))) items.push(lines[i++]);
        out.push(list(items));
      } else if (reQuote.test(line)) {
        flush();
        const quoted = [];
        while (i < lines.length && (m = reQuote.exec(lines[i]))) { quoted.push(m[1]); ++i; }
        out.push('<blockquote>' + render(quoted.join('\n')) + '</blockquote>');
      } else if (line.trim() === '') {
        flush();
        ++i;
      } else {
        para.push(line);
        ++i;
      }
    }
    flush();
    return out.join('\n');
  }

  return { render, escapeHtml, inline };
})();

if (typeof module !== 'undefined') module.exports = Markdown;
