// The project's seeded generator: SplitMix64 (Vigna) with its own integer and real draws, so
// the same seed gives the same numbers with every compiler and standard library (the <random>
// distributions are implementation-defined).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace greater {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  // One stream per (seed, step, purpose), e.g. the candidate draws of one iteration.
  SplitMix64(uint64_t seed, uint64_t step, uint64_t purpose)
      : state_(seed ^ (step * 0x9E3779B97F4A7C15ULL) ^ (purpose * 0xC2B2AE3D27D4EB4FULL)) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  // Uniform integer in [0, n), n > 0 (rejection sampling: no modulo bias).
  uint64_t below(uint64_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = next();
    while (x >= limit);
    return x % n;
  }

  // Uniform integer in [lo, hi].
  int between(int lo, int hi) { return lo + static_cast<int>(below(hi - lo + 1)); }

  // Uniform real in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // An independent stream for a named purpose, so adding draws in one place leaves the others
  // unchanged.
  SplitMix64 fork(uint64_t salt) { return SplitMix64(next() ^ (salt * 0xD1B54A32D192ED03ULL)); }

  // `count` distinct values of [0, n), in the order drawn (partial Fisher-Yates).
  std::vector<int64_t> sample(int64_t n, int64_t count) {
    std::vector<int64_t> values(n);
    for (int64_t i = 0; i < n; ++i) values[i] = i;
    for (int64_t i = 0; i < count && i < n; ++i)
      std::swap(values[i], values[i + static_cast<int64_t>(below(n - i))]);
    values.resize(count < n ? count : n);
    return values;
  }

 private:
  uint64_t state_;
};

}  // namespace greater
