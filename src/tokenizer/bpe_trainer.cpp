// Byte-level BPE training (see bpe_trainer.h). Words (distinct pre-tokens) are id sequences in
// one flat array; `where_` lists, per pair, the words that may hold it (stale entries are
// skipped), so a merge touches only those words. Heap entries carry the count they were pushed
// with; a popped entry whose count is out of date is pushed again with the current one.
#include "tokenizer/bpe_trainer.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/error.h"
#include "core/file.h"
#include "core/progress.h"
#include "tokenizer/added_tokens.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"

namespace seek {

namespace {

uint64_t pair_key(int32_t a, int32_t b) { return (static_cast<uint64_t>(a) << 32) | static_cast<uint32_t>(b); }
int32_t key_left(uint64_t k) { return static_cast<int32_t>(k >> 32); }
int32_t key_right(uint64_t k) { return static_cast<int32_t>(k & 0xFFFFFFFFu); }

struct HeapEntry {
  int64_t count;
  uint64_t pair;
};
// std heap keeps the "largest" on top: higher count first, then the smaller pair (ids).
bool heap_less(const HeapEntry& x, const HeapEntry& y) {
  if (x.count != y.count) return x.count < y.count;
  return x.pair > y.pair;
}

}  // namespace

struct BpeTrainer::Impl {
  BpeTrainOptions opt;
  PreTokenizer pre;
  AddedTokenMatcher specials;
  std::unordered_map<std::string, int64_t, StringHash, std::equal_to<>> counts;
  int64_t n_pretokens = 0, n_bytes = 0;
  std::vector<std::string_view> pieces;
  std::vector<AddedTokenMatcher::Piece> parts;

  // Training state.
  std::vector<int32_t> sym;  // all words' symbols, word w at [off[w], off[w] + len[w])
  std::vector<int64_t> off;
  std::vector<int32_t> len;
  std::vector<int64_t> freq;  // occurrences of each word
  std::unordered_map<uint64_t, int64_t> pair_count;
  std::unordered_map<uint64_t, std::vector<int32_t>> where;
  std::vector<HeapEntry> heap;
  std::vector<std::string> tokens;  // bytes by id
  BytesToId token_id;

  void count_text(std::string_view text);
  void build_words();
  void push(uint64_t k, int64_t c) {
    heap.push_back({c, k});
    std::push_heap(heap.begin(), heap.end(), heap_less);
  }
  void apply_merge(uint64_t k, int32_t z);
};

BpeTrainer::BpeTrainer(BpeTrainOptions opt) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  if (!PreTokenizer::is_writable_name(opt.pre))
    throw UsageError(str("--pre: unknown pre-tokenizer '", opt.pre,
                         "' (deepseek-v3, deepseek-llm, deepseek-coder, qwen2, llama3, gpt2)"));
  const int64_t n_added = static_cast<int64_t>(opt.special_tokens.size() + opt.user_tokens.size());
  const int64_t min_vocab = 256 + n_added;
  if (opt.vocab_size < min_vocab)
    throw UsageError(str("--vocab-size: expected at least ", min_vocab, " (256 bytes + ", n_added,
                         " added tokens), got ", opt.vocab_size));
  if (opt.min_frequency < 1) throw UsageError(str("--min-frequency: expected >= 1, got ", opt.min_frequency));
  std::set<std::string> seen;
  for (size_t i = 0; i < opt.special_tokens.size(); ++i) {
    const std::string& s = opt.special_tokens[i];
    if (s.empty() || !utf8_is_valid(s)) throw UsageError(str("special token #", i, ": expected non-empty UTF-8 text"));
    if (!seen.insert(s).second) throw UsageError(str("special token '", s, "' is given twice"));
    std::string raw;
    if (byte_level_decode(s, raw) && raw.size() == 1)
      throw UsageError(str("special token '", s, "' is spelled like the byte token of 0x", std::hex,
                           int(uint8_t(raw[0]))));
    m.specials.add({s, static_cast<int32_t>(i), true, false, false});
  }
  for (size_t i = 0; i < opt.user_tokens.size(); ++i) {
    const std::string& s = opt.user_tokens[i];
    if (s.empty() || !utf8_is_valid(s)) throw UsageError(str("user token #", i, ": expected non-empty UTF-8 text"));
    if (!seen.insert(s).second) throw UsageError(str("added token '", s, "' is given twice"));
    m.specials.add({s, static_cast<int32_t>(opt.special_tokens.size() + i), false, false, false});
  }
  for (const std::string* t : {&opt.bos, &opt.eos})
    if (!t->empty() && !seen.count(*t))
      throw UsageError(str("bos/eos token '", *t, "' is not one of the special tokens"));
  m.pre = PreTokenizer::from_name(opt.pre);
  m.opt = std::move(opt);
}

BpeTrainer::~BpeTrainer() = default;

void BpeTrainer::Impl::count_text(std::string_view text) {
  n_bytes += static_cast<int64_t>(text.size());
  std::string repaired;
  if (!utf8_is_valid(text)) {
    repaired = utf8_repair(text);
    text = repaired;
  }
  parts.clear();
  if (specials.empty()) parts.push_back({text, -1});
  else specials.split(text, /*parse_special=*/true, parts);
  for (const auto& p : parts) {
    if (p.id >= 0) continue;  // added-token text is never merged
    pieces.clear();
    pre.split(p.text, pieces);
    n_pretokens += static_cast<int64_t>(pieces.size());
    for (std::string_view w : pieces) {
      auto it = counts.find(w);
      if (it != counts.end()) ++it->second;
      else counts.emplace(std::string(w), 1);
    }
  }
}

void BpeTrainer::add_text(std::string_view text) { impl_->count_text(text); }

void BpeTrainer::add_files(const std::vector<std::string>& paths) {
  std::vector<int64_t> sizes;
  int64_t total = 0;
  for (const std::string& p : paths) {
    sizes.push_back(static_cast<int64_t>(regular_file_size(p, "corpus file")));
    total += sizes.back();
  }
  std::unique_ptr<ProgressBar> bar;
  if (impl_->opt.progress) bar = std::make_unique<ProgressBar>("counting", total, "B");
  constexpr size_t kBlock = size_t(4) << 20;
  std::string buf;
  int64_t done = 0;
  for (const std::string& p : paths) {
    std::ifstream f(p, std::ios::binary);
    if (!f) throw Error(str("corpus file '", p, "': cannot open"));
    std::string carry;
    while (true) {
      buf = std::move(carry);
      carry.clear();
      const size_t old = buf.size();
      buf.resize(old + kBlock);
      f.read(buf.data() + old, static_cast<std::streamsize>(kBlock));
      const size_t got = static_cast<size_t>(f.gcount());
      buf.resize(old + got);
      const bool eof = got < kBlock;
      if (!eof) {
        // Cut after the last newline (pre-tokens rarely span lines); a block without one is cut
        // at a character boundary.
        size_t cut = buf.rfind('\n');
        if (cut != std::string::npos) ++cut;
        else
          for (cut = buf.size(); cut > 0 && (uint8_t(buf[cut - 1]) & 0xC0) == 0x80; --cut) {
          }
        if (cut > 0 && cut < buf.size()) {
          carry.assign(buf, cut, std::string::npos);
          buf.resize(cut);
        }
      }
      impl_->count_text(buf);
      done += static_cast<int64_t>(buf.size());
      if (bar) bar->update(done, str(human_count(double(impl_->counts.size())), " words"));
      if (eof) break;
    }
    if (!carry.empty()) impl_->count_text(carry);
  }
  if (bar) bar->finish(str(human_count(double(impl_->counts.size())), " distinct pre-tokens"));
}

void BpeTrainer::Impl::build_words() {
  std::vector<std::pair<std::string, int64_t>> words;
  words.reserve(counts.size());
  for (auto& [w, c] : counts)
    if (w.size() >= 2) words.emplace_back(w, c);  // one byte: no pair to merge
  counts.clear();
  std::sort(words.begin(), words.end());  // word ids independent of hashing
  size_t total = 0;
  for (const auto& w : words) total += w.first.size();
  sym.reserve(total);
  for (const auto& [w, c] : words) {
    off.push_back(static_cast<int64_t>(sym.size()));
    len.push_back(static_cast<int32_t>(w.size()));
    freq.push_back(c);
    for (char ch : w) sym.push_back(static_cast<uint8_t>(ch));
  }
  for (size_t w = 0; w < freq.size(); ++w) {
    const int32_t* s = &sym[off[w]];
    for (int32_t i = 0; i + 1 < len[w]; ++i) {
      const uint64_t k = pair_key(s[i], s[i + 1]);
      pair_count[k] += freq[w];
      auto& v = where[k];
      if (v.empty() || v.back() != static_cast<int32_t>(w)) v.push_back(static_cast<int32_t>(w));
    }
  }
  heap.reserve(pair_count.size());
  for (const auto& [k, c] : pair_count) heap.push_back({c, k});
  std::make_heap(heap.begin(), heap.end(), heap_less);
}

// Replaces every (a, b) by z in the words that hold it. Only pairs touching a, b or z can
// change, so only those are subtracted before and added after (unchanged ones cancel out).
void BpeTrainer::Impl::apply_merge(uint64_t k, int32_t z) {
  const int32_t a = key_left(k), b = key_right(k);
  auto node = where.extract(k);
  if (node.empty()) return;
  std::vector<int32_t>& ws = node.mapped();
  std::sort(ws.begin(), ws.end());
  ws.erase(std::unique(ws.begin(), ws.end()), ws.end());
  std::vector<uint64_t> touched;
  auto involves = [](int32_t x, int32_t p, int32_t q, int32_t r) { return x == p || x == q || x == r; };
  for (int32_t w : ws) {
    int32_t* s = &sym[off[w]];
    const int32_t n = len[w];
    bool found = false;
    for (int32_t i = 0; i + 1 < n && !found; ++i) found = s[i] == a && s[i + 1] == b;
    if (!found) continue;
    const int64_t c = freq[w];
    for (int32_t i = 0; i + 1 < n; ++i)
      if (involves(s[i], a, b, z) || involves(s[i + 1], a, b, z)) {
        auto it = pair_count.find(pair_key(s[i], s[i + 1]));
        if ((it->second -= c) == 0) pair_count.erase(it);
      }
    int32_t j = 0;
    for (int32_t i = 0; i < n;) {
      if (i + 1 < n && s[i] == a && s[i + 1] == b) {
        s[j++] = z;
        i += 2;
      } else {
        s[j++] = s[i++];
      }
    }
    len[w] = j;
    for (int32_t i = 0; i + 1 < j; ++i)
      if (involves(s[i], a, b, z) || involves(s[i + 1], a, b, z)) {
        const uint64_t p = pair_key(s[i], s[i + 1]);
        pair_count[p] += c;
        if (s[i] == z || s[i + 1] == z) {
          auto& v = where[p];
          if (v.empty() || v.back() != w) v.push_back(w);
          touched.push_back(p);
        }
      }
  }
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  for (uint64_t p : touched) {
    auto it = pair_count.find(p);
    if (it != pair_count.end()) push(p, it->second);
  }
}

BpeTrainResult BpeTrainer::train() {
  Impl& m = *impl_;
  BpeTrainResult r;
  r.n_words = static_cast<int64_t>(m.counts.size());
  r.n_pretokens = m.n_pretokens;
  r.n_bytes = m.n_bytes;
  std::unordered_set<std::string> special_spellings(m.opt.special_tokens.begin(), m.opt.special_tokens.end());
  special_spellings.insert(m.opt.user_tokens.begin(), m.opt.user_tokens.end());
  for (int b = 0; b < 256; ++b) {
    m.tokens.emplace_back(1, static_cast<char>(b));
    m.token_id.emplace(m.tokens.back(), b);
  }
  m.build_words();
  const int64_t target = m.opt.vocab_size -
                         static_cast<int64_t>(m.opt.special_tokens.size() + m.opt.user_tokens.size());
  std::unique_ptr<ProgressBar> bar;
  if (m.opt.progress) bar = std::make_unique<ProgressBar>("merging", target - 256, "merges");
  std::unordered_set<uint64_t> done;
  while (static_cast<int64_t>(m.tokens.size()) < target && !m.heap.empty()) {
    std::pop_heap(m.heap.begin(), m.heap.end(), heap_less);
    const HeapEntry top = m.heap.back();
    m.heap.pop_back();
    auto it = m.pair_count.find(top.pair);
    const int64_t cur = it == m.pair_count.end() ? 0 : it->second;
    if (cur != top.count) {  // stale: counts only fall after a push, so re-queue the true one
      if (cur > 0) m.push(top.pair, cur);
      continue;
    }
    if (cur < m.opt.min_frequency) break;  // the largest count left is too small
    const std::string& left = m.tokens[key_left(top.pair)];
    const std::string& right = m.tokens[key_right(top.pair)];
    std::string joined = left + right;
    if (special_spellings.count(byte_level_encode(joined))) continue;  // would shadow an added token
    int32_t z;
    auto tid = m.token_id.find(joined);
    if (tid != m.token_id.end()) {
      z = tid->second;  // the same bytes reached by another merge: one token, both merges
    } else {
      z = static_cast<int32_t>(m.tokens.size());
      m.token_id.emplace(joined, z);
      m.tokens.push_back(std::move(joined));
    }
    if (done.insert(top.pair).second)
      r.merges.emplace_back(m.tokens[key_left(top.pair)], m.tokens[key_right(top.pair)]);
    m.apply_merge(top.pair, z);
    if (bar) bar->update(static_cast<int64_t>(m.tokens.size()) - 256, str("count ", cur));
  }
  if (bar) bar->finish(str(r.merges.size(), " merges"));
  r.tokens = std::move(m.tokens);
  r.specials = m.opt.special_tokens;
  r.user_tokens = m.opt.user_tokens;
  r.pre_patterns = PreTokenizer::patterns_for(m.opt.pre);
  r.bos = !m.opt.bos.empty() ? m.opt.bos : (r.specials.size() > 0 ? r.specials[0] : "");
  r.eos = !m.opt.eos.empty() ? m.opt.eos : (r.specials.size() > 1 ? r.specials[1] : "");
  m.sym.clear();
  m.pair_count.clear();
  m.where.clear();
  m.heap.clear();
  return r;
}

namespace {

std::string jstr(const std::string& s) { return nlohmann::json(s).dump(); }

}  // namespace

std::string bpe_tokenizer_json(const BpeTrainResult& r) {
  using nlohmann::json;
  json added = json::array();
  for (size_t i = 0; i < r.specials.size(); ++i)
    added.push_back({{"id", r.tokens.size() + i},
                     {"content", r.specials[i]},
                     {"single_word", false},
                     {"lstrip", false},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", true}});
  for (size_t i = 0; i < r.user_tokens.size(); ++i)
    added.push_back({{"id", r.tokens.size() + r.specials.size() + i},
                     {"content", r.user_tokens[i]},
                     {"single_word", false},
                     {"lstrip", false},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", false}});
  json pre = json::array();
  for (const std::string& p : r.pre_patterns)
    pre.push_back({{"type", "Split"}, {"pattern", {{"Regex", p}}}, {"behavior", "Isolated"}, {"invert", false}});
  pre.push_back({{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", false}});
  const json pre_tok = {{"type", "Sequence"}, {"pretokenizers", pre}};
  const json byte_level = {
      {"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}};
  const json post = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", false}, {"use_regex", true}};

  // The vocabulary and merges are written by hand: a json object would sort the keys.
  std::string out = "{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n";
  out += "  \"added_tokens\": " + added.dump() + ",\n  \"normalizer\": null,\n";
  out += "  \"pre_tokenizer\": " + pre_tok.dump() + ",\n  \"post_processor\": " + post.dump() + ",\n";
  out += "  \"decoder\": " + byte_level.dump() + ",\n";
  out += "  \"model\": {\n    \"type\": \"BPE\",\n    \"dropout\": null,\n    \"unk_token\": null,\n"
         "    \"continuing_subword_prefix\": null,\n    \"end_of_word_suffix\": null,\n    \"fuse_unk\": false,\n"
         "    \"byte_fallback\": false,\n    \"ignore_merges\": false,\n    \"vocab\": {";
  for (size_t i = 0; i < r.tokens.size(); ++i)
    out += str(i ? "," : "", "\n      ", jstr(byte_level_encode(r.tokens[i])), ": ", i);
  out += "\n    },\n    \"merges\": [";
  for (size_t i = 0; i < r.merges.size(); ++i)
    out += str(i ? "," : "", "\n      ",
               jstr(byte_level_encode(r.merges[i].first) + " " + byte_level_encode(r.merges[i].second)));
  out += "\n    ]\n  }\n}\n";
  return out;
}

std::string bpe_tokenizer_config_json(const BpeTrainResult& r) {
  nlohmann::json c = {{"add_bos_token", !r.bos.empty()},
                      {"add_eos_token", false},
                      {"clean_up_tokenization_spaces", false},
                      {"model_max_length", 131072},
                      {"tokenizer_class", "PreTrainedTokenizerFast"}};
  c["bos_token"] = r.bos.empty() ? nlohmann::json() : nlohmann::json(r.bos);
  c["eos_token"] = r.eos.empty() ? nlohmann::json() : nlohmann::json(r.eos);
  c["pad_token"] = c["eos_token"];
  return c.dump(2) + "\n";
}

std::unique_ptr<Tokenizer> bpe_make_tokenizer(const BpeTrainResult& r) {
  return Tokenizer::from_hf_json_text(bpe_tokenizer_json(r), bpe_tokenizer_config_json(r));
}

}  // namespace seek
