// The fast iteration's model calls (docs/FAST_ITERATION.md): a batch of prefixes run once and
// kept as keys/values, then many continuations of them decoded in one batch and scored by
// extending the same cache (no recomputation of the sequence).
#pragma once

#include <vector>

#include "greater/model/generation.h"

namespace greater {

// Keys and values of a left-padded batch of prefixes, with the final hidden states of their
// last `rows_kept` positions (the same positions in every row: prefixes end together).
struct PrefixCache {
  KVCache cache;
  at::Tensor mask;           // [G, S] int64, 1 = real token
  at::Tensor next_position;  // [G] int64, RoPE position of the token after each prefix
  at::Tensor last_hidden;    // [G, rows_kept, hidden]
};

// `extra_capacity`: tokens each continuation will add, so copies of the cache never grow.
// Out of memory, the prefixes are run in parts (in_batches_that_fit) into the same cache.
PrefixCache prefill_prefixes(const Transformer& model, const std::vector<TokenIds>& prefixes,
                             int64_t rows_kept, int64_t extra_capacity);

// One continuation of a cached prefix: `own` tokens (the same count in every request of a
// call), then a greedy chain, then `target` teacher-forced.
struct ScoredRequest {
  int64_t prefix_row = 0;
  TokenIds own;
  TokenIds target;
  int64_t target_scored_from = 0;  // target tokens before this are fed but not scored
};

struct ScoredSequence {
  GeneratedSequence chain;
  std::vector<double> own_log_probs;  // log p(own[j + 1]), j < own_scored (temperature 1)
  std::vector<double> target_nll;     // −log softmax(logits / τ)[target[j]], scored j only
  bool target_is_argmax = true;       // every scored target token is the greedy choice
};

// Greedy chains after prefix ‖ own, each stopping on its own (stop id or max_new_tokens),
// then each chain's target scored on the same cache. Finished sequences leave the batch.
std::vector<ScoredSequence> generate_and_score(const Transformer& model, const PrefixCache& prefix,
                                               const std::vector<ScoredRequest>& requests,
                                               const GenerationOptions& options, int64_t own_scored,
                                               double temperature);

}  // namespace greater
