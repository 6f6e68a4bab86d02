#include "greater/model/generation.h"

#include <algorithm>

#include <ATen/core/grad_mode.h>  // at::AutoGradMode: not pulled in by ATen.h in LibTorch 2.x

#include "greater/model/compute_counter.h"
#include "greater/model/runtime.h"
#include "greater/model/token_tensor.h"

namespace greater {

LeftPadded left_padded(const std::vector<TokenIds>& prompts, int64_t pad_id, at::Device device) {
  int64_t longest = 0;
  for (const auto& p : prompts) longest = std::max<int64_t>(longest, p.size());
  const int64_t batch = prompts.size();
  std::vector<int64_t> ids(batch * longest, pad_id), mask(batch * longest, 0);
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t offset = longest - static_cast<int64_t>(prompts[b].size());
    for (size_t t = 0; t < prompts[b].size(); ++t) {
      ids[b * longest + offset + t] = prompts[b][t];
      mask[b * longest + offset + t] = 1;
    }
  }
  LeftPadded out;
  out.ids = at::tensor(ids, at::kLong).view({batch, longest}).to(device);
  out.mask = at::tensor(mask, at::kLong).view({batch, longest}).to(device);
  out.positions = (out.mask.cumsum(1) - 1).clamp_min(0);
  return out;
}

namespace {

// generate_greedy for a batch that fits in memory.
std::vector<GeneratedSequence> generate_greedy_batch(const Transformer& model,
                                                     const std::vector<TokenIds>& prompts,
                                                     const GenerationOptions& options) {
  c10::InferenceMode inference;
  const at::Device device = model.device();
  std::vector<GeneratedSequence> results(prompts.size());
  if (prompts.empty() || options.max_new_tokens <= 0) return results;

  LeftPadded batch = left_padded(prompts, options.pad_id, device);
  const at::Tensor stop_ids = token_tensor(options.stop_ids, device);
  std::vector<int64_t> row_of(prompts.size());  // batch row -> index into results
  for (size_t i = 0; i < prompts.size(); ++i) row_of[i] = i;

  KVCache cache = model.make_cache(prompts.size(), batch.ids.size(1) + options.max_new_tokens);
  at::Tensor ids = batch.ids, mask = batch.mask, positions = batch.positions;
  at::Tensor step_ids = ids, step_positions = positions;  // what the next forward runs
  for (int64_t step = 0; step < options.max_new_tokens && !row_of.empty(); ++step) {
    ForwardInput input;
    at::Tensor logits;
    if (options.use_kv_cache) {
      input.embeds = model.embed(step_ids);
      input.positions = step_positions;
      input.attention_mask = mask;
      logits = model.forward(input, &cache);
    } else {
      input.embeds = model.embed(ids);
      input.positions = positions;
      input.attention_mask = mask;
      logits = model.forward(input);
    }
    const at::Tensor next = logits.select(1, logits.size(1) - 1).argmax(-1);  // [B]
    compute_counter().generated_tokens += next.size(0);
    const at::Tensor finished = options.stop_ids.empty()
                                    ? at::zeros_like(next, next.options().dtype(at::kBool))
                                    : at::isin(next, stop_ids);
    // One host copy: on CUDA each .to(kCPU) is a new tensor, so both ends must come from it.
    const TokenIds next_host = token_ids_of(next);
    const at::Tensor finished_host = finished.to(at::kCPU);
    std::vector<int64_t> keep;
    for (size_t r = 0; r < row_of.size(); ++r) {
      GeneratedSequence& out = results[row_of[r]];
      if (finished_host[r].item<bool>()) {
        out.stopped = true;
      } else {
        out.tokens.push_back(next_host[r]);
        keep.push_back(r);
      }
    }
    // Extend every row by its new token, then drop the finished rows from the batch.
    const at::Tensor next_positions = positions.select(1, positions.size(1) - 1) + 1;
    ids = at::cat({ids, next.unsqueeze(1)}, 1);
    mask = at::cat({mask, at::ones_like(next).unsqueeze(1)}, 1);
    positions = at::cat({positions, next_positions.unsqueeze(1)}, 1);
    step_ids = next.unsqueeze(1);
    step_positions = next_positions.unsqueeze(1);
    if (keep.size() != row_of.size()) {
      const at::Tensor rows = at::tensor(keep, at::kLong).to(device);
      ids = ids.index_select(0, rows);
      mask = mask.index_select(0, rows);
      positions = positions.index_select(0, rows);
      step_ids = step_ids.index_select(0, rows);
      step_positions = step_positions.index_select(0, rows);
      if (options.use_kv_cache && !keep.empty()) cache.select_rows(rows);
      std::vector<int64_t> kept_rows;
      for (int64_t r : keep) kept_rows.push_back(row_of[r]);
      row_of = std::move(kept_rows);
    }
  }
  return results;
}

// score_continuations for a batch that fits in memory.
std::vector<std::vector<double>> score_continuations_batch(
    const Transformer& model, const std::vector<TokenIds>& prefixes,
    const std::vector<TokenIds>& continuations);

// Items [first, first + count) of `items`.
std::vector<TokenIds> slice(const std::vector<TokenIds>& items, int64_t first, int64_t count) {
  return std::vector<TokenIds>(items.begin() + first, items.begin() + first + count);
}

}  // namespace

// Sequences do not interact in a batch, so a batch that does not fit can be run in parts with
// the same results (up to the order of floating-point sums).
std::vector<GeneratedSequence> generate_greedy(const Transformer& model,
                                               const std::vector<TokenIds>& prompts,
                                               const GenerationOptions& options) {
  std::vector<GeneratedSequence> results(prompts.size());
  in_batches_that_fit(0, prompts.size(), [&](int64_t first, int64_t count) {
    auto part = generate_greedy_batch(model, slice(prompts, first, count), options);
    std::move(part.begin(), part.end(), results.begin() + first);
  });
  return results;
}

std::vector<std::vector<double>> score_continuations(const Transformer& model,
                                                     const std::vector<TokenIds>& prefixes,
                                                     const std::vector<TokenIds>& continuations) {
  std::vector<std::vector<double>> scores(prefixes.size());
  in_batches_that_fit(0, prefixes.size(), [&](int64_t first, int64_t count) {
    auto part = score_continuations_batch(model, slice(prefixes, first, count),
                                          slice(continuations, first, count));
    std::move(part.begin(), part.end(), scores.begin() + first);
  });
  return scores;
}

PaddedBatch right_padded(const std::vector<TokenIds>& sequences, at::Device device,
                         int64_t pad_id) {
  int64_t longest = 1;
  for (const auto& s : sequences) longest = std::max<int64_t>(longest, s.size());
  const int64_t batch = sequences.size();
  std::vector<int64_t> ids(batch * longest, pad_id), positions(batch * longest, 0);
  PaddedBatch out;
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t n = sequences[b].size();
    for (int64_t t = 0; t < longest; ++t) {
      if (t < n) ids[b * longest + t] = sequences[b][t];
      positions[b * longest + t] = t;
    }
    out.lengths.push_back(n);
  }
  out.ids = at::tensor(ids, at::kLong).view({batch, longest}).to(device);
  out.positions = at::tensor(positions, at::kLong).view({batch, longest}).to(device);
  return out;
}

namespace {

std::vector<std::vector<double>> score_continuations_batch(
    const Transformer& model, const std::vector<TokenIds>& prefixes,
    const std::vector<TokenIds>& continuations) {
  c10::InferenceMode inference;
  std::vector<TokenIds> sequences;
  for (size_t i = 0; i < prefixes.size(); ++i) {
    TokenIds s = prefixes[i];
    s.insert(s.end(), continuations[i].begin(), continuations[i].end());
    sequences.push_back(std::move(s));
  }
  const PaddedBatch batch = right_padded(sequences, model.device());
  // Right padding needs no mask: causal attention keeps real tokens from seeing the padding.
  ForwardInput input;
  input.embeds = model.embed(batch.ids);
  input.positions = batch.positions;
  const at::Tensor log_probs =
      at::log_softmax(model.forward(input).to(at::kFloat), -1).to(at::kDouble).to(at::kCPU);
  const at::Tensor ids = batch.ids.to(at::kCPU);
  std::vector<std::vector<double>> scores(prefixes.size());
  for (size_t i = 0; i < prefixes.size(); ++i) {
    const int64_t start = prefixes[i].size();
    for (size_t j = 0; j < continuations[i].size(); ++j) {
      const int64_t t = start + j;  // token t is predicted by the logits at t - 1
      scores[i].push_back(log_probs[i][t - 1][continuations[i][j]].item<double>());
    }
  }
  return scores;
}

}  // namespace

void count_activation_backward(const ComputeCounter& forward) {
  // Activation gradients only: each product Y = X·W needs dX = dY·Wᵀ (its forward cost), and
  // the attention products need gradients for both of their inputs (twice the forward cost).
  compute_counter().add(forward.matmul_flops, 2 * forward.attention_flops, forward.bytes, false);
}

at::Tensor input_embedding_gradient(
    const Transformer& model, const PaddedBatch& batch,
    const std::function<at::Tensor(const at::Tensor& hidden)>& loss_of_hidden) {
  at::AutoGradMode grad_mode(true);
  // A leaf for the embeddings only: the weights never require grad here, so backward
  // computes activation gradients and no weight gradients.
  at::Tensor embeds = model.embed(batch.ids).detach().requires_grad_(true);
  ForwardInput input;
  input.embeds = embeds;
  input.positions = batch.positions;
  const ComputeCounter before = compute_counter();
  const at::Tensor loss = loss_of_hidden(model.final_hidden(input));
  count_activation_backward(compute_counter() - before);
  loss.backward();
  return embeds.grad().to(at::kFloat);
}

}  // namespace greater
