// Leftmost-longest matching of added tokens (see added_tokens.h).
#include "tokenizer/added_tokens.h"

#include <algorithm>

namespace seek {

void AddedTokenMatcher::add(const AddedToken& t) {
  if (t.content.empty()) return;
  int32_t node = 0;
  for (char ch : t.content) {
    const auto b = static_cast<uint8_t>(ch);
    auto& nx = nodes_[node].next;
    auto it = std::lower_bound(nx.begin(), nx.end(), std::make_pair(b, INT32_MIN));
    if (it != nx.end() && it->first == b) {
      node = it->second;
    } else {
      const auto child = static_cast<int32_t>(nodes_.size());
      nx.insert(it, {b, child});
      nodes_.emplace_back();
      node = child;
    }
  }
  if (nodes_[node].token >= 0) {  // same text twice: the later definition wins
    tokens_[nodes_[node].token] = t;
    return;
  }
  nodes_[node].token = static_cast<int32_t>(tokens_.size());
  tokens_.push_back(t);
  first_[static_cast<uint8_t>(t.content[0])] = true;
}

int32_t AddedTokenMatcher::longest_at(std::string_view text, size_t i, bool parse_special) const {
  int32_t node = 0, best = -1;
  for (size_t k = i; k < text.size(); ++k) {
    const auto b = static_cast<uint8_t>(text[k]);
    const auto& nx = nodes_[node].next;
    auto it = std::lower_bound(nx.begin(), nx.end(), std::make_pair(b, INT32_MIN));
    if (it == nx.end() || it->first != b) break;
    node = it->second;
    const int32_t t = nodes_[node].token;
    if (t >= 0 && (parse_special || !tokens_[t].special)) best = t;
  }
  return best;
}

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
}  // namespace

void AddedTokenMatcher::split(std::string_view text, bool parse_special, std::vector<Piece>& out) const {
  size_t start = 0;  // start of the pending plain text
  size_t i = 0;
  while (i < text.size()) {
    if (!first_[static_cast<uint8_t>(text[i])]) {
      ++i;
      continue;
    }
    const int32_t t = longest_at(text, i, parse_special);
    if (t < 0) {
      ++i;
      continue;
    }
    const AddedToken& tok = tokens_[t];
    size_t text_end = i;
    if (tok.lstrip)
      while (text_end > start && is_space(text[text_end - 1])) --text_end;
    if (text_end > start) out.push_back({text.substr(start, text_end - start), -1});
    out.push_back({text.substr(i, tok.content.size()), tok.id});
    i += tok.content.size();
    if (tok.rstrip)
      while (i < text.size() && is_space(text[i])) ++i;
    start = i;
  }
  if (start < text.size()) out.push_back({text.substr(start), -1});
}

}  // namespace seek
