// Candidate proposal: the filter, the per-example lists and the seeded intersection scheme.
#include <gtest/gtest.h>

#include <algorithm>

#include "greater/common/file_util.h"
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
  EXPECT_EQ(lists[0], (TokenIds{2, 4, 5, 0}));  // only 4 usable ids
}

TEST(ProposeCandidates, IntersectionsOfIdenticalListsGiveTheirTopK) {
  OptimizerSettings s;
  s.topk = 3;
  s.topq = 2;
  s.intersection_size = 3;
  s.min_pool = 2;
  const std::vector<TokenIds> lists(5, TokenIds{9, 4, 7, 1, 2});
  const Proposal p = propose_candidates(lists, s, /*step=*/0, /*current_token=*/42);
  EXPECT_EQ(p.candidates, (TokenIds{4, 7, 9, 42}));  // sorted pool, then current
  EXPECT_EQ(p.final_k, 3);
}

TEST(ProposeCandidates, KGrowsByTwoUntilThePoolIsLargeEnough) {
  OptimizerSettings s;
  s.topk = 1;
  s.topq = 1;
  s.intersection_size = 2;
  s.min_pool = 3;
  // Two examples that agree only from their third entry on.
  const std::vector<TokenIds> lists = {{1, 2, 5, 6, 7, 8}, {3, 4, 5, 6, 7, 8}};
  const Proposal p = propose_candidates(lists, s, 0, 5);
  EXPECT_EQ(p.final_k, 5);  // k=1: {}, k=3: {5}, k=5: {5,6,7}
  EXPECT_EQ(p.candidates, (TokenIds{5, 6, 7}));
}

TEST(ProposeCandidates, SameSeedAndStepSamePoolOtherStepMayDiffer) {
  OptimizerSettings s;
  s.topk = 2;
  s.topq = 2;
  s.intersection_size = 2;
  s.min_pool = 1;
  std::vector<TokenIds> lists;
  for (TokenId e = 0; e < 12; ++e) lists.push_back({e % 4, 10 + e % 3, 20 + e});
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

TEST(SlotZero, CandidatesGiveTheReferencesRetokenizedPrompt) {
  // The real Llama-3 tokenizer: "think" and " think" are different tokens.
  const std::string path =
      std::string(GREATER_SOURCE_DIR) + "/tests/data/tokenizers/llama3/tokenizer.json";
  ASSERT_TRUE(file_exists(path)) << path << " is missing: run scripts/setup_test_data.sh";
  const Tokenizer tokenizer = Tokenizer::from_file(path);
  const ChatLayout layout(tokenizer, ChatLayoutKind::Llama3);
  auto one = [&](const std::string& text) {
    const auto ids = tokenizer.encode(text);
    EXPECT_EQ(ids.size(), 1u) << text;
    return ids.at(0);
  };
  const TokenId think = one("think"), spaced_think = one(" think"), step = one(" step");
  const TokenId current = one(" Use");
  ASSERT_NE(think, spaced_think);
  // A word that is one token without a space and more than one with it: the reference's
  // prompt would not hold it at slot 0 as one token, so it is dropped.
  TokenId unspaceable = -1;
  for (TokenId id = 1000; id < tokenizer.vocab_size() && unspaceable < 0; ++id) {
    const std::string text = tokenizer.decode({id});
    if (text.size() >= 4 && std::all_of(text.begin(), text.end(), ::isalpha) &&
        tokenizer.encode(" " + text).size() > 1)
      unspaceable = id;
  }
  ASSERT_GE(unspaceable, 0);
  const TokenIds mapped = slot_zero_candidates({think, step, unspaceable, spaced_think, current},
                                               tokenizer, layout, current);
  EXPECT_EQ(mapped, (TokenIds{spaced_think, step, current}));

  // The mapped prompt's sequence is the reference's: the whole user text tokenized at once.
  const std::string question = "Is 7 prime?. Use";
  for (TokenId first : {think, spaced_think}) {
    const TokenIds slot0 = slot_zero_candidates({first}, tokenizer, layout, /*current_token=*/-1);
    ASSERT_EQ(slot0.size(), 1u);
    const TokenIds prompt = {slot0[0], step};
    const SequenceParts parts = layout.build_prefix(question, prompt);
    const std::vector<TokenId> user(parts.ids.begin() + parts.question,
                                    parts.ids.begin() + parts.header);
    // The reference: the prompt's text with its leading space stripped, one space re-inserted.
    std::string text = tokenizer.decode({first, step});
    text.erase(0, text.find_first_not_of(' '));
    EXPECT_EQ(user, tokenizer.encode(question + " " + text)) << "first token " << first;
  }
  // Unmapped, "think" at slot 0 would get a separator token in front: not the reference's ids.
  const SequenceParts unmapped = layout.build_prefix(question, {think, step});
  EXPECT_NE(std::vector<TokenId>(unmapped.ids.begin() + unmapped.question,
                                 unmapped.ids.begin() + unmapped.header),
            tokenizer.encode(question + " think step"));
}

}  // namespace
