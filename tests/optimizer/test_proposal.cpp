// Candidate proposal: the filter, the per-example lists and the seeded intersection scheme.
#include <gtest/gtest.h>

#include "greater/common/random.h"
#include "greater/optimizer/proposal.h"

using namespace greater;

namespace {

TEST(TopTokenLists, BestAllowedFirstWithoutThePreviousToken) {
  // Vocabulary of 6; id 1 banned by the filter, id 3 is the previous prompt token.
  const at::Tensor log_probs = at::log_softmax(
      at::tensor(std::vector<float>{0.1f, 5.0f, 4.0f, 3.0f, 2.0f, 1.0f}).unsqueeze(0), -1);
  const std::vector<bool> allowed = {true, false, true, true, true, true};
  const auto lists = top_token_lists(log_probs, allowed, /*previous_token=*/3, /*k_max=*/10);
  ASSERT_EQ(lists.size(), 1u);
  EXPECT_EQ(lists[0], (std::vector<int64_t>{2, 4, 5, 0}));  // only 4 usable ids
}

TEST(ProposeCandidates, IntersectionsOfIdenticalListsGiveTheirTopK) {
  OptimizerSettings s;
  s.topk = 3;
  s.topq = 2;
  s.intersection_size = 3;
  s.min_pool = 2;
  const std::vector<std::vector<int64_t>> lists(5, std::vector<int64_t>{9, 4, 7, 1, 2});
  const Proposal p = propose_candidates(lists, s, /*step=*/0, /*current_token=*/42);
  EXPECT_EQ(p.candidates, (std::vector<int64_t>{4, 7, 9, 42}));  // sorted pool, then current
  EXPECT_EQ(p.final_k, 3);
}

TEST(ProposeCandidates, KGrowsByTwoUntilThePoolIsLargeEnough) {
  OptimizerSettings s;
  s.topk = 1;
  s.topq = 1;
  s.intersection_size = 2;
  s.min_pool = 3;
  // Two examples that agree only from their third entry on.
  const std::vector<std::vector<int64_t>> lists = {{1, 2, 5, 6, 7, 8}, {3, 4, 5, 6, 7, 8}};
  const Proposal p = propose_candidates(lists, s, 0, 5);
  EXPECT_EQ(p.final_k, 5);  // k=1: {}, k=3: {5}, k=5: {5,6,7}
  EXPECT_EQ(p.candidates, (std::vector<int64_t>{5, 6, 7}));
}

TEST(ProposeCandidates, SameSeedAndStepSamePoolOtherStepMayDiffer) {
  OptimizerSettings s;
  s.topk = 2;
  s.topq = 2;
  s.intersection_size = 2;
  s.min_pool = 1;
  std::vector<std::vector<int64_t>> lists;
  for (int64_t e = 0; e < 12; ++e) lists.push_back({e % 4, 10 + e % 3, 20 + e});
  const Proposal a = propose_candidates(lists, s, 7, 99);
  const Proposal b = propose_candidates(lists, s, 7, 99);
  EXPECT_EQ(a.candidates, b.candidates);
  bool some_step_differs = false;
  for (int64_t step = 0; step < 20; ++step)
    some_step_differs |= propose_candidates(lists, s, step, 99).candidates != a.candidates;
  EXPECT_TRUE(some_step_differs);
}

TEST(SplitMix64, KnownSequenceAndUniformSampling) {
  SplitMix64 rng(1234567);
  // Reference values of splitmix64 (Vigna) for seed 1234567.
  EXPECT_EQ(rng.next(), 6457827717110365317ULL);
  EXPECT_EQ(rng.next(), 3203168211198807973ULL);
  SplitMix64 sampler(5);
  const auto sample = sampler.sample(10, 4);
  ASSERT_EQ(sample.size(), 4u);
  std::vector<int64_t> sorted = sample;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::unique(sorted.begin(), sorted.end()), sorted.end());
}

}  // namespace
