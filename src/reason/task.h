// Verifiable reasoning tasks for R1-Zero-style RL (deepseek.md 7): each task generates problems
// with a known ground truth, checks a final answer by rule (the accuracy reward), and writes a
// correct worked solution in the R1-Zero format for a supervised cold start. Train and test
// splits are disjoint by construction: a problem's split is a hash of its text.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reason/rng.h"

namespace seek::reason {

// How a question is worded. Problems are generated in one canonical wording (Problem::question);
// people type their own. Train: one of the task's training wordings, drawn at random (what a
// corpus should teach); HeldOut: one of the wordings no corpus ever contains, to measure whether
// the model reads questions rather than one template. Tasks without variants use the canonical one.
enum class Phrasing { Canonical, Train, HeldOut };
// "canonical", "train", "held-out"; throws UsageError naming the known ones.
Phrasing parse_phrasing(std::string_view name);
const char* phrasing_name(Phrasing p);

struct Problem {
  std::string task;  // "countdown", "arithmetic", "linear"
  int difficulty = 0;
  std::string question;             // the user's text: {prompt} of the R1-Zero template
  std::string truth;                // canonical ground truth ("73", "-4")
  std::vector<std::string> fields;  // task-specific data the checker needs (documented per task)
  std::string solution;             // one known correct answer (e.g. the construction)
  std::vector<std::string> steps;   // the known solution's steps, for worked_solution()
};

class Task {
 public:
  virtual ~Task() = default;
  virtual const char* name() const = 0;
  virtual int min_difficulty() const = 0;
  virtual int max_difficulty() const = 0;
  virtual int default_difficulty() const = 0;
  // A random problem; throws UsageError when difficulty is outside [min, max].
  virtual Problem generate(Rng& rng, int difficulty) const = 0;
  // Accuracy reward of a final answer (the text inside <answer></answer>): 1 right, 0 wrong.
  // Never throws: any text is a (possibly wrong) answer.
  virtual double check(const Problem& p, std::string_view answer) const = 0;
  // A correct chain of thought and answer, as a completion: " <think>\n...\n</think>\n<answer> ... </answer>".
  virtual std::string worked_solution(const Problem& p) const = 0;
  // The question of p as worded by `how` (rng picks among the wordings of that kind). The split,
  // the checker and the worked solution only read the canonical fields, so rewording never moves a
  // problem between splits. Default: the canonical question.
  virtual std::string phrase(const Problem& p, Phrasing how, Rng& rng) const;
};

// p with its question reworded (Task::phrase with a generator seeded by `seed`).
Problem rephrase(const Task& t, Problem p, Phrasing how, uint64_t seed);

// "countdown", "arithmetic", "linear"; throws UsageError naming the known ones.
std::unique_ptr<Task> make_task(std::string_view name);
std::vector<std::string> task_names();

// The R1-Zero prompt (DeepSeek-R1 paper, table 1) around a question; ends with "Assistant:".
std::string r1_zero_prompt(std::string_view question);
// Its fixed part before the question: "A conversation between User and Assistant. ... User:".
std::string r1_zero_preamble();

enum class Split { Train, Test };

struct SplitConfig {
  uint64_t seed = 20250120;    // picks which problems are held out
  double test_fraction = 0.1;  // of the problem space
};

// Which split a problem belongs to: a hash of (task, question, seed), so no problem is in both.
Split split_of(const Problem& p, const SplitConfig& c);
// The index-th problem of a split, deterministic in (task, split, seed, index, difficulty):
// generates until the problem falls in the split; throws Error if that takes too many tries.
Problem sample_problem(const Task& t, Split s, const SplitConfig& c, uint64_t index, int difficulty);
// Up to n distinct held-out problems (fewer when the problem space is that small).
std::vector<Problem> test_set(const Task& t, const SplitConfig& c, int64_t n, int difficulty);

// Shared by the task files: "<think>\n{reasoning}\n</think>\n<answer> {answer} </answer>".
std::string format_completion(std::string_view reasoning, std::string_view answer);
// ASCII whitespace trimmed from both ends.
std::string_view trim_ascii(std::string_view s);

}  // namespace seek::reason
