// Splits: file order by default, a seeded shuffle that is the same everywhere, disjoint parts,
// and an error naming the file when it has too few rows.
#include <gtest/gtest.h>

#include <set>

#include "greater/task/shuffle.h"
#include "greater/task/task.h"
#include "test_files.h"

namespace greater {
namespace {

std::vector<Example> numbered(int64_t n) {
  std::vector<Example> out;
  for (int64_t i = 0; i < n; ++i) {
    Example e;
    e.index = i;
    e.question = "q" + std::to_string(i);
    e.target = e.answer = std::to_string(i);
    out.push_back(e);
  }
  return out;
}

std::vector<int64_t> indices(const std::vector<Example>& examples) {
  std::vector<int64_t> out;
  for (const Example& e : examples) out.push_back(e.index);
  return out;
}

std::vector<int64_t> range(int64_t begin, int64_t end) {
  std::vector<int64_t> out;
  for (int64_t i = begin; i < end; ++i) out.push_back(i);
  return out;
}

// Reference values from an independent Python implementation of SplitMix64 + xoshiro256**.
TEST(SeededShuffle, MatchesReferenceValues) {
  Xoshiro256 rng(1);
  EXPECT_EQ(rng.next(), 0xb3f2af6d0fc710c5ULL);
  EXPECT_EQ(rng.next(), 0x853b559647364ceaULL);
  EXPECT_EQ(rng.next(), 0x92f89756082a4514ULL);
  EXPECT_EQ(seeded_permutation(10, 42), (std::vector<size_t>{7, 3, 8, 9, 5, 6, 4, 1, 0, 2}));
  const std::vector<size_t> p = seeded_permutation(250, 7);
  EXPECT_EQ(std::vector<size_t>(p.begin(), p.begin() + 10),
            (std::vector<size_t>{80, 78, 0, 196, 53, 63, 29, 131, 124, 146}));
}

TEST(SeededShuffle, BelowStaysInRange) {
  Xoshiro256 rng(3);
  for (uint64_t n : {1ULL, 2ULL, 3ULL, 7ULL, 1000ULL, (1ULL << 63) + 1}) {
    for (int i = 0; i < 100; ++i) EXPECT_LT(rng.below(n), n);
  }
}

TEST(Split, SeedZeroKeepsFileOrder) {
  const TaskSplits s = split_task(numbered(250), 50, 100, 100, 0, "t.json");
  EXPECT_EQ(indices(s.train), range(0, 50));
  EXPECT_EQ(indices(s.dev), range(50, 150));
  EXPECT_EQ(indices(s.test), range(150, 250));
  EXPECT_EQ(s.train[3].question, "q3");
}

TEST(Split, ShuffledIsDeterministicDisjointAndSeedDependent) {
  const TaskSplits a = split_task(numbered(250), 50, 100, 100, 1234, "t.json");
  const TaskSplits b = split_task(numbered(250), 50, 100, 100, 1234, "t.json");
  const TaskSplits c = split_task(numbered(250), 50, 100, 100, 99, "t.json");
  EXPECT_EQ(indices(a.train), indices(b.train));
  EXPECT_EQ(indices(a.dev), indices(b.dev));
  EXPECT_EQ(indices(a.test), indices(b.test));
  EXPECT_NE(indices(a.train), indices(c.train));
  EXPECT_NE(indices(a.train), range(0, 50));
  std::set<int64_t> seen;
  for (const auto* part : {&a.train, &a.dev, &a.test}) {
    for (const Example& e : *part) {
      EXPECT_TRUE(seen.insert(e.index).second) << "row " << e.index << " in two splits";
      EXPECT_EQ(e.question, "q" + std::to_string(e.index));  // rows travel whole
    }
  }
  EXPECT_EQ(seen.size(), 250u);
}

TEST(Split, NegativeSizeTakesWhatTheFixedSizesLeave) {
  TaskSplits s = split_task(numbered(187), 50, 100, -1, 0, "t.json");
  EXPECT_EQ(s.test.size(), 37u);
  EXPECT_EQ(s.test.front().index, 150);
  s = split_task(numbered(146), 50, -1, 48, 0, "t.json");
  EXPECT_EQ(indices(s.dev), range(50, 98));
  EXPECT_EQ(indices(s.test), range(98, 146));
  s = split_task(numbered(10), 4, -1, -1, 0, "t.json");  // a second -1 gets nothing
  EXPECT_EQ(s.dev.size(), 6u);
  EXPECT_TRUE(s.test.empty());
  s = split_task(numbered(10), 10, 0, 0, 5, "t.json");
  EXPECT_EQ(s.train.size(), 10u);
}

TEST(Split, TooFewRowsNamesTheFile) {
  const std::string msg = test::error_of(
      [] { split_task(numbered(146), 50, 100, 100, 0, "bbh/penguins_in_a_table.json"); });
  EXPECT_NE(msg.find("bbh/penguins_in_a_table.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("146"), std::string::npos) << msg;
  EXPECT_FALSE(test::error_of([] { split_task(numbered(149), 50, 100, -1, 0, "x"); }).empty());
}

}  // namespace
}  // namespace greater
