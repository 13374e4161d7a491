// The subcommand table (one line per command).
#include "cli/commands.h"

#include "core/error.h"

namespace seek::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"quickstart", "train a tiny reasoning model from scratch (cold start + GRPO) in minutes and serve it",
       cmd_quickstart},
      {"info", "print a model file's metadata and tensor table (GGUF, safetensors)", cmd_info},
      {"run", "generate text from a prompt: seek run -m FILE -p PROMPT", cmd_run},
      {"chat", "interactive chat with a model's template: seek chat -m FILE", cmd_chat},
      {"serve", "OpenAI/DeepSeek-compatible HTTP server: seek serve -m FILE --port 8080", cmd_serve},
      {"perplexity", "perplexity on a text file (llama-perplexity's method)", cmd_perplexity},
      {"imatrix", "importance matrix for quantizing: seek imatrix -m FILE -f TEXT -o imatrix.gguf", cmd_imatrix},
      {"init", "write a deepseek2 GGUF with random weights and a real vocabulary (benchmarks)", cmd_init},
      {"quantize", "requantize a GGUF with llama-quantize's type mix: seek quantize IN OUT Q4_K_M", cmd_quantize},
      {"tokenize", "text to token ids and back: seek tokenize -m FILE \"text\" (--decode, --json)", cmd_tokenize},
      {"template", "render a chat (messages JSON) to the prompt text: seek template --template deepseek-r1",
       cmd_template},
      {"tokenizer", "tokenizer tools: seek tokenizer train --vocab-size N --out tok/tokenizer.json CORPUS...",
       cmd_tokenizer},
      {"data", "tokenize text into training shards: seek data prepare --tokenizer T --out DIR FILES...", cmd_data},
      {"train", "pretrain a DeepSeek-V3-architecture model: seek train --preset ds-2m --data DIR", cmd_train},
      {"rl", "reasoning RL on verifiable tasks (GRPO, R1-Zero): seek rl -m FILE --task countdown (--sft, --eval)",
       cmd_rl},
      {"distill", "distil a teacher's reasoning into a student: seek distill --teacher T --student S", cmd_distill},
      {"plot", "draw a training run's metrics.jsonl as SVG/HTML: seek plot METRICS --out report.svg", cmd_plot},
      {"bench", "benchmarks: `seek bench kernels`, `seek bench -m FILE`", cmd_bench},
  };
  return table;
}

}  // namespace seek::cli
