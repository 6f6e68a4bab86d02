#include "greater/model/scored_generation.h"

#include <algorithm>
#include <map>
#include <optional>

#include <ATen/core/grad_mode.h>  // at::NoGradGuard: not pulled in by ATen.h in LibTorch 2.x

#include "greater/common/error.h"
#include "greater/model/runtime.h"
#include "greater/model/token_tensor.h"

namespace greater {

PrefixCache prefill_prefixes(const Transformer& model, const std::vector<TokenIds>& prefixes,
                             int64_t rows_kept, int64_t extra_capacity) {
  // No-grad rather than inference mode: the cache also feeds gradient passes, and inference
  // tensors may not be saved for backward.
  at::NoGradGuard no_grad;
  const LeftPadded batch = left_padded(prefixes, 0, model.device());
  const int64_t length = batch.ids.size(1);
  for (const TokenIds& p : prefixes)
    if (static_cast<int64_t>(p.size()) < rows_kept)
      throw std::invalid_argument("prefill_prefixes: a prefix is shorter than rows_kept");
  PrefixCache out{model.make_cache(prefixes.size(), length + extra_capacity), batch.mask, {}, {}};
  // Rows [first, first + count) of the padded batch; all of them at once unless memory runs
  // out, then in parts whose keys and values are copied into the batch's cache.
  std::map<int64_t, at::Tensor> last_hidden;  // by first row
  in_batches_that_fit(0, prefixes.size(), [&](int64_t first, int64_t count) {
    const bool whole = count == static_cast<int64_t>(prefixes.size());
    std::optional<KVCache> part;
    if (!whole) part.emplace(model.make_cache(count, length));
    ForwardInput input;
    input.embeds = model.embed(batch.ids.narrow(0, first, count));
    input.positions = batch.positions.narrow(0, first, count);
    input.attention_mask = batch.mask.narrow(0, first, count);
    const at::Tensor hidden = model.final_hidden(input, part ? &*part : &out.cache);
    if (part) out.cache.write_rows(first, *part);
    last_hidden[first] = hidden.narrow(1, length - rows_kept, rows_kept);
  });
  std::vector<at::Tensor> in_order;
  for (const auto& [first, hidden] : last_hidden) in_order.push_back(hidden);
  out.last_hidden = in_order.size() == 1 ? in_order[0] : at::cat(in_order, 0);
  out.next_position = batch.positions.select(1, length - 1) + 1;
  return out;
}

namespace {

// Where one sequence of the batch stands.
struct RowState {
  int64_t request = 0;
  int64_t predicting = -1;  // index into target that this step's logits predict; -1: chain
};

std::vector<int64_t> to_host(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kCPU).to(at::kLong).contiguous();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

std::vector<double> to_host_double(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kCPU).to(at::kDouble).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

}  // namespace

std::vector<ScoredSequence> generate_and_score(const Transformer& model, const PrefixCache& prefix,
                                               const std::vector<ScoredRequest>& requests,
                                               const GenerationOptions& options, int64_t own_scored,
                                               double temperature) {
  c10::InferenceMode inference;
  const at::Device device = model.device();
  std::vector<ScoredSequence> results(requests.size());
  if (requests.empty()) return results;
  const int64_t own_length = requests[0].own.size();
  std::vector<int64_t> rows, own_ids;
  for (const ScoredRequest& r : requests) {
    if (static_cast<int64_t>(r.own.size()) != own_length || own_length < 1 + own_scored ||
        r.target.empty())
      throw std::invalid_argument("generate_and_score: own lengths differ or target is empty");
    rows.push_back(r.prefix_row);
    own_ids.insert(own_ids.end(), r.own.begin(), r.own.end());
  }
  const int64_t batch = requests.size();
  const auto long_options = at::TensorOptions().dtype(at::kLong).device(device);
  at::Tensor row_index = at::tensor(rows, at::kLong).to(device);
  KVCache cache = prefix.cache;
  cache.select_rows(row_index);  // a copy: the prefix cache stays as it was
  at::Tensor mask = at::cat(
      {prefix.mask.index_select(0, row_index), at::ones({batch, own_length}, long_options)}, 1);
  at::Tensor positions = prefix.next_position.index_select(0, row_index).unsqueeze(1) +
                         at::arange(own_length, long_options).unsqueeze(0);

  // The request-specific tokens, on top of the shared prefix.
  ForwardInput input;
  input.embeds = model.embed(at::tensor(own_ids, at::kLong).view({batch, own_length}).to(device));
  input.positions = positions;
  input.attention_mask = mask;
  const at::Tensor hidden = model.final_hidden(input, &cache);
  if (own_scored > 0) {
    const at::Tensor log_probs =
        at::log_softmax(model.lm_head(hidden.narrow(1, 0, own_scored)).to(at::kFloat), -1);
    std::vector<int64_t> next_ids;
    for (const ScoredRequest& r : requests)
      next_ids.insert(next_ids.end(), r.own.begin() + 1, r.own.begin() + 1 + own_scored);
    const at::Tensor targets =
        at::tensor(next_ids, at::kLong).view({batch, own_scored, 1}).to(device);
    const std::vector<double> values = to_host_double(log_probs.gather(2, targets));
    for (int64_t b = 0; b < batch; ++b)
      results[b].own_log_probs.assign(values.begin() + b * own_scored,
                                      values.begin() + (b + 1) * own_scored);
  }
  at::Tensor logits = model.lm_head(hidden.select(1, own_length - 1));  // [B, V]
  at::Tensor last_position = positions.select(1, own_length - 1);
  const at::Tensor stop_ids = token_tensor(options.stop_ids, device);

  std::vector<RowState> state(batch);
  for (int64_t b = 0; b < batch; ++b) state[b].request = b;
  while (!state.empty()) {
    const TokenIds greedy = token_ids_of(logits.argmax(-1));
    const std::vector<int64_t> stops = options.stop_ids.empty()
                                           ? std::vector<int64_t>(state.size(), 0)
                                           : to_host(at::isin(logits.argmax(-1), stop_ids));
    // Decide every row's fate: its next chain token, or the target token it now predicts.
    std::vector<int64_t> feed(state.size(), options.pad_id), scored_rows, scored_gold;
    std::vector<bool> done(state.size(), false);
    for (size_t r = 0; r < state.size(); ++r) {
      RowState& s = state[r];
      const ScoredRequest& request = requests[s.request];
      ScoredSequence& out = results[s.request];
      if (s.predicting < 0) {
        ++compute_counter().generated_tokens;
        if (stops[r]) {
          out.chain.stopped = true;
          s.predicting = 0;  // these logits predict the target's first token
        } else {
          out.chain.tokens.push_back(greedy[r]);
          feed[r] = greedy[r];
          if (static_cast<int64_t>(out.chain.tokens.size()) >= options.max_new_tokens)
            s.predicting = -2;  // the chain is full: the next logits predict target[0]
          continue;
        }
      }
      const int64_t k = s.predicting;
      if (k >= request.target_scored_from) {
        scored_rows.push_back(r);
        scored_gold.push_back(request.target[k]);
        if (greedy[r] != request.target[k]) out.target_is_argmax = false;
      }
      s.predicting = k + 1;
      if (s.predicting == static_cast<int64_t>(request.target.size()))
        done[r] = true;
      else
        feed[r] = request.target[k];
    }
    if (!scored_rows.empty()) {
      const at::Tensor picked =
          logits.index_select(0, at::tensor(scored_rows, at::kLong).to(device)).to(at::kFloat);
      const at::Tensor gold = at::tensor(scored_gold, at::kLong).to(device).unsqueeze(1);
      const std::vector<double> nll =
          to_host_double(-at::log_softmax(picked / temperature, -1).gather(1, gold));
      for (size_t i = 0; i < scored_rows.size(); ++i)
        results[state[scored_rows[i]].request].target_nll.push_back(nll[i]);
    }
    for (RowState& s : state)
      if (s.predicting == -2) s.predicting = 0;

    // Drop finished rows, then run every remaining row's next token.
    std::vector<int64_t> keep;
    for (size_t r = 0; r < state.size(); ++r)
      if (!done[r]) keep.push_back(r);
    if (keep.empty()) break;
    at::Tensor step_ids = at::tensor(feed, at::kLong).to(device);
    if (keep.size() != state.size()) {
      const at::Tensor kept = at::tensor(keep, at::kLong).to(device);
      cache.select_rows(kept);
      mask = mask.index_select(0, kept);
      last_position = last_position.index_select(0, kept);
      step_ids = step_ids.index_select(0, kept);
      std::vector<RowState> remaining;
      for (int64_t r : keep) remaining.push_back(state[r]);
      state = std::move(remaining);
    }
    last_position = last_position + 1;
    mask = at::cat({mask, at::ones({mask.size(0), 1}, long_options)}, 1);
    ForwardInput step;
    step.embeds = model.embed(step_ids.unsqueeze(1));
    step.positions = last_position.unsqueeze(1);
    step.attention_mask = mask;
    logits = model.forward(step, &cache).select(1, 0);
  }
  return results;
}

}  // namespace greater
