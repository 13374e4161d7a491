// Task registry, the R1-Zero template, and the hash-based train/test split.
#include "reason/task.h"

#include <set>

#include "core/error.h"

namespace seek::reason {

std::unique_ptr<Task> make_countdown_task();
std::unique_ptr<Task> make_arithmetic_task();
std::unique_ptr<Task> make_linear_task();

std::vector<std::string> task_names() { return {"countdown", "arithmetic", "linear"}; }

std::unique_ptr<Task> make_task(std::string_view name) {
  if (name == "countdown") return make_countdown_task();
  if (name == "arithmetic") return make_arithmetic_task();
  if (name == "linear") return make_linear_task();
  throw UsageError(str("unknown task '", name, "': expected one of countdown, arithmetic, linear"));
}

Phrasing parse_phrasing(std::string_view name) {
  if (name == "canonical") return Phrasing::Canonical;
  if (name == "train") return Phrasing::Train;
  if (name == "held-out") return Phrasing::HeldOut;
  throw UsageError(str("phrasing '", name, "': expected canonical, train or held-out"));
}

const char* phrasing_name(Phrasing p) {
  switch (p) {
    case Phrasing::Canonical: return "canonical";
    case Phrasing::Train: return "train";
    case Phrasing::HeldOut: return "held-out";
  }
  return "?";
}

std::string Task::phrase(const Problem& p, Phrasing, Rng&) const { return p.question; }

Problem rephrase(const Task& t, Problem p, Phrasing how, uint64_t seed) {
  Rng rng(seed);
  p.question = t.phrase(p, how, rng);
  return p;
}

std::string r1_zero_preamble() {
  return "A conversation between User and Assistant. The user asks a question, and the Assistant solves it. "
         "The assistant first thinks about the reasoning process in the mind and then provides the user with "
         "the answer. The reasoning process and answer are enclosed within <think> </think> and "
         "<answer> </answer> tags, respectively, i.e., <think> reasoning process here </think> "
         "<answer> answer here </answer>. User:";
}

std::string r1_zero_prompt(std::string_view question) { return str(r1_zero_preamble(), " ", question, ". Assistant:"); }

std::string format_completion(std::string_view reasoning, std::string_view answer) {
  return str(" <think>\n", reasoning, "\n</think>\n<answer> ", answer, " </answer>");
}

std::string_view trim_ascii(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

namespace {

uint64_t fnv1a(std::string_view s, uint64_t h = 0xcbf29ce484222325ull) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace

Split split_of(const Problem& p, const SplitConfig& c) {
  const uint64_t h = mix_seed(fnv1a(p.question, fnv1a(p.task)), c.seed);
  const double u = static_cast<double>(h >> 11) * 0x1.0p-53;
  return u < c.test_fraction ? Split::Test : Split::Train;
}

Problem sample_problem(const Task& t, Split s, const SplitConfig& c, uint64_t index, int difficulty) {
  if (!(c.test_fraction > 0.0 && c.test_fraction < 1.0))
    throw UsageError(str("test fraction: expected in (0, 1), got ", c.test_fraction));
  Rng rng(mix_seed(mix_seed(mix_seed(c.seed, fnv1a(t.name())), index), s == Split::Test ? 2 : 1));
  constexpr int kMaxTries = 100000;
  for (int i = 0; i < kMaxTries; ++i) {
    Problem p = t.generate(rng, difficulty);
    if (split_of(p, c) == s) return p;
  }
  throw Error(str("task ", t.name(), " difficulty ", difficulty, ": no ", s == Split::Test ? "test" : "train",
                  " problem found in ", kMaxTries, " tries"));
}

std::vector<Problem> test_set(const Task& t, const SplitConfig& c, int64_t n, int difficulty) {
  std::vector<Problem> out;
  std::set<std::string> seen;
  // Duplicates are possible in a small problem space; stop after a run of them.
  int64_t misses = 0;
  for (uint64_t i = 0; static_cast<int64_t>(out.size()) < n && misses < 20 * n + 100; ++i) {
    Problem p = sample_problem(t, Split::Test, c, i, difficulty);
    if (seen.insert(p.question).second) {
      out.push_back(std::move(p));
      misses = 0;
    } else {
      ++misses;
    }
  }
  return out;
}

}  // namespace seek::reason
