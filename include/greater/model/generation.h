// What the optimizer asks of a model: greedy reasoning chains, teacher-forced scores of given
// continuations, and gradients with respect to input embeddings.
#pragma once

#include <ATen/ATen.h>

#include <functional>
#include <vector>

#include "greater/common/token_id.h"
#include "greater/model/compute_counter.h"
#include "greater/model/transformer.h"

namespace greater {

struct GenerationOptions {
  int64_t max_new_tokens = 256;
  TokenIds stop_ids;              // generation of a sequence ends after any of these
  bool use_kv_cache = true;       // false recomputes the whole sequence each step (for checks)
  int64_t pad_id = 0;             // any valid id: padded positions are masked out
};

struct GeneratedSequence {
  TokenIds tokens;       // new tokens, without the stop token
  bool stopped = false;  // ended on a stop id (else ran out of max_new_tokens)
};

// Greedy decoding of a batch of prompts of different lengths (left-padded, masked). Each
// sequence stops on its own; the batch shrinks as sequences finish. A batch that runs out of
// memory is run in halves (in_batches_that_fit), as is one of score_continuations.
std::vector<GeneratedSequence> generate_greedy(const Transformer& model,
                                               const std::vector<TokenIds>& prompts,
                                               const GenerationOptions& options);

// Per-token log-probabilities of `continuations[i]` after `prefixes[i]`, teacher-forced.
// Result i has continuations[i].size() entries (natural log, float64 for stable sums).
std::vector<std::vector<double>> score_continuations(const Transformer& model,
                                                     const std::vector<TokenIds>& prefixes,
                                                     const std::vector<TokenIds>& continuations);

// A batch of prompts laid out left-padded (so that they end together): ids, real-token mask,
// and positions that count real tokens only; all [B, T].
struct LeftPadded {
  at::Tensor ids, mask, positions;
};
LeftPadded left_padded(const std::vector<TokenIds>& prompts, int64_t pad_id, at::Device device);

// A batch of sequences laid out right-padded for one forward pass without a cache.
struct PaddedBatch {
  at::Tensor ids;        // [B, T] int64, padding with pad_id at the end
  at::Tensor positions;  // [B, T] int64, 0..len-1 then repeated
  std::vector<int64_t> lengths;
};
PaddedBatch right_padded(const std::vector<TokenIds>& sequences, at::Device device,
                         int64_t pad_id = 0);

// Gradient of a scalar loss with respect to the unscaled input embeddings [B, T, hidden]
// (float32), computing activation gradients only (weights stay frozen). `loss_of_hidden`
// receives the final normed hidden states [B, T, hidden] of the right-padded batch (apply
// model.lm_head to the rows it needs) and returns a scalar.
at::Tensor input_embedding_gradient(
    const Transformer& model, const PaddedBatch& batch,
    const std::function<at::Tensor(const at::Tensor& hidden)>& loss_of_hidden);

// Adds to compute_counter() the backward pass of a forward that counted `forward`, when only
// activation gradients are computed.
void count_activation_backward(const ComputeCounter& forward);

}  // namespace greater
