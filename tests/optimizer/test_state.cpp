// The rules between iterations, checked by hand: the '.' threshold, the position sweep (wrap
// after '.', grow by the filler), the prompts compared on dev, and the state rebuilt from
// recorded rows.
#include <gtest/gtest.h>

#include "greater/optimizer/optimizer_state.h"

namespace greater {
namespace {

TEST(PeriodRule, AppliesFromFractionOfTheInitialLength) {
  // L0 = 16 at 0.5 (the paper's setting): slots 8 and later.
  EXPECT_FALSE(period_rule_applies(7, 16, 0.5));
  EXPECT_TRUE(period_rule_applies(8, 16, 0.5));
  // L0 = 5: 0.5 · 5 = 2.5, so slot 2 is still too early and slot 3 is not.
  EXPECT_FALSE(period_rule_applies(2, 5, 0.5));
  EXPECT_TRUE(period_rule_applies(3, 5, 0.5));
  EXPECT_TRUE(period_rule_applies(0, 5, 0.0));
}

TEST(Advance, MovesRightInsideThePrompt) {
  OptimizerState s;
  s.prompt = {10, 11, 12};
  s.next_step = 4;
  advance(s, 1, 99, false, 7);
  EXPECT_EQ(s.prompt, (TokenIds{10, 99, 12}));
  EXPECT_EQ(s.position, 2);
  EXPECT_EQ(s.next_step, 5);
}

TEST(Advance, WrapsAfterAPeriodAtTheEnd) {
  OptimizerState s;
  s.prompt = {10, 11, 12};
  advance(s, 2, 13, true, 7);
  EXPECT_EQ(s.prompt, (TokenIds{10, 11, 13}));
  EXPECT_EQ(s.position, 0);
}

TEST(Advance, GrowsByTheFillerWithoutAPeriodAtTheEnd) {
  OptimizerState s;
  s.prompt = {10, 11, 12};
  advance(s, 2, 13, false, 7);
  EXPECT_EQ(s.prompt, (TokenIds{10, 11, 13, 7}));
  EXPECT_EQ(s.position, 3);  // the filler is optimized next
}

TEST(BestPrompts, DistinctWithoutTrailingFillersLowestScoreFirst) {
  const int64_t filler = 7;
  const std::vector<std::pair<double, TokenIds>> history = {
      {0.50, {1, 2}}, {0.30, {1, 3, 7}},  // {1, 3} once its filler is dropped
      {0.30, {1, 4}}, {0.10, {1, 3}},     // a repeat of {1, 3}: ranks by its lower score
      {0.20, {7, 7}},                     // keeps one token: never empty
      {0.50, {1, 5}},                     // ties 0.50 with {1, 2}: earlier first
      {0.40, {1, 4}},                     // a later, higher score does not replace 0.30
  };
  const auto best = best_prompts(history, filler, 3);
  ASSERT_EQ(best.size(), 3u);
  EXPECT_EQ(best[0], (std::pair<double, TokenIds>{0.10, {1, 3}}));
  EXPECT_EQ(best[1], (std::pair<double, TokenIds>{0.20, {7}}));
  EXPECT_EQ(best[2], (std::pair<double, TokenIds>{0.30, {1, 4}}));
  const auto all = best_prompts(history, filler, 10);
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[3], (std::pair<double, TokenIds>{0.50, {1, 2}}));
  EXPECT_EQ(all[4], (std::pair<double, TokenIds>{0.50, {1, 5}}));
}

TEST(OptimizerState, RebuiltFromRecordedRows) {
  IterationRow a, b;
  a.step = 0;
  a.chosen_score = 0.8;
  a.next_prompt_ids = {5, 6, 7};
  a.next_position = 1;
  a.initial_length = 3;
  b = a;
  b.step = 1;
  b.chosen_score = 0.4;
  b.next_prompt_ids = {5, 8, 7};
  b.next_position = 2;
  const OptimizerState s = OptimizerState::from_rows({a, b}, {1, 2, 3});
  EXPECT_EQ(s.prompt, (TokenIds{5, 8, 7}));
  EXPECT_EQ(s.position, 2);
  EXPECT_EQ(s.initial_length, 3);
  EXPECT_EQ(s.next_step, 2);
  ASSERT_EQ(s.history.size(), 2u);
  EXPECT_EQ(s.history[0].first, 0.8);
  EXPECT_EQ(s.history[1].second, (TokenIds{5, 8, 7}));

  const OptimizerState fresh = OptimizerState::from_rows({}, {1, 2, 3});
  EXPECT_EQ(fresh.prompt, (TokenIds{1, 2, 3}));
  EXPECT_EQ(fresh.initial_length, 3);
  EXPECT_EQ(fresh.next_step, 0);
}

}  // namespace
}  // namespace greater
