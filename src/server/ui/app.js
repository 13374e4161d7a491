// seek's chat page: conversations kept in localStorage, answers streamed from
// POST /v1/chat/completions (Server-Sent Events parsed by hand from fetch's body), the model's
// reasoning_content shown in a collapsible "Thinking" block, a stop button (AbortController),
// settings (temperature, max tokens, system prompt, thinking on/off). Markdown via markdown.js.
'use strict';

const STORE_CONVS = 'seek.conversations';
const STORE_SETTINGS = 'seek.settings';
const DEFAULT_SETTINGS = { temperature: 0.6, max_tokens: 1024, system: '', thinking: true };

const $ = (sel) => document.querySelector(sel);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

const state = {
  convs: load(STORE_CONVS, []),
  settings: Object.assign({}, DEFAULT_SETTINGS, load(STORE_SETTINGS, {})),
  currentId: null,
  controller: null,  // AbortController of the answer being streamed
  model: null,
};

function load(key, fallback) {
  try {
    const v = JSON.parse(localStorage.getItem(key));
    return v === null ? fallback : v;
  } catch (_) {
    return fallback;
  }
}
function save() {
  try {
    localStorage.setItem(STORE_CONVS, JSON.stringify(state.convs));
    localStorage.setItem(STORE_SETTINGS, JSON.stringify(state.settings));
  } catch (_) { /* storage full or disabled: the page still works for this visit */ }
}

const current = () => state.convs.find((c) => c.id === state.currentId) || null;

function newConversation() {
  const conv = { id: Date.now().toString(36) + Math.random().toString(36).slice(2, 7), title: 'New chat', messages: [], updated: Date.now() };
  state.convs.unshift(conv);
  state.currentId = conv.id;
  save();
  renderSidebar();
  renderMessages();
  $('#input').focus();
  return conv;
}

// ---- sidebar ---------------------------------------------------------------------------------

function renderSidebar() {
  const list = $('#conversations');
  list.replaceChildren();
  for (const c of state.convs) {
    const item = el('li', 'conv' + (c.id === state.currentId ? ' active' : ''));
    const title = el('button', 'conv-title', c.title);
    title.type = 'button';
    title.addEventListener('click', () => {
      if (state.controller) return;
      state.currentId = c.id;
      renderSidebar();
      renderMessages();
    });
    const del = el('button', 'conv-delete', '\u00d7');
    del.type = 'button';
    del.title = 'Delete conversation';
    del.addEventListener('click', (e) => {
      e.stopPropagation();
      if (state.controller && c.id === state.currentId) return;
      state.convs = state.convs.filter((x) => x.id !== c.id);
      if (state.currentId === c.id) state.currentId = state.convs.length ? state.convs[0].id : null;
      save();
      renderSidebar();
      renderMessages();
    });
    item.append(title, del);
    list.append(item);
  }
}

// ---- messages --------------------------------------------------------------------------------

function renderMessages() {
  const box = $('#messages');
  box.replaceChildren();
  const conv = current();
  $('#empty').hidden = !!(conv && conv.messages.length);
  if (!conv) return;
  for (const m of conv.messages) box.append(messageView(m));
  scrollToEnd(true);
}

function messageView(m) {
  const wrap = el('div', 'msg ' + m.role);
  const bubble = el('div', 'bubble');
  if (m.role === 'assistant') {
    const details = el('details', 'thinking');
    details.hidden = !m.reasoning;
    details.append(el('summary', null, thinkingLabel(m)), el('div', 'thinking-body'));
    details.querySelector('.thinking-body').textContent = m.reasoning || '';
    const content = el('div', 'content markdown');
    content.innerHTML = Markdown.render(m.content || '');
    bubble.append(details, content);
    if (m.error) bubble.append(el('div', 'error', m.error));
    const meta = el('div', 'meta', m.meta || '');
    bubble.append(meta);
  } else {
    bubble.append(el('div', 'content', m.content));
  }
  wrap.append(bubble);
  return wrap;
}

function thinkingLabel(m) {
  if (m.streaming && !m.content) return 'Thinking\u2026';
  return m.thinkSeconds ? 'Thought for ' + m.thinkSeconds.toFixed(1) + ' s' : 'Thought';
}

function scrollToEnd(force) {
  const box = $('#scroller');
  const near = box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  if (force || near) box.scrollTop = box.scrollHeight;
}

// Updates the last assistant bubble in place (at most once per animation frame).
let pendingFrame = 0;
function updateLast(m, force) {
  if (pendingFrame && !force) return;
  const paint = () => {
    pendingFrame = 0;
    const wraps = $('#messages').querySelectorAll('.msg.assistant');
    const wrap = wraps[wraps.length - 1];
    if (!wrap) return;
    const details = wrap.querySelector('details.thinking');
    details.hidden = !m.reasoning;
    details.querySelector('summary').textContent = thinkingLabel(m);
    details.querySelector('.thinking-body').textContent = m.reasoning;
    if (m.streaming && !m.content && m.reasoning && !details.dataset.touched) details.open = true;
    if (m.content && !details.dataset.touched) details.open = false;
    wrap.querySelector('.content').innerHTML = Markdown.render(m.content) + (m.streaming ? '<span class="cursor"></span>' : '');
    let err = wrap.querySelector('.error');
    if (m.error && !err) wrap.querySelector('.bubble').insertBefore(err = el('div', 'error'), wrap.querySelector('.meta'));
    if (err) err.textContent = m.error || '';
    wrap.querySelector('.meta').textContent = m.meta || '';
    scrollToEnd(false);
  };
  if (force) paint();
  else pendingFrame = requestAnimationFrame(paint);
}

// ---- sending and streaming -------------------------------------------------------------------

function requestBody(conv) {
  const s = state.settings;
  const messages = [];
  if (s.system.trim()) messages.push({ role: 'system', content: s.system });
  for (const m of conv.messages) {
    if (m.role === 'assistant' && (m.streaming || (!m.content && m.error))) continue;
    messages.push({ role: m.role, content: m.content });  // reasoning is not sent back (DeepSeek's rule)
  }
  const body = {
    messages, stream: true, stream_options: { include_usage: true },
    temperature: Number(s.temperature), max_tokens: Number(s.max_tokens),
  };
  if (state.model) body.model = state.model;
  if (!s.thinking) {
    body.thinking = { type: 'disabled' };
    body.chat_template_kwargs = { enable_thinking: false };
  }
  return body;
}

// Yields each parsed `data:` payload of an SSE stream.
async function* sseEvents(response, signal) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let cut;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const event = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const data = event.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, '')).join('\n');
        if (!data) continue;
        if (data === '[DONE]') return;
        yield JSON.parse(data);
      }
    }
  } finally {
    if (signal.aborted) reader.cancel().catch(() => {});
  }
}

async function send() {
  const input = $('#input');
  const text = input.value.trim();
  if (!text || state.controller) return;
  const conv = current() || newConversation();
  if (!conv.messages.length) conv.title = text.length > 48 ? text.slice(0, 47) + '\u2026' : text;
  conv.messages.push({ role: 'user', content: text });
  const answer = { role: 'assistant', content: '', reasoning: '', streaming: true };
  conv.messages.push(answer);
  conv.updated = Date.now();
  input.value = '';
  autoGrow();
  state.convs = [conv, ...state.convs.filter((c) => c !== conv)];
  save();
  renderSidebar();
  renderMessages();

  const controller = new AbortController();
  state.controller = controller;
  setBusy(true);
  const t0 = performance.now();
  let tThinkEnd = 0, nChunks = 0, usage = null;
  try {
    const response = await fetch('/v1/chat/completions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(requestBody(conv)),
      signal: controller.signal,
    });
    if (!response.ok) {
      let msg = response.status + ' ' + response.statusText;
      try { msg = (await response.json()).error.message || msg; } catch (_) { /* not JSON */ }
      throw new Error(msg);
    }
    for await (const chunk of sseEvents(response, controller.signal)) {
      if (chunk.error) throw new Error(chunk.error.message || 'server error');
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices && chunk.choices[0];
      if (!choice) continue;
      const d = choice.delta || {};
      if (d.reasoning_content) answer.reasoning += d.reasoning_content;
      if (d.content) {
        if (!tThinkEnd) tThinkEnd = performance.now();
        answer.content += d.content;
      }
      if (choice.finish_reason) answer.finish = choice.finish_reason;
      ++nChunks;
      updateLast(answer, false);
    }
  } catch (e) {
    if (e.name === 'AbortError') answer.stopped = true;
    else answer.error = String(e.message || e);
  }
  const seconds = (performance.now() - t0) / 1000;
  if (answer.reasoning) answer.thinkSeconds = ((tThinkEnd || performance.now()) - t0) / 1000;
  const tokens = usage ? usage.completion_tokens : nChunks;
  const parts = [tokens + ' tokens', seconds.toFixed(1) + ' s'];
  if (seconds > 0 && tokens) parts.push((tokens / seconds).toFixed(1) + ' tok/s');
  if (answer.stopped) parts.push('stopped');
  else if (answer.finish === 'length') parts.push('cut at max tokens');
  answer.meta = parts.join(' \u00b7 ');
  answer.streaming = false;
  state.controller = null;
  setBusy(false);
  updateLast(answer, true);
  save();
}

function setBusy(busy) {
  $('#send').hidden = busy;
  $('#stop').hidden = !busy;
  document.body.classList.toggle('busy', busy);
}

// ---- settings --------------------------------------------------------------------------------

function openSettings() {
  const s = state.settings;
  $('#set-temperature').value = s.temperature;
  $('#set-temperature-out').textContent = Number(s.temperature).toFixed(2);
  $('#set-max-tokens').value = s.max_tokens;
  $('#set-system').value = s.system;
  $('#set-thinking').checked = s.thinking;
  $('#settings').showModal();
}

function saveSettings() {
  const t = Number($('#set-temperature').value);
  const n = Math.round(Number($('#set-max-tokens').value));
  state.settings = {
    temperature: Number.isFinite(t) ? Math.min(2, Math.max(0, t)) : DEFAULT_SETTINGS.temperature,
    max_tokens: Number.isFinite(n) && n > 0 ? n : DEFAULT_SETTINGS.max_tokens,
    system: $('#set-system').value,
    thinking: $('#set-thinking').checked,
  };
  save();
  $('#thinking-toggle').checked = state.settings.thinking;
}

// ---- wiring ----------------------------------------------------------------------------------

function autoGrow() {
  const input = $('#input');
  input.style.height = 'auto';
  input.style.height = Math.min(input.scrollHeight, 240) + 'px';
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (_) {
    const ta = el('textarea');
    ta.value = text;
    document.body.append(ta);
    ta.select();
    document.execCommand('copy');
    ta.remove();
  }
}

async function loadModel() {
  try {
    const r = await fetch('/v1/models');
    const j = await r.json();
    if (j.data && j.data.length) {
      state.model = j.data[0].id;
      $('#model-name').textContent = state.model;
    }
  } catch (_) {
    $('#model-name').textContent = 'server unreachable';
  }
}

function init() {
  $('#new-chat').addEventListener('click', () => { if (!state.controller) newConversation(); });
  $('#send').addEventListener('click', send);
  $('#stop').addEventListener('click', () => state.controller && state.controller.abort());
  $('#input').addEventListener('input', autoGrow);
  $('#input').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  });
  $('#open-settings').addEventListener('click', openSettings);
  $('#settings').addEventListener('close', () => { if ($('#settings').returnValue === 'save') saveSettings(); });
  $('#set-temperature').addEventListener('input', (e) => { $('#set-temperature-out').textContent = Number(e.target.value).toFixed(2); });
  $('#thinking-toggle').checked = state.settings.thinking;
  $('#thinking-toggle').addEventListener('change', (e) => { state.settings.thinking = e.target.checked; save(); });
  $('#toggle-sidebar').addEventListener('click', () => document.body.classList.toggle('sidebar-open'));
  // Copy buttons of code blocks, and remembering that the user opened/closed a thinking block.
  $('#messages').addEventListener('click', (e) => {
    const btn = e.target.closest('.copy-code');
    if (btn) {
      copyText(btn.closest('.code-block').querySelector('code').textContent);
      btn.textContent = 'Copied';
      setTimeout(() => { btn.textContent = 'Copy'; }, 1200);
    }
    const summary = e.target.closest('summary');
    if (summary) summary.parentElement.dataset.touched = '1';
  });
  if (state.convs.length) state.currentId = state.convs[0].id;
  for (const c of state.convs)  // an answer cut off by closing the page
    for (const m of c.messages) if (m.streaming) { m.streaming = false; m.meta = m.meta || 'interrupted'; }
  renderSidebar();
  renderMessages();
  loadModel();
  $('#input').focus();
}

document.addEventListener('DOMContentLoaded', init);
