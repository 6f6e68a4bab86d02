// greater_bench's helpers: the machine's floor, a decode probe, and the synthetic vocabulary
// that lets a random-weight model run the optimizer.
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "greater/optimizer/example_batch.h"

namespace greater {

// Waits for the device's queued work (a no-op on the CPU), so wall-clock timers are honest.
void synchronize(at::Device device);

// This machine's matmul peak (a timed large square product in `dtype`) and memory bandwidth
// (a timed large copy, bytes read plus written), best of a few repetitions.
struct MachineFloor {
  double peak_flops_per_s = 0;
  double bandwidth_bytes_per_s = 0;
};
MachineFloor measure_floor(at::Device device, at::ScalarType dtype);

// Greedy decoding alone: `batch` chains of the recipe's max_new_tokens (capped at 128).
struct DecodeProbe {
  double tokens_per_s = 0;
  double fraction_of_floor = 0;  // floor seconds / measured seconds
  double mfu = 0;
};
DecodeProbe probe_decode(const SequenceRecipe& recipe, const std::vector<Example>& examples,
                         const TokenIds& prompt, int64_t batch, at::Device device);

// tokenizer.json text of a word-level vocabulary of `vocab` ids: <pad> <unk> <bos> <eos>, then
// distinct lower-case words ("a", "b", ..., "aa", ...), so every word may be a prompt token.
std::string synthetic_tokenizer_json(int64_t vocab);

// Seeded random text made of words that are valid prompt tokens of `tokenizer`.
class WordSource {
 public:
  WordSource(const Tokenizer& tokenizer, int64_t model_vocab, uint64_t seed);
  std::string text(int64_t words) const;

 private:
  const Tokenizer& tokenizer_;
  TokenIds words_;
  mutable uint64_t draws_ = 0;
  uint64_t seed_;
};

}  // namespace greater
