// The fast iteration (shared slot prefix, batched candidate decoding scored on the cache,
// gradient over the slot's suffix) gives the same chains and choices as the straightforward
// stages, on the shipped demo model and its arithmetic task.
#include <gtest/gtest.h>

#include <memory>

#include "demo_fixture.h"
#include "greater/model/runtime.h"
#include "greater/optimizer/greater_optimizer.h"
#include "greater/optimizer/proposal.h"
#include "greater/optimizer/single_process_communicator.h"

namespace greater {
namespace {

TEST(FastIteration, SlotProposalAndGradientMatch) {
  const Demo& d = demo();
  const SequenceRecipe slow_recipe = d.recipe(false), fast_recipe = d.recipe(true);
  TrainShard slow = d.shard(slow_recipe), fast = d.shard(fast_recipe);
  const std::vector<bool> allowed = allowed_prompt_tokens(d.tokenizer, d.model.config().vocab_size);
  for (int64_t pos : {0, 2}) {
    const int64_t previous = pos > 0 ? d.prompt[pos - 1] : d.prompt.back();
    EXPECT_EQ(slow.slot_top_lists(d.prompt, pos, allowed, previous, 12),
              fast.slot_top_lists(d.prompt, pos, allowed, previous, 12))
        << "position " << pos;
  }
  slow.ensure_chains(d.prompt, 2);
  fast.ensure_chains(d.prompt, 2);
  ASSERT_EQ(slow.chains(d.prompt), fast.chains(d.prompt));
  const TokenIds candidates = {d.prompt[2], d.tokenizer.encode("step").front(),
                               d.tokenizer.encode("think").front()};
  const std::vector<double> a = slow.gradient_scores(d.prompt, 2, candidates);
  const std::vector<double> b = fast.gradient_scores(d.prompt, 2, candidates);
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(a.size(), 8 * candidates.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-4 * (1 + std::abs(a[i])));
}

TEST(FastIteration, CandidateChainsAndTermsMatch) {
  const Demo& d = demo();
  const SequenceRecipe slow_recipe = d.recipe(false), fast_recipe = d.recipe(true);
  TrainShard slow = d.shard(slow_recipe), fast = d.shard(fast_recipe);
  // Candidates at the last position: one that makes the model work step by step, others not.
  const int64_t pos = d.prompt.size() - 1;
  std::vector<TokenIds> trials;
  for (const char* word : {"step", "quickly", "."}) {
    trials.push_back(d.prompt);
    trials.back()[pos] = d.tokenizer.encode(word).front();
  }
  int64_t slow_generated = 0, fast_generated = 0;
  const auto a = slow.selection_terms(trials, pos, &slow_generated);
  const auto b = fast.selection_terms(trials, pos, &fast_generated);
  EXPECT_EQ(slow_generated, fast_generated);
  EXPECT_GT(fast_generated, 8 * 3);  // some chains are longer than the stop token alone
  for (size_t k = 0; k < trials.size(); ++k) {
    EXPECT_EQ(slow.chains(trials[k]), fast.chains(trials[k])) << "candidate " << k;
    EXPECT_EQ(a[k].mistake, b[k].mistake) << "candidate " << k;
    for (size_t i = 0; i < a[k].answer_ce.size(); ++i) {
      EXPECT_NEAR(a[k].answer_ce[i], b[k].answer_ce[i], 1e-4);
      EXPECT_NEAR(a[k].prompt_nll[i], b[k].prompt_nll[i], 1e-5);
    }
  }
}

TEST(FastIteration, SameChoicesOverIterations) {
  const Demo& d = demo();
  std::vector<std::vector<std::pair<double, TokenIds>>> histories;
  for (bool fast : {false, true}) {
    SequenceRecipe r = d.recipe(fast);
    r.settings.iterations = 4;
    SingleProcessCommunicator comm;
    GreaterOptimizer optimizer(r, d.splits, AnswerFormat::Integer, comm, nullptr);
    OptimizerState state = OptimizerState::from_rows({}, d.prompt);
    ASSERT_TRUE(optimizer.optimize(state, nullptr));
    histories.push_back(state.history);
  }
  ASSERT_EQ(histories[0].size(), 4u);
  ASSERT_EQ(histories[1].size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(histories[0][i].second, histories[1][i].second) << "step " << i;
    EXPECT_NEAR(histories[0][i].first, histories[1][i].first, 1e-6) << "step " << i;
  }
}

TEST(MemoryBackoff, HalvesUntilBatchesFit) {
  std::vector<int> runs(10, 0);
  std::vector<int64_t> sizes;
  in_batches_that_fit(0, 10, [&](int64_t first, int64_t count) {
    TORCH_CHECK(count <= 3, "CUDA out of memory. Tried to allocate 2.00 GiB");
    sizes.push_back(count);
    for (int64_t i = first; i < first + count; ++i) ++runs[i];
  });
  EXPECT_EQ(runs, std::vector<int>(10, 1));  // every item once, none lost or repeated
  EXPECT_EQ(sizes, (std::vector<int64_t>{2, 3, 2, 3}));
  // Other errors are not retried.
  EXPECT_THROW(in_batches_that_fit(0, 4, [](int64_t, int64_t) { TORCH_CHECK(false, "shape"); }),
               c10::Error);
}

}  // namespace
}  // namespace greater
