// Train/dev/test splits and the portable seeded shuffle behind them.
#include "greater/common/error.h"
#include "greater/task/shuffle.h"
#include "greater/task/task.h"

namespace greater {

namespace {

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Xoshiro256::Xoshiro256(uint64_t seed) {
  uint64_t state = seed;
  for (uint64_t& word : s_) word = splitmix64(state);
}

uint64_t Xoshiro256::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

uint64_t Xoshiro256::below(uint64_t n) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;  // accept [0, limit): a multiple of n
  uint64_t x;
  do {
    x = next();
  } while (x >= limit);
  return x % n;
}

std::vector<size_t> seeded_permutation(size_t n, uint64_t seed) {
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  Xoshiro256 rng(seed);
  for (size_t i = n; i > 1; --i) {
    const size_t j = static_cast<size_t>(rng.below(i));
    std::swap(order[i - 1], order[j]);
  }
  return order;
}

TaskSplits split_task(std::vector<Example> examples, int64_t train_size, int64_t dev_size,
                      int64_t test_size, uint64_t shuffle_seed, const std::string& source) {
  if (shuffle_seed != 0) {
    const std::vector<size_t> order = seeded_permutation(examples.size(), shuffle_seed);
    std::vector<Example> shuffled;
    shuffled.reserve(examples.size());
    for (size_t i : order) shuffled.push_back(std::move(examples[i]));
    examples = std::move(shuffled);
  }

  const int64_t rows = static_cast<int64_t>(examples.size());
  int64_t needed = 0;  // rows the fixed sizes ask for
  for (int64_t size : {train_size, dev_size, test_size}) needed += size > 0 ? size : 0;
  if (needed > rows) {
    auto show = [](int64_t size) {
      return size < 0 ? std::string("all remaining") : std::to_string(size);
    };
    throw Error(source, "has " + std::to_string(rows) + " examples, too few for " +
                            show(train_size) + " train + " + show(dev_size) + " dev + " +
                            show(test_size) + " test (use -1 for \"all that remain\")");
  }

  // The first size < 0 gets every row the fixed sizes leave over; a later one gets none.
  int64_t remainder = rows - needed;
  TaskSplits splits;
  size_t next = 0;
  auto take = [&](int64_t size, std::vector<Example>& into) {
    int64_t count = size;
    if (size < 0) {
      count = remainder;
      remainder = 0;
    }
    for (int64_t i = 0; i < count; ++i) into.push_back(std::move(examples[next++]));
  };
  take(train_size, splits.train);
  take(dev_size, splits.dev);
  take(test_size, splits.test);
  return splits;
}

}  // namespace greater
