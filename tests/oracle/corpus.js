// Deterministic tokenizer test corpus (>= 2,000 strings), written for seek: every word list and
// phrase below was written for this file (MIT, like the project), and the rest is generated
// from them and from code-point ranges with a seeded PRNG. Entries are Buffers (raw bytes):
// a few are deliberately invalid UTF-8. Usage: require('./corpus').makeCorpus().
'use strict';

function rng(seed) {  // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EN_WORDS = ('the a an of to in and or but with without under over quickly slowly model token ' +
  'river mountain engine kernel server request thinking answer because however therefore ' +
  'people time year way day man woman child world life hand part place case week company system ' +
  'program question work government number night point home water room mother area money story ' +
  'fact month lot right study book eye job word business issue side kind head house service friend ' +
  'father power hour game line end member law car city community name president team minute idea ' +
  "kid body information back parent face others level office door health person art war history " +
  "party result change morning reason research girl guy moment air teacher force education don't " +
  "it's we're they've I'm you'll she'd O'Neil rock'n'roll naïve café résumé coöperate Zürich").split(' ');
const EN_SENTENCES = [
  'The quick brown fox jumps over the lazy dog.',
  'She sells sea shells by the sea shore, doesn\'t she?',
  'In 2024, the team shipped 3.14159 releases (roughly).',
  'Tokenizers split text into pieces; models read the pieces.',
  'Hello, World! How are you doing today?',
  '"Quoted text," he said -- and then... silence.',
  'E-mail me at someone@example.com or visit https://example.org/path?q=1&r=2#frag.',
  'Prices: $5.99, €12,50, £3, ¥1000, ₹250.',
  'It was the best of times; it was the worst of times.',
  'A tab\tseparated\tline and a vertical bar | in between.',
];
const ZH = ['我们今天去公园散步。', '深度学习模型需要大量的数据。', '这是一个测试句子，用来检查分词器。', '你好，世界！',
  '中华人民共和国成立于1949年。', '请把这段文字翻译成英文：天气很好。', '机器学习和自然语言处理', '《红楼梦》是一部小说。'];
const JA = ['今日はいい天気ですね。', 'トークナイザーのテストです。', 'ひらがなとカタカナと漢字が混ざった文章。',
  '東京駅で待ち合わせしましょう！', 'ラーメンを食べたい。', 'これはペンです。'];
const KO = ['안녕하세요, 만나서 반갑습니다.', '오늘 날씨가 정말 좋네요.', '한국어 문장을 토큰화합니다.', '서울특별시 강남구'];
const AR = ['مرحبا بالعالم', 'اللغة العربية جميلة جدا.', 'هذا اختبار للمقطع النصي ١٢٣٤٥٦٧٨٩٠', 'كيف حالك اليوم؟'];
const HI = ['नमस्ते दुनिया', 'यह एक परीक्षण वाक्य है।', 'मुझे हिंदी पढ़ना पसंद है।', 'भारत की राजधानी नई दिल्ली है। १२३'];
const OTHER = ['Привет, мир! Как дела?', 'Καλημέρα κόσμε, τι κάνεις;', 'שלום עולם', 'สวัสดีชาวโลก ภาษาไทย',
  'Xin chào thế giới, tiếng Việt có dấu.', 'Ünïcödé ñoñó ÅÆØ ß ẞ ǅ ǈ Ω K', 'Ελληνικά ΣΊΣΥΦΟΣ σίσυφος',
  'ﬁ ﬂ ﬀ ligatures and ＦＵＬＬＷＩＤＴＨ ｌｅｔｔｅｒｓ １２３', 'ⅫⅣ ① ② ³ ½ ¾ ٣ ๓ ໓ ༣'];
const EMOJI = ['😀', '👍🏽', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🇯🇵', '🇺🇸🇫🇷', '❤️', '1️⃣', '🧑🏿‍💻', '👩‍❤️‍💋‍👨',
  '🐈‍⬛', '✈︎', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '🤔💭', '🙂🙃', '⌚', '©️ ®️ ™'];
const SPECIALS = ['<｜begin▁of▁sentence｜>', '<｜end▁of▁sentence｜>', '<｜User｜>', '<｜Assistant｜>',
  '<think>', '</think>', '<｜tool▁calls▁begin｜>', '<｜tool▁call▁begin｜>', '<｜tool▁sep｜>',
  '<｜tool▁call▁end｜>', '<｜tool▁calls▁end｜>', '<｜tool▁outputs▁begin｜>', '<｜tool▁output▁begin｜>',
  '<｜tool▁output▁end｜>', '<｜tool▁outputs▁end｜>', '<｜fim▁hole｜>', '<｜fim▁begin｜>', '<｜fim▁end｜>',
  '<|EOT|>', '<｜▁pad▁｜>', '<|im_start|>', '<|im_end|>', '<|endoftext|>', '<|begin_of_text|>', '<|eot_id|>',
  '<｜User', '｜>', '<｜place▁holder▁no▁5｜>', '<s>', '</s>', '<unk>', '<0x0A>'];

const CODE_TEMPLATES = [
  (n, v) => `def ${n}(${v}, *args, **kwargs):\n    """Return ${v} squared."""\n    return ${v} ** 2  # comment\n`,
  (n, v) => `int ${n}(const std::vector<int>& ${v}) {\n\treturn std::accumulate(${v}.begin(), ${v}.end(), 0);\n}\n`,
  (n, v) => `function ${n}(${v}) {\r\n  const x = ${v}?.map((a) => a * 2) ?? [];\r\n  return \`\${x.length} items\`;\r\n}\r\n`,
  (n, v) => `fn ${n}<'a>(${v}: &'a str) -> Result<usize, Box<dyn Error>> {\n    Ok(${v}.len())\n}\n`,
  (n, v) => `func ${n}(${v} []byte) (int, error) {\n\tif len(${v}) == 0 {\n\t\treturn 0, errors.New("empty")\n\t}\n\treturn len(${v}), nil\n}\n`,
  (n, v) => `SELECT ${v}, COUNT(*) AS n FROM ${n} WHERE ${v} <> 'x' GROUP BY ${v} ORDER BY n DESC;`,
  (n, v) => `<div class="${n}" id='${v}'>\n  <p>&lt;escaped&gt; &amp; text</p>\n</div>`,
  (n, v) => `#!/bin/bash\nfor ${v} in $(seq 1 10); do echo "\${${v}}" | grep -E '^[0-9]+$' >> /tmp/${n}.log; done`,
  (n, v) => `{"${n}": [1, 2.5, -3e10, true, null], "${v}": {"nested": "value\\n"}}`,
  (n, v) => `    if (${v} != nullptr && ${v}->${n} >= 0x7fff) { ${v}->${n} <<= 2; }   `,
  (n, v) => `class ${n.charAt(0).toUpperCase() + n.slice(1)}(Base):\n    def __init__(self, ${v}=None):\n        self.${v} = ${v}\n\n\n`,
  (n, v) => `${n} := map[string]int{"${v}": 42}\n\t\t// TODO: remove\n`,
];
const IDENTS = ['foo', 'bar', 'compute_sum', 'parseHTTPRequest', 'x', 'tokenIds', 'MAX_LEN', 'résumé', '变量', 'i18n', '__init__', 'snake_case_name', 'CamelCaseName'];

function pick(r, arr) { return arr[Math.floor(r() * arr.length)]; }
function randInt(r, lo, hi) { return lo + Math.floor(r() * (hi - lo + 1)); }
function randFrom(r, lo, hi, n) {
  let s = '';
  for (let i = 0; i < n; ++i) s += String.fromCodePoint(randInt(r, lo, hi));
  return s;
}

function makeCorpus() {
  const r = rng(20250101);
  const out = [];
  const add = (s) => out.push(Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8'));
  // Fixed strings first.
  for (const s of [...EN_SENTENCES, ...ZH, ...JA, ...KO, ...AR, ...HI, ...OTHER, ...EMOJI, ...SPECIALS]) add(s);
  // English prose.
  for (let i = 0; i < 300; ++i) {
    const n = randInt(r, 1, 40);
    let s = '';
    for (let k = 0; k < n; ++k) {
      let w = pick(r, EN_WORDS);
      if (r() < 0.1) w = w.charAt(0).toUpperCase() + w.slice(1);
      if (r() < 0.03) w = w.toUpperCase();
      s += (k ? (r() < 0.05 ? '  ' : ' ') : '') + w;
      if (r() < 0.08) s += pick(r, [',', '.', ';', ':', '!', '?', '...', ' -', '—', '"', "'s", ')']);
    }
    if (r() < 0.3) s += pick(r, ['.', '\n', '\n\n', ' ', '\r\n', '\t']);
    add(s);
  }
  // Code in several languages.
  for (let i = 0; i < 300; ++i) {
    let s = pick(r, CODE_TEMPLATES)(pick(r, IDENTS), pick(r, IDENTS));
    if (r() < 0.3) s = s.replace(/\n/g, '\r\n');
    if (r() < 0.2) s = '    ' + s.replace(/\n/g, '\n    ');
    add(s);
  }
  // CJK, Korean, Arabic, Hindi, mixed with Latin and digits.
  const scripts = [ZH, JA, KO, AR, HI, OTHER];
  for (let i = 0; i < 300; ++i) {
    const parts = [];
    const n = randInt(r, 1, 5);
    for (let k = 0; k < n; ++k) {
      const x = r();
      if (x < 0.5) parts.push(pick(r, pick(r, scripts)));
      else if (x < 0.6) parts.push(pick(r, EN_WORDS));
      else if (x < 0.7) parts.push(String(randInt(r, 0, 1e6)));
      else if (x < 0.8) parts.push(randFrom(r, 0x4E00, 0x9FA5, randInt(r, 1, 12)));  // CJK ideographs
      else if (x < 0.85) parts.push(randFrom(r, 0x3040, 0x30FF, randInt(r, 1, 8)));  // kana
      else if (x < 0.9) parts.push(randFrom(r, 0xAC00, 0xD7A3, randInt(r, 1, 8)));  // Hangul syllables
      else if (x < 0.95) parts.push(randFrom(r, 0x0900, 0x097F, randInt(r, 1, 8)));  // Devanagari
      else parts.push(randFrom(r, 0x0600, 0x06FF, randInt(r, 1, 8)));  // Arabic
    }
    add(parts.join(pick(r, ['', ' ', '，', '、', '. ', '\n'])));
  }
  // Emoji sequences (ZWJ, skin tones, flags, keycaps, variation selectors).
  for (let i = 0; i < 200; ++i) {
    let s = '';
    const n = randInt(r, 1, 6);
    for (let k = 0; k < n; ++k) {
      const x = r();
      if (x < 0.4) s += pick(r, EMOJI);
      else if (x < 0.55) s += String.fromCodePoint(0x1F1E6 + randInt(r, 0, 25), 0x1F1E6 + randInt(r, 0, 25));
      else if (x < 0.7) s += String.fromCodePoint(randInt(r, 0x1F300, 0x1FAFF)) + (r() < 0.5 ? String.fromCodePoint(0x1F3FB + randInt(r, 0, 4)) : '');
      else if (x < 0.8) s += String.fromCodePoint(randInt(r, 0x1F466, 0x1F469), 0x200D, randInt(r, 0x1F466, 0x1F469));
      else if (x < 0.9) s += pick(r, EN_WORDS) + ' ';
      else s += String(randInt(r, 0, 9)) + '\uFE0F\u20E3';
    }
    add(s);
  }
  // Digit runs and numbers.
  for (let i = 0; i < 200; ++i) {
    const x = r();
    let s;
    if (x < 0.3) s = randFrom(r, 0x30, 0x39, randInt(r, 1, 60));
    else if (x < 0.5) s = `${randInt(r, 0, 99999)}.${randInt(r, 0, 99999)}e-${randInt(r, 0, 30)}`;
    else if (x < 0.6) s = Array.from({length: randInt(r, 2, 6)}, () => randInt(r, 0, 999)).join(',');
    else if (x < 0.7) s = `v${randInt(r, 0, 20)}.${randInt(r, 0, 20)}.${randInt(r, 0, 200)}-rc${randInt(r, 1, 9)}`;
    else if (x < 0.8) s = randFrom(r, 0x0660, 0x0669, randInt(r, 1, 10)) + ' ' + randFrom(r, 0xFF10, 0xFF19, randInt(r, 1, 7));
    else if (x < 0.9) s = `${pick(r, EN_WORDS)}${randInt(r, 0, 1e9)}${pick(r, EN_WORDS)}`;
    else s = `+1 (${randInt(r, 100, 999)}) ${randInt(r, 100, 999)}-${randInt(r, 1000, 9999)}`;
    add(s);
  }
  // Whitespace runs and line-ending mixes.
  const WS = [' ', '  ', '   ', '\t', '\n', '\r\n', '\r', '\n\n\n', ' \n ', '\u00A0', '\u3000', '\u2009', '\u200B', '\u2028', '\v', '\f'];
  for (let i = 0; i < 200; ++i) {
    let s = '';
    const n = randInt(r, 1, 8);
    for (let k = 0; k < n; ++k) {
      s += r() < 0.6 ? pick(r, WS).repeat(randInt(r, 1, 4)) : pick(r, EN_WORDS);
    }
    add(s);
  }
  // Special-token text inside user text.
  for (let i = 0; i < 200; ++i) {
    let s = '';
    const n = randInt(r, 1, 5);
    for (let k = 0; k < n; ++k) {
      const x = r();
      if (x < 0.45) s += pick(r, SPECIALS);
      else if (x < 0.6) s += ' ';
      else if (x < 0.7) s += '\n';
      else if (x < 0.85) s += pick(r, EN_WORDS);
      else s += pick(r, pick(r, scripts));
    }
    add(s);
  }
  // Random code points across the BMP and beyond (skipping surrogates), and punctuation soup.
  for (let i = 0; i < 200; ++i) {
    let s = '';
    const n = randInt(r, 1, 20);
    for (let k = 0; k < n; ++k) {
      const x = r();
      let cp;
      if (x < 0.3) cp = randInt(r, 0x20, 0x7E);
      else if (x < 0.5) cp = randInt(r, 0xA0, 0x2FFF);
      else if (x < 0.8) cp = randInt(r, 0x3000, 0xD7FF);
      else if (x < 0.9) cp = randInt(r, 0xE000, 0xFFFD);
      else cp = randInt(r, 0x10000, 0x2FFFF);
      s += String.fromCodePoint(cp);
    }
    add(s);
  }
  // Invalid UTF-8: truncated sequences, stray continuation bytes, overlongs, surrogates, 0xFF.
  const BAD = [[0x80], [0xC0, 0xAF], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xED, 0xA0, 0x80], [0xFF], [0xFE, 0xFF],
    [0xF4, 0x90, 0x80, 0x80], [0xC2], [0xE0, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80]];
  for (let i = 0; i < 100; ++i) {
    const parts = [];
    const n = randInt(r, 1, 5);
    for (let k = 0; k < n; ++k) {
      parts.push(r() < 0.5 ? Buffer.from(pick(r, BAD)) : Buffer.from(pick(r, [...EN_WORDS, ...ZH, ...EMOJI]) + pick(r, ['', ' ']), 'utf8'));
    }
    add(Buffer.concat(parts));
  }
  // Long strings: concatenations of earlier entries.
  for (let i = 0; i < 60; ++i) {
    const parts = [];
    const n = randInt(r, 5, 30);
    for (let k = 0; k < n; ++k) parts.push(out[randInt(r, 0, out.length - 1)]);
    add(Buffer.concat(parts));
  }
  add(Buffer.from('a'.repeat(3000) + ' ' + '1'.repeat(1000) + ' ' + '\n'.repeat(200) + ' '.repeat(500), 'utf8'));
  add(Buffer.alloc(0));
  return out;
}

module.exports = { makeCorpus };
if (require.main === module) {
  const c = makeCorpus();
  console.log(`${c.length} strings, ${c.reduce((a, b) => a + b.length, 0)} bytes`);
}
