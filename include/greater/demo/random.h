// The demo's one source of randomness: SplitMix64 with its own integer and real draws, so the
// same seed gives the same task files and training data with any standard library (the
// <random> distributions are implementation-defined).
#pragma once

#include <cstdint>

namespace greater::demo {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
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
  Rng fork(uint64_t salt) { return Rng(next() ^ (salt * 0xd1b54a32d192ed03ULL)); }

 private:
  uint64_t state_;
};

}  // namespace greater::demo
