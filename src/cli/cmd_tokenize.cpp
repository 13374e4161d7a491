// seek tokenize: text to ids and ids to text with a model's tokenizer (GGUF) or a tokenizer.json.
// Batch mode (--batch FILE.jsonl) tokenizes one JSON object per line ({"text": ...} or
// {"b64": ...} for raw bytes) and prints one {"ids": [...], "decoded_b64": ...} line each;
// the npm oracle test drives seek through it.
#include <CLI/CLI.hpp>
#include <charconv>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/model_args.h"
#include "core/error.h"
#include "core/file.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_cli.h"

namespace seek::cli {

namespace {

const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string b64_encode(std::string_view in) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int k = 3; k >= 0; --k) out += kB64[(v >> (6 * k)) & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= uint8_t(in[i + 1]) << 8;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += i + 1 < in.size() ? kB64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string b64_decode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    const char* p = std::strchr(kB64, c);
    if (!p || !c) throw UsageError(str("--batch: invalid base64 character '", c, "'"));
    acc = (acc << 6) | static_cast<uint32_t>(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

int run_batch(const Tokenizer& tok, const std::string& path, bool bos, bool special) {
  const std::vector<std::string> lines = read_lines(path, "--batch file");
  for (size_t n = 1; n <= lines.size(); ++n) {
    const std::string& line = lines[n - 1];
    if (line.empty()) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      throw UsageError(str("--batch ", path, ":", n, ": ", e.what()));
    }
    const std::string text = j.contains("b64") ? b64_decode(j["b64"].get<std::string>()) : j.value("text", "");
    const std::vector<int32_t> ids = tok.encode(text, bos, special);
    nlohmann::json o;
    o["ids"] = ids;
    o["decoded_b64"] = b64_encode(tok.decode(ids));
    std::cout << o.dump() << '\n';
  }
  return 0;
}

}  // namespace

int cmd_tokenize(int argc, char** argv) {
  CLI::App app{"Text to token ids, or ids to text (--decode)", "seek tokenize"};
  TokenizerSource src;
  add_tokenizer_options(app, src);
  std::vector<std::string> args;
  bool json = false, decode = false, special = false, show = false;
  bool bos_flag = false, no_bos_flag = false;
  std::string batch;
  app.add_option("input", args, "text to tokenize (default: stdin), or ids with --decode");
  app.add_flag("--json", json, "JSON output: {\"ids\": [...], \"tokens\": [...]} or {\"text\": ...}");
  app.add_flag("-d,--decode", decode, "the inputs are token ids: print their text");
  app.add_flag("--special", special, "parse special-token text such as <｜User｜> into their ids");
  app.add_flag("--tokens", show, "print each id with its token text");
  app.add_flag("--bos", bos_flag, "add BOS (default: the tokenizer's add_bos setting)");
  app.add_flag("--no-bos", no_bos_flag, "do not add BOS")->excludes("--bos");
  app.add_option("--batch", batch, "JSONL file of {\"text\"|\"b64\": ...}; prints {\"ids\", \"decoded_b64\"} per line");
  if (int rc = parse_or_exit(app, argc, argv); rc >= 0) return rc;  // CLI11's own codes (105, 106) never leak
  const auto tok = load_tokenizer(src);
  // (an std::optional<bool> flag pair stayed empty in CLI11 2.1, so the default never applied)
  const bool add_bos = bos_flag ? true : no_bos_flag ? false : tok->add_bos_default();
  if (!batch.empty()) return run_batch(*tok, batch, add_bos, special);

  if (decode) {
    // ids separated by spaces, commas or JSON brackets; anything else, or an id outside the
    // vocabulary, is named (it once decoded "abc" to nothing and 4294967296 to token 0)
    std::vector<int32_t> ids;
    for (std::string a : args) {
      for (char& c : a)
        if (c == ',' || c == '[' || c == ']') c = ' ';
      std::istringstream ss(a);
      std::string part;
      while (ss >> part) {
        long long v = 0;
        const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
        if (ec != std::errc() || end != part.data() + part.size())
          throw UsageError(str("tokenize --decode: '", part, "' is not a token id"));
        if (v < 0 || v >= tok->n_vocab())
          throw UsageError(str("tokenize --decode: token id ", part, " is outside the vocabulary [0, ", tok->n_vocab(),
                               ")"));
        ids.push_back(static_cast<int32_t>(v));
      }
    }
    const std::string text = tok->decode(ids);
    if (json) std::cout << nlohmann::json{{"text", utf8_repair(text)}}.dump() << '\n';
    else std::cout << text << '\n';
    return 0;
  }

  std::string text;
  if (args.empty()) {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    for (size_t i = 0; i < args.size(); ++i) text += (i ? " " : "") + args[i];
  }
  const std::vector<int32_t> ids = tok->encode(text, add_bos, special);
  if (json) {
    nlohmann::json o;
    o["ids"] = ids;
    std::vector<std::string> toks;
    for (int32_t id : ids) toks.push_back(utf8_repair(tok->token_text(id)));
    o["tokens"] = toks;
    std::cout << o.dump() << '\n';
  } else if (show) {
    for (int32_t id : ids) std::cout << id << "\t" << nlohmann::json(utf8_repair(tok->token_bytes(id))).dump() << '\n';
  } else {
    for (size_t i = 0; i < ids.size(); ++i) std::cout << (i ? " " : "") << ids[i];
    std::cout << '\n';
  }
  return 0;
}

}  // namespace seek::cli
