// The optimizer's stages against straightforward references written here: one example at a
// time, no batching, padding or cache, every forward pass over the whole sequence, and the
// softmax, cross-entropy and argmax done by hand in double precision. On the shipped demo model
// (a two-layer Llama with a 40-word vocabulary), so the references are quick.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "demo_fixture.h"
#include "greater/optimizer/evaluation.h"
#include "greater/optimizer/greater_optimizer.h"
#include "greater/optimizer/single_process_communicator.h"
#include "greater/record/run_file.h"

namespace greater {
namespace {

// Logits of every position of `ids` from one unpadded forward pass: [T, vocab] float64.
at::Tensor reference_logits(const Transformer& model, const TokenIds& ids) {
  c10::InferenceMode inference;
  const int64_t n = static_cast<int64_t>(ids.size());
  ForwardInput input;
  input.embeds = model.embed(at::tensor(std::vector<int64_t>(ids.begin(), ids.end())).view({1, n}));
  input.positions = at::arange(n, at::kLong).view({1, n});
  return model.forward(input)[0].to(at::kDouble).contiguous();
}

// -log softmax(row / temperature)[gold], by hand.
double nll(const at::Tensor& row, TokenId gold, double temperature) {
  const auto a = row.accessor<double, 1>();
  double top = -INFINITY;
  for (int64_t v = 0; v < a.size(0); ++v) top = std::max(top, a[v] / temperature);
  double sum = 0;
  for (int64_t v = 0; v < a.size(0); ++v) sum += std::exp(a[v] / temperature - top);
  return -(a[gold] / temperature - top - std::log(sum));
}

// The first id with the highest logit.
TokenId argmax_of(const at::Tensor& row) {
  const auto a = row.accessor<double, 1>();
  TokenId best = 0;
  for (int64_t v = 1; v < a.size(0); ++v)
    if (a[v] > a[best]) best = static_cast<TokenId>(v);
  return best;
}

// Greedy continuation of `prefix`: one full forward pass per new token, ending before a stop
// id or after `max_new` tokens.
struct Greedy {
  TokenIds tokens;
  bool stopped = false;
};
Greedy reference_greedy(const Transformer& model, const TokenIds& prefix, const TokenIds& stop_ids,
                        int64_t max_new) {
  Greedy out;
  TokenIds sequence = prefix;
  for (int64_t i = 0; i < max_new; ++i) {
    const at::Tensor logits = reference_logits(model, sequence);
    const TokenId next = argmax_of(logits[logits.size(0) - 1]);
    if (std::count(stop_ids.begin(), stop_ids.end(), next)) {
      out.stopped = true;
      break;
    }
    out.tokens.push_back(next);
    sequence.push_back(next);
  }
  return out;
}

// The selection terms of one full sequence: mean CE of the answer tokens at `temperature`,
// whether any answer token is not the argmax, and the mean NLL of the prompt tokens. Token t
// is predicted by the logits at t - 1.
struct Terms {
  double answer_ce = 0, prompt_nll = 0;
  bool mistake = false;
};
Terms reference_terms(const Transformer& model, const SequenceParts& parts, double temperature) {
  const at::Tensor logits = reference_logits(model, parts.ids);
  Terms t;
  for (size_t i = parts.answer; i < parts.end; ++i) {
    t.answer_ce += nll(logits[i - 1], parts.ids[i], temperature) / (parts.end - parts.answer);
    t.mistake = t.mistake || argmax_of(logits[i - 1]) != parts.ids[i];
  }
  for (size_t i = parts.prompt; i < parts.header; ++i)
    t.prompt_nll += nll(logits[i - 1], parts.ids[i], 1.0) / (parts.header - parts.prompt);
  return t;
}

// A copy of `e` whose gold answer is another digit: the model's answer cannot match it.
Example with_wrong_answer(Example e, int64_t index) {
  e.answer = std::to_string((std::stoi(e.answer) + 1) % 10);
  e.target = e.answer;
  e.index = index;
  return e;
}

// A prompt under which the model works step by step on some questions (non-empty chains).
TokenIds working_prompt(const Demo& d) {
  TokenIds prompt = d.prompt;
  prompt.back() = d.tokenizer.encode("step").front();
  return prompt;
}

TEST(Stages, ExampleTermsAreTheCrossEntropiesOfTheSequence) {
  const Demo& d = demo();
  const SequenceRecipe r = d.recipe(false);
  const double temperature = r.settings.answer_temperature;
  ASSERT_NE(temperature, 1.0);  // so that the answer CE shows whether τ is applied
  const TokenIds prompt = working_prompt(d);
  const Example& right = d.splits.train[0];
  bool any_mistake = false;
  for (const Example& e : {right, with_wrong_answer(right, 100)}) {
    SCOPED_TRACE("answer " + e.answer);
    const Greedy chain =
        reference_greedy(d.model, r.prefix(e, prompt), r.chain_stop_ids, r.settings.max_new_tokens);
    const SequenceParts parts = r.full(e, prompt, chain.tokens);
    ASSERT_LT(parts.prompt, parts.header);
    ASSERT_LT(parts.answer, parts.end);
    const Terms want = reference_terms(d.model, parts, temperature);

    c10::InferenceMode inference;
    const int64_t n = static_cast<int64_t>(parts.ids.size());
    ForwardInput input;
    input.embeds = d.model.embed(
        at::tensor(std::vector<int64_t>(parts.ids.begin(), parts.ids.end())).view({1, n}));
    input.positions = at::arange(n, at::kLong).view({1, n});
    const ExampleTerms got =
        example_terms(d.model, d.model.final_hidden(input)[0], parts, temperature);
    EXPECT_NEAR(got.answer_ce.item<double>(), want.answer_ce, 1e-4 * (1 + want.answer_ce));
    EXPECT_NEAR(got.prompt_nll.item<double>(), want.prompt_nll, 1e-4 * (1 + want.prompt_nll));
    EXPECT_EQ(got.mistake, want.mistake);
    any_mistake = any_mistake || want.mistake;
  }
  EXPECT_TRUE(any_mistake);  // the two gold answers differ, so one is not the argmax
}

TEST(Stages, TrainShardChainsAndSelectionTermsAreThoseOfEachExampleAlone) {
  const Demo& d = demo();
  for (const bool fast : {false, true}) {
    SCOPED_TRACE(fast ? "fast iteration" : "straightforward stages");
    const SequenceRecipe r = d.recipe(fast);
    const TokenIds prompt = working_prompt(d);
    TrainShard shard = d.shard(r);  // micro-batches of 3, 3 and 2 examples
    ASSERT_EQ(shard.size(), 8);
    const int64_t generated = shard.ensure_chains(prompt);
    const std::vector<TokenIds> chains = shard.chains(prompt);
    int64_t tokens = 0;
    size_t worked = 0;
    int64_t generated_again = 0;
    const SelectionTerms terms = shard.selection_terms(prompt, &generated_again);
    EXPECT_EQ(generated_again, 0);  // the chains were cached
    ASSERT_EQ(chains.size(), 8u);
    ASSERT_EQ(terms.answer_ce.size(), 8u);
    for (size_t i = 0; i < 8; ++i) {
      SCOPED_TRACE("example " + std::to_string(i));
      const Example& e = d.splits.train[i];
      const Greedy chain = reference_greedy(d.model, r.prefix(e, prompt), r.chain_stop_ids,
                                            r.settings.max_new_tokens);
      EXPECT_EQ(chains[i], chain.tokens);
      worked += !chain.tokens.empty();
      tokens += chain.tokens.size() + (chain.stopped ? 1 : 0);  // the stop token is generated too
      const Terms want =
          reference_terms(d.model, r.full(e, prompt, chain.tokens), r.settings.answer_temperature);
      EXPECT_NEAR(terms.answer_ce[i], want.answer_ce, 1e-4 * (1 + want.answer_ce));
      EXPECT_NEAR(terms.prompt_nll[i], want.prompt_nll, 1e-4 * (1 + want.prompt_nll));
      EXPECT_EQ(terms.mistake[i], want.mistake ? 1.0 : 0.0);
    }
    EXPECT_EQ(generated, tokens);
    EXPECT_GT(worked, 0u);  // some chains are non-empty
  }
}

TEST(Stages, EvaluatePromptScoresEachExampleByParsingAndByExactTokens) {
  const Demo& d = demo();
  SequenceRecipe r = d.recipe(false);
  r.settings.max_answer_tokens = 3;
  // Four questions as they are, and the first two again with another gold answer: of each
  // pair, at most one can be answered correctly.
  std::vector<Example> split(d.splits.train.begin(), d.splits.train.begin() + 4);
  split.push_back(with_wrong_answer(d.splits.train[0], 100));
  split.push_back(with_wrong_answer(d.splits.train[1], 101));
  SingleProcessCommunicator comm;
  const TokenIds prompt = working_prompt(d);
  const PromptEvaluation got = evaluate_prompt(r, split, prompt, AnswerFormat::Integer, comm);

  ASSERT_EQ(got.n, 6);
  ASSERT_EQ(got.chains.size(), 6u);
  int parsed = 0, exact = 0;
  std::vector<bool> correct;
  for (size_t i = 0; i < split.size(); ++i) {
    SCOPED_TRACE("example " + std::to_string(i));
    const Example& e = split[i];
    const Greedy chain =
        reference_greedy(d.model, r.prefix(e, prompt), r.chain_stop_ids, r.settings.max_new_tokens);
    const SequenceParts parts = r.full(e, prompt, chain.tokens);
    const TokenIds before_answer(parts.ids.begin(), parts.ids.begin() + parts.answer);
    const TokenIds gold(parts.ids.begin() + parts.answer, parts.ids.end());
    const Greedy answer =
        reference_greedy(d.model, before_answer, d.layout.stop_ids(), r.settings.max_answer_tokens);
    const bool token_ok = answer.tokens.size() >= gold.size() &&
                          std::equal(gold.begin(), gold.end(), answer.tokens.begin());
    const std::string prediction = d.tokenizer.decode(answer.tokens, true);
    const bool parse_ok = answer_is_correct(AnswerFormat::Integer, prediction, e.answer);
    parsed += parse_ok;
    exact += token_ok;
    EXPECT_EQ(got.chains[i].example_index, e.index);
    EXPECT_EQ(got.chains[i].correct, parse_ok);
    EXPECT_EQ(got.chains[i].chain, d.tokenizer.decode(chain.tokens, true));
    EXPECT_EQ(got.chains[i].prediction, prediction);
    correct.push_back(parse_ok);
  }
  EXPECT_FALSE(correct[0] && correct[4]);
  EXPECT_FALSE(correct[1] && correct[5]);
  EXPECT_DOUBLE_EQ(got.parse_accuracy, parsed / 6.0);
  EXPECT_DOUBLE_EQ(got.token_accuracy, exact / 6.0);
}

// The evaluations evaluate_best records for `history`, on a fresh run file.
std::vector<EvaluationRow> evaluate_best_rows(const SequenceRecipe& r, const TaskSplits& splits,
                                              const OptimizerState& state, const char* name) {
  const auto dir = std::filesystem::path(GREATER_BINARY_DIR) / "tests" / "optimizer" / "tmp";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / (std::string("evaluate-best-") + name + ".h5")).string();
  std::filesystem::remove(path);
  auto file = RunFile::create(path, RunInfo{});
  SingleProcessCommunicator comm;
  GreaterOptimizer optimizer(r, splits, AnswerFormat::Integer, comm, file.get());
  optimizer.evaluate_best(state, 7);
  return file->evaluations();
}

TEST(Stages, EvaluateBestComparesTheBestPromptsOnDevAndTestsTheWinner) {
  const Demo& d = demo();
  SequenceRecipe r = d.recipe(false);
  r.settings.max_answer_tokens = 3;
  r.settings.eval_top_prompts = 3;
  TaskSplits splits;
  splits.dev.assign(d.splits.train.begin(), d.splits.train.begin() + 6);
  splits.test.assign(d.splits.train.begin() + 6, d.splits.train.begin() + 8);
  const TokenId filler = d.tokenizer.encode("now").back();
  auto prompt = [&](const std::string& text) { return d.layout.encode_prompt(text); };
  TokenIds with_filler = d.prompt;
  with_filler.push_back(filler);

  // Scores after each step: the same prompt with a trailing filler counts once, at its first
  // (lower) score; the fourth distinct prompt is beyond eval_top_prompts.
  OptimizerState state;
  state.history = {{0.50, prompt("answer the problem step by step .")},
                   {0.20, d.prompt},
                   {0.30, with_filler},
                   {0.40, prompt("just work the problem .")},
                   {0.90, prompt("answer now .")}};
  const std::vector<TokenIds> compared = {d.prompt, prompt("just work the problem ."),
                                          prompt("answer the problem step by step .")};
  SingleProcessCommunicator comm;
  double best = -1;
  TokenIds winner;
  for (const TokenIds& p : compared) {
    const double accuracy =
        evaluate_prompt(r, splits.dev, p, AnswerFormat::Integer, comm).parse_accuracy;
    if (accuracy > best) best = accuracy, winner = p;  // the lower score wins a tie
  }

  const std::vector<EvaluationRow> rows = evaluate_best_rows(r, splits, state, "three");
  ASSERT_EQ(rows.size(), compared.size() + 1);
  for (size_t i = 0; i < compared.size(); ++i) {
    EXPECT_EQ(rows[i].split, "dev");
    EXPECT_EQ(rows[i].step, 7);
    EXPECT_EQ(rows[i].prompt_ids, compared[i]);
    EXPECT_EQ(rows[i].n, 6);
  }
  EXPECT_EQ(rows.back().split, "test");
  EXPECT_EQ(rows.back().prompt_ids, winner);
  EXPECT_EQ(rows.back().n, 2);
  EXPECT_DOUBLE_EQ(
      rows.back().parse_accuracy,
      evaluate_prompt(r, splits.test, winner, AnswerFormat::Integer, comm).parse_accuracy);

  // One distinct prompt: nothing to compare, it goes straight to test.
  state.history = {{0.20, d.prompt}, {0.30, with_filler}};
  const std::vector<EvaluationRow> one = evaluate_best_rows(r, splits, state, "one");
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].split, "test");
  EXPECT_EQ(one[0].prompt_ids, d.prompt);
}

}  // namespace
}  // namespace greater
