// A seeded shuffle that gives the same order with every compiler and standard library
// (std::shuffle and the <random> distributions are implementation-defined).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace greater {

// xoshiro256** (Blackman & Vigna) with its state filled by SplitMix64 from one 64-bit seed.
class Xoshiro256 {
 public:
  explicit Xoshiro256(uint64_t seed);

  uint64_t next();

  // Uniform integer in [0, n), n > 0; rejection sampling, so no modulo bias.
  uint64_t below(uint64_t n);

 private:
  uint64_t s_[4];
};

// 0..n-1 in the order a Fisher–Yates shuffle driven by Xoshiro256(seed) leaves them
// (i from n-1 down to 1: swap a[i] with a[below(i + 1)]).
std::vector<size_t> seeded_permutation(size_t n, uint64_t seed);

}  // namespace greater
