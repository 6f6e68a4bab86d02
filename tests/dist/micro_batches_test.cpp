// micro_batches_of_rank: every example in exactly one batch of one rank, the same batches
// whatever the world size, blocks as equal as possible with the extra ones on earlier ranks.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "greater/common/error.h"
#include "greater/dist/communicator.h"

namespace greater {
namespace {

// The batches of all ranks, in rank order.
std::vector<MicroBatch> all_batches(int64_t examples, int64_t micro_batch, int world_size) {
  std::vector<MicroBatch> out;
  for (int rank = 0; rank < world_size; ++rank) {
    for (const MicroBatch& b : micro_batches_of_rank(examples, micro_batch, rank, world_size)) {
      out.push_back(b);
    }
  }
  return out;
}

TEST(MicroBatches, CutsExamplesIntoFixedBatchesWithAShortLastOne) {
  const std::vector<MicroBatch> batches = micro_batches_of_rank(10, 4, 0, 1);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0].first, 0);
  EXPECT_EQ(batches[0].count, 4);
  EXPECT_EQ(batches[1].first, 4);
  EXPECT_EQ(batches[1].count, 4);
  EXPECT_EQ(batches[2].first, 8);
  EXPECT_EQ(batches[2].count, 2);
}

TEST(MicroBatches, EveryExampleInExactlyOneBatchOfOneRank) {
  for (int64_t examples : {0, 1, 7, 50, 64, 101}) {
    for (int64_t micro_batch : {1, 3, 8, 16, 200}) {
      for (int world_size = 1; world_size <= 8; ++world_size) {
        std::vector<int> seen(static_cast<size_t>(examples), 0);
        for (const MicroBatch& b : all_batches(examples, micro_batch, world_size)) {
          ASSERT_GT(b.count, 0);
          ASSERT_LE(b.count, micro_batch);
          for (int64_t i = b.first; i < b.first + b.count; ++i) {
            ASSERT_GE(i, 0);
            ASSERT_LT(i, examples);
            ++seen[static_cast<size_t>(i)];
          }
        }
        for (int64_t i = 0; i < examples; ++i) {
          EXPECT_EQ(seen[static_cast<size_t>(i)], 1)
              << "example " << i << " of " << examples << ", micro_batch " << micro_batch
              << ", world " << world_size;
        }
      }
    }
  }
}

TEST(MicroBatches, SameBatchesInRankOrderForWorldSizesOneToEight) {
  for (int64_t examples : {1, 9, 50, 150}) {
    for (int64_t micro_batch : {1, 4, 9, 32}) {
      const std::vector<MicroBatch> reference = all_batches(examples, micro_batch, 1);
      for (int world_size = 2; world_size <= 8; ++world_size) {
        const std::vector<MicroBatch> batches = all_batches(examples, micro_batch, world_size);
        ASSERT_EQ(batches.size(), reference.size()) << "world " << world_size;
        for (size_t i = 0; i < batches.size(); ++i) {
          EXPECT_EQ(batches[i].first, reference[i].first) << "world " << world_size;
          EXPECT_EQ(batches[i].count, reference[i].count) << "world " << world_size;
        }
      }
    }
  }
}

TEST(MicroBatches, BlocksAreContiguousAndAsEqualAsPossibleEarlierRanksFirst) {
  // 11 batches on 4 ranks: 3, 3, 3, 2.
  const std::vector<size_t> expected = {3, 3, 3, 2};
  int64_t next = 0;
  for (int rank = 0; rank < 4; ++rank) {
    const std::vector<MicroBatch> batches = micro_batches_of_rank(44, 4, rank, 4);
    ASSERT_EQ(batches.size(), expected[static_cast<size_t>(rank)]) << "rank " << rank;
    for (const MicroBatch& b : batches) {
      EXPECT_EQ(b.first, next);
      next = b.first + b.count;
    }
  }
  EXPECT_EQ(next, 44);
}

TEST(MicroBatches, RanksBeyondTheBatchCountOwnNone) {
  // 10 examples in batches of 4 are 3 batches; the 4th and 5th ranks get nothing.
  EXPECT_EQ(micro_batches_of_rank(10, 4, 2, 5).size(), 1u);
  EXPECT_TRUE(micro_batches_of_rank(10, 4, 3, 5).empty());
  EXPECT_TRUE(micro_batches_of_rank(10, 4, 4, 5).empty());
  EXPECT_TRUE(micro_batches_of_rank(0, 4, 0, 1).empty());
}

TEST(MicroBatches, RejectsInvalidArguments) {
  EXPECT_THROW(micro_batches_of_rank(-1, 4, 0, 1), Error);
  EXPECT_THROW(micro_batches_of_rank(10, 0, 0, 1), Error);
  EXPECT_THROW(micro_batches_of_rank(10, 4, 0, 0), Error);
  EXPECT_THROW(micro_batches_of_rank(10, 4, 2, 2), Error);
  EXPECT_THROW(micro_batches_of_rank(10, 4, -1, 2), Error);
}

}  // namespace
}  // namespace greater
