// A small seeded generator with the same output on every platform and library (std::
// distributions are not portable). One stream per (seed, step, purpose).
#pragma once

#include <cstdint>
#include <vector>

namespace greater {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  SplitMix64(uint64_t seed, uint64_t step, uint64_t purpose)
      : state_(seed ^ (step * 0x9E3779B97F4A7C15ULL) ^ (purpose * 0xC2B2AE3D27D4EB4FULL)) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) (n > 0), by rejection so every value is equally likely.
  uint64_t below(uint64_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = next(); while (x >= limit);
    return x % n;
  }
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
