// Engine invariants on real GGUF files: a request decoded in a batch with others, queued, or
// resumed from the prefix cache produces exactly what runtime/generate.h (`seek run`) produces
// alone; cancel frees the slot at once; queueing beyond the slots; prefix-cache accounting.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/error.h"
#include "core/numeric.h"
#include "runtime/generate.h"
#include "server/engine.h"

namespace seek {
namespace {

const std::string kMicro = std::string(SEEK_TEST_DATA) + "/gguf/ds2-micro-F32.gguf";
const std::string kStories = std::string(SEEK_TEST_DATA) + "/gguf/stories260K-F32.gguf";

struct Loaded {
  std::unique_ptr<Model> model;
  std::unique_ptr<Tokenizer> tok;
};

Loaded& micro() {
  static Loaded l{Model::load(kMicro), nullptr};
  if (!l.tok) l.tok = Tokenizer::from_gguf(*l.model->gguf());
  return l;
}

// What `seek run` does for these ids: one slot, generate().
std::vector<int32_t> reference(Loaded& l, const std::vector<int32_t>& prompt, int64_t n, std::string* text = nullptr) {
  KVCache cache(l.model->config(), 1, 256);
  ThreadPool pool(2);
  GenerateOptions opt;
  opt.max_tokens = n;
  GenerateResult r = generate(*l.model, *l.tok, cache, prompt, opt, pool, nullptr);
  if (text) *text = r.text;
  return r.tokens;
}

struct Collect {
  std::vector<int32_t> tokens;
  std::string text;
  FinishEvent fin;
  std::atomic<bool> done{false};
  RequestCallbacks callbacks() {
    return {[this](const TokenEvent& e) {
              if (e.token >= 0) tokens.push_back(e.token);
              text += e.text;
              return true;
            },
            [this](const FinishEvent& f) {
              fin = f;
              done = true;
            }};
  }
};

RequestParams greedy(std::vector<int32_t> prompt, int64_t n) {
  RequestParams p;
  p.prompt = std::move(prompt);
  p.max_tokens = n;
  return p;
}

EngineOptions opts(int64_t slots, int64_t batch = 512) {
  EngineOptions o;
  o.n_slots = slots;
  o.ctx = 256;
  o.n_batch = batch;
  o.threads = 2;
  return o;
}

void run_until_idle(Engine& e) {
  for (int i = 0; i < 10000 && e.step(); ++i) {
  }
}

std::vector<std::vector<int32_t>> prompts(Loaded& l) {
  return {l.tok->encode("Once upon a time", true, false), l.tok->encode("def fib(n):\n    return", true, false),
          l.tok->encode("The quick brown fox jumps over the lazy dog.", true, false),
          l.tok->encode("int main() {", true, false), l.tok->encode("A", true, false)};
}

TEST(Engine, GreedyAloneEqualsGenerate) {
  Loaded& l = micro();
  const auto ids = l.tok->encode("Once upon a time", true, false);
  ASSERT_EQ(ids, (std::vector<int32_t>{32013, 10503, 2053, 245, 761}));  // llama.cpp's ids (expected.json)
  std::string ref_text;
  const auto ref = reference(l, ids, 24, &ref_text);
  Engine e(*l.model, *l.tok, opts(1));
  Collect c;
  e.add_request(greedy(ids, 24), c.callbacks());
  run_until_idle(e);
  ASSERT_TRUE(c.done);
  EXPECT_EQ(c.tokens, ref);
  EXPECT_EQ(c.text, ref_text);
  EXPECT_EQ(c.fin.finish_reason, "length");
  EXPECT_EQ(c.fin.completion_tokens, 24);
  EXPECT_EQ(c.fin.prompt_tokens, 5);
}

TEST(Engine, BatchedEqualsAlone) {
  Loaded& l = micro();
  const auto ps = prompts(l);
  Engine e(*l.model, *l.tok, opts(8, 7));  // a small prefill budget: chunks interleave with decoding
  std::vector<std::unique_ptr<Collect>> cs;
  for (size_t i = 0; i < ps.size(); ++i) {
    cs.push_back(std::make_unique<Collect>());
    e.add_request(greedy(ps[i], 16 + 3 * static_cast<int64_t>(i)), cs.back()->callbacks());
  }
  run_until_idle(e);
  for (size_t i = 0; i < ps.size(); ++i) {
    ASSERT_TRUE(cs[i]->done) << i;
    EXPECT_EQ(cs[i]->tokens, reference(l, ps[i], 16 + 3 * static_cast<int64_t>(i))) << "request " << i;
  }
  EngineStats st = e.stats();
  EXPECT_EQ(st.requests_finished, static_cast<int64_t>(ps.size()));
  EXPECT_EQ(st.busy_slots, 0);
}

TEST(Engine, QueuesBeyondSlots) {
  Loaded& l = micro();
  const auto ps = prompts(l);
  Engine e(*l.model, *l.tok, opts(2));
  std::vector<std::unique_ptr<Collect>> cs;
  for (const auto& p : ps) {
    cs.push_back(std::make_unique<Collect>());
    e.add_request(greedy(p, 12), cs.back()->callbacks());
  }
  EXPECT_EQ(e.stats().queued, static_cast<int64_t>(ps.size()));
  ASSERT_TRUE(e.step());
  EXPECT_EQ(e.stats().busy_slots, 2);
  EXPECT_EQ(e.stats().queued, static_cast<int64_t>(ps.size()) - 2);
  int64_t max_busy = 0;
  while (e.step()) max_busy = std::max(max_busy, e.stats().busy_slots);
  EXPECT_LE(max_busy, 2);
  for (size_t i = 0; i < ps.size(); ++i) {
    ASSERT_TRUE(cs[i]->done);
    EXPECT_EQ(cs[i]->tokens, reference(l, ps[i], 12)) << "request " << i;
  }
}

TEST(Engine, CancelFreesSlotAtOnce) {
  Loaded& l = micro();
  const auto ps = prompts(l);
  Engine e(*l.model, *l.tok, opts(1));
  Collect a, b;
  RequestParams pa = greedy(ps[0], 200);
  pa.ignore_eos = true;
  const int64_t ia = e.add_request(pa, a.callbacks());
  const int64_t ib = e.add_request(greedy(ps[1], 8), b.callbacks());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(e.step());
  EXPECT_EQ(e.slot_of(ia), 0);
  EXPECT_EQ(e.slot_of(ib), -1);  // queued behind a
  const size_t seen = a.tokens.size();
  EXPECT_GT(seen, 0u);
  EXPECT_TRUE(e.cancel(ia));
  EXPECT_EQ(e.slot_of(ia), -1);
  EXPECT_EQ(e.stats().busy_slots, 0);
  EXPECT_FALSE(e.cancel(ia));
  run_until_idle(e);
  EXPECT_EQ(a.tokens.size(), seen);  // no callback after cancel
  EXPECT_FALSE(a.done);
  ASSERT_TRUE(b.done);
  EXPECT_EQ(b.tokens, reference(l, ps[1], 8));
  EXPECT_EQ(e.stats().requests_cancelled, 1);
}

TEST(Engine, CallbackReturningFalseCancels) {
  Loaded& l = micro();
  Engine e(*l.model, *l.tok, opts(1));
  int n = 0;
  bool finished = false;
  RequestParams p = greedy(prompts(l)[0], 100);
  p.ignore_eos = true;
  e.add_request(p, {[&](const TokenEvent&) { return ++n < 3; }, [&](const FinishEvent&) { finished = true; }});
  run_until_idle(e);
  EXPECT_EQ(n, 3);
  EXPECT_FALSE(finished);
  EXPECT_EQ(e.stats().busy_slots, 0);
}

TEST(Engine, PrefixCacheReusesAndStaysExact) {
  Loaded& l = micro();
  const auto base = l.tok->encode("The quick brown fox jumps over the lazy dog. The quick brown", true, false);
  auto longer = base;
  for (int32_t t : l.tok->encode(" fox is quick", false, false)) longer.push_back(t);
  Engine e(*l.model, *l.tok, opts(2));
  Collect a, b;
  e.add_request(greedy(base, 6), a.callbacks());
  run_until_idle(e);
  ASSERT_TRUE(a.done);
  EXPECT_EQ(a.fin.cached_tokens, 0);
  e.add_request(greedy(longer, 10), b.callbacks());
  run_until_idle(e);
  ASSERT_TRUE(b.done);
  EXPECT_EQ(b.fin.cached_tokens, static_cast<int64_t>(base.size()));
  EXPECT_EQ(b.tokens, reference(l, longer, 10));
  // The same prompt again: all but the last token come from the cache.
  Collect c;
  e.add_request(greedy(longer, 10), c.callbacks());
  run_until_idle(e);
  EXPECT_EQ(c.fin.cached_tokens, static_cast<int64_t>(longer.size()) - 1);
  EXPECT_EQ(c.tokens, b.tokens);
  EXPECT_EQ(e.stats().cache_hit_tokens_total, static_cast<int64_t>(base.size() + longer.size() - 1));
}

TEST(Engine, PrefixCopiedFromBusySlot) {
  Loaded& l = micro();
  const auto p = l.tok->encode("int main() { return 0; } int main() { return 1; }", true, false);
  Engine e(*l.model, *l.tok, opts(2));
  Collect a, b;
  RequestParams pa = greedy(p, 50);
  pa.ignore_eos = true;
  e.add_request(pa, a.callbacks());
  ASSERT_TRUE(e.step());  // a's prompt is now cached in its slot, a keeps decoding
  e.add_request(greedy(p, 7), b.callbacks());
  run_until_idle(e);
  ASSERT_TRUE(b.done);
  EXPECT_EQ(b.fin.cached_tokens, static_cast<int64_t>(p.size()) - 1);
  EXPECT_EQ(b.tokens, reference(l, p, 7));
}

TEST(Engine, LogprobsMatchLogSoftmax) {
  Loaded& l = micro();
  const auto ids = prompts(l)[0];
  Engine e(*l.model, *l.tok, opts(1));
  std::vector<TokenEvent> evs;
  RequestParams p = greedy(ids, 3);
  p.top_logprobs = 4;
  e.add_request(p, {[&](const TokenEvent& ev) {
                      if (ev.token >= 0) evs.push_back(ev);
                      return true;
                    },
                    nullptr});
  run_until_idle(e);
  ASSERT_EQ(evs.size(), 3u);
  // Independent check of the first token: logits of the prompt from a plain forward.
  KVCache cache(l.model->config(), 1, 64, EngineOptions{}.cache_type);  // the engine's cache type
  ThreadPool pool(1);
  Batch b;
  for (size_t i = 0; i < ids.size(); ++i) b.add(ids[i], static_cast<int32_t>(i), 0, i + 1 == ids.size());
  std::vector<float> logits(static_cast<size_t>(l.model->config().vocab_size));
  l.model->forward(b, cache, pool, logits.data());
  const int64_t V = l.model->config().vocab_size;
  EXPECT_EQ(evs[0].token, argmax(logits.data(), V));
  EXPECT_NEAR(evs[0].logprob, log_softmax_at(logits.data(), V, evs[0].token), 1e-4);
  ASSERT_EQ(evs[0].top.size(), 4u);
  EXPECT_EQ(evs[0].top[0].first, evs[0].token);
  for (int i = 1; i < 4; ++i) {
    EXPECT_LE(evs[0].top[i].second, evs[0].top[i - 1].second);
    EXPECT_NEAR(evs[0].top[i].second, log_softmax_at(logits.data(), V, evs[0].top[i].first), 1e-4);
  }
}

TEST(Engine, StopStringEndsWithStop) {
  Loaded& l = micro();
  const auto ids = prompts(l)[0];
  std::string ref_text;
  reference(l, ids, 24, &ref_text);
  ASSERT_GT(ref_text.size(), 6u);
  const std::string stop = ref_text.substr(3, 3);
  Engine e(*l.model, *l.tok, opts(1));
  Collect c;
  RequestParams p = greedy(ids, 24);
  p.stop = {stop};
  e.add_request(p, c.callbacks());
  run_until_idle(e);
  EXPECT_EQ(c.fin.finish_reason, "stop");
  EXPECT_EQ(c.text, ref_text.substr(0, ref_text.find(stop)));
}

TEST(Engine, BadRequestsThrow) {
  Loaded& l = micro();
  Engine e(*l.model, *l.tok, opts(1));
  EXPECT_THROW(e.add_request(greedy({}, 4), {}), UsageError);
  EXPECT_THROW(e.add_request(greedy(std::vector<int32_t>(256, 5), 4), {}), UsageError);
  EXPECT_THROW(e.add_request(greedy({1, 99999999}, 4), {}), UsageError);
  RequestParams p = greedy({1, 2}, 4);
  p.sampling.top_p = 0;
  EXPECT_THROW(e.add_request(p, {}), UsageError);
  EXPECT_FALSE(e.step());
}

TEST(Engine, ThreadServesConcurrentClients) {
  Loaded& l = micro();
  const auto ps = prompts(l);
  Engine e(*l.model, *l.tok, opts(3));
  e.start();
  std::vector<std::unique_ptr<Collect>> cs(ps.size());
  std::vector<std::thread> clients;
  for (size_t i = 0; i < ps.size(); ++i) {
    cs[i] = std::make_unique<Collect>();
    clients.emplace_back([&, i] { e.add_request(greedy(ps[i], 10), cs[i]->callbacks()); });
  }
  for (auto& t : clients) t.join();
  for (int i = 0; i < 2000; ++i) {
    bool all = true;
    for (auto& c : cs) all = all && c->done;
    if (all) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  e.stop();
  for (size_t i = 0; i < ps.size(); ++i) {
    ASSERT_TRUE(cs[i]->done);
    EXPECT_EQ(cs[i]->tokens, reference(l, ps[i], 10));
  }
}

TEST(Engine, StoriesGreedyEqualsGenerate) {  // a llama-architecture file (GQA cache) too
  Loaded l{Model::load(kStories), nullptr};
  l.tok = Tokenizer::from_gguf(*l.model->gguf());
  const std::vector<int32_t> a = {l.tok->bos()};
  const auto b = l.tok->encode("Lily and Tom", true, false);
  Engine e(*l.model, *l.tok, opts(2));
  Collect ca, cb;
  e.add_request(greedy(a, 40), ca.callbacks());
  e.add_request(greedy(b, 30), cb.callbacks());
  run_until_idle(e);
  EXPECT_EQ(ca.tokens, reference(l, a, 40));
  EXPECT_EQ(cb.tokens, reference(l, b, 30));
}

}  // namespace
}  // namespace seek
