// The fast stages of TrainShard (docs/FAST_ITERATION.md). Everything that depends only on
// question ‖ prompt[:position] is run once per iteration (the slot prefix) and shared by the
// proposal, the gradient and every prompt whose chains are decoded.
#include <algorithm>
#include <stdexcept>

#include <ATen/core/grad_mode.h>  // at::AutoGradMode, at::NoGradGuard (LibTorch 2.x)

#include "greater/model/runtime.h"
#include "greater/model/token_tensor.h"

#include "greater/optimizer/proposal.h"
#include "greater/optimizer/train_shard.h"

namespace greater {

const TrainShard::SlotPrefix& TrainShard::slot_prefix(const TokenIds& prompt,
                                                      int64_t position) const {
  const TokenIds head(prompt.begin(), prompt.begin() + position);
  if (slot_ && slot_->position == position && slot_->head == head) return *slot_;
  at::NoGradGuard no_grad;
  const Transformer& model = *recipe_.model;
  auto slot = std::make_unique<SlotPrefix>();
  slot->head = head;
  slot->position = position;
  for (const auto& batch : batches_) {
    std::vector<TokenIds> prefixes;
    int64_t extra = 0;  // what any continuation adds: rest of prompt, header, chain, target
    for (const Example& e : batch) {
      const SequenceParts parts = recipe_.full(e, prompt, {});
      const size_t shared = parts.prompt + position;
      prefixes.emplace_back(parts.ids.begin(), parts.ids.begin() + shared);
      extra = std::max<int64_t>(extra, parts.end - shared + recipe_.settings.max_new_tokens + 1);
    }
    // The last position + 1 rows predict prompt[0..position]: the head's NLL and the slot.
    PrefixCache cache = prefill_prefixes(model, prefixes, position + 1, extra);
    const at::Tensor log_probs =
        at::log_softmax(model.lm_head(cache.last_hidden).to(at::kFloat), -1);
    cache.last_hidden = at::Tensor();
    slot->slot_log_probs.push_back(log_probs.select(1, position).contiguous());
    std::vector<double> head_nll(batch.size(), 0.0);
    if (position > 0) {
      const at::Tensor ids = at::tensor(head, at::kLong).to(model.device());
      const at::Tensor nll =
          -log_probs.narrow(1, 0, position)
               .gather(2, ids.view({1, position, 1}).expand({log_probs.size(0), position, 1}))
               .sum({1, 2})
               .to(at::kDouble)
               .to(at::kCPU);
      for (size_t b = 0; b < batch.size(); ++b) head_nll[b] = nll[b].item<double>();
    }
    slot->head_nll.push_back(std::move(head_nll));
    slot->caches.push_back(std::move(cache));
  }
  slot_ = std::move(slot);
  return *slot_;
}

std::vector<TokenIds> TrainShard::slot_top_lists_fast(const TokenIds& prompt, int64_t position,
                                                      const std::vector<bool>& allowed,
                                                      int64_t previous_token, int64_t k_max) const {
  const SlotPrefix& slot = slot_prefix(prompt, position);
  std::vector<TokenIds> lists;
  for (const at::Tensor& log_probs : slot.slot_log_probs)
    for (auto& list : top_token_lists(log_probs, allowed, previous_token, k_max))
      lists.push_back(std::move(list));
  return lists;
}

std::vector<double> TrainShard::gradient_scores_fast(const TokenIds& prompt, int64_t position,
                                                     const TokenIds& candidates,
                                                     bool through_chain) const {
  // Only tokens from the slot on depend on its embedding: they run with gradients on top of
  // the slot prefix's cache, and their loss terms are the ones with a nonzero gradient.
  const Transformer& model = *recipe_.model;
  const SlotPrefix& slot = slot_prefix(prompt, position);
  const Chains chains = gradient_chains(prompt, through_chain);
  const at::Tensor candidate_embeds =
      model.weights()
          .embed_tokens.index_select(0, token_tensor(candidates, model.device()))
          .to(at::kDouble);
  const auto long_options = at::TensorOptions().dtype(at::kLong).device(model.device());
  const double prompt_length = static_cast<double>(prompt.size());
  std::vector<double> scores;
  for (size_t mb = 0; mb < batches_.size(); ++mb) {
    const std::vector<SequenceParts> parts = full_sequences(mb, prompt, chains[mb]);
    const PrefixCache& prefix = slot.caches[mb];
    std::vector<double> mb_scores(parts.size() * candidates.size());
    // Examples [first, first + count) of the micro-batch in one pass (fewer if memory runs out).
    auto run = [&](int64_t first, int64_t count) {
      std::vector<TokenIds> suffixes;
      for (int64_t b = first; b < first + count; ++b)
        suffixes.emplace_back(parts[b].ids.begin() + parts[b].prompt + position,
                              parts[b].ids.end());
      const PaddedBatch padded = right_padded(suffixes, model.device());
      const at::Tensor rows = at::arange(first, first + count, long_options);
      at::AutoGradMode grad_mode(true);
      KVCache cache = prefix.cache;
      cache.select_rows(rows);  // a copy; appends with gradients concatenate anyway
      const at::Tensor embeds = model.embed(padded.ids).detach().requires_grad_(true);
      ForwardInput input;
      input.embeds = embeds;
      input.positions = prefix.next_position.index_select(0, rows).unsqueeze(1) + padded.positions;
      // Right padding after real tokens needs no mask: causality hides it from them.
      input.attention_mask = at::cat(
          {prefix.mask.index_select(0, rows), at::ones({count, padded.ids.size(1)}, long_options)},
          1);
      const ComputeCounter before = compute_counter();
      const at::Tensor hidden = model.final_hidden(input, &cache);
      at::Tensor total = at::zeros({}, hidden.options().dtype(at::kFloat));
      for (int64_t b = 0; b < count; ++b) {
        const SequenceParts& p = parts[first + b];
        const int64_t offset = p.prompt + position;  // suffix row r is position offset + r
        // Token t is predicted by the row of t - 1.
        auto cross_entropy = [&](int64_t begin, int64_t end, double temperature, bool mean) {
          const at::Tensor rows = at::arange(begin - 1 - offset, end - 1 - offset, long_options);
          const at::Tensor logits =
              model.lm_head(hidden[b].index_select(0, rows)).to(at::kFloat) / temperature;
          const std::vector<int64_t> ids(p.ids.begin() + begin, p.ids.begin() + end);
          return at::cross_entropy_loss(logits, at::tensor(ids, at::kLong).to(model.device()), {},
                                        mean ? at::Reduction::Mean : at::Reduction::Sum);
        };
        total = total + cross_entropy(p.answer, p.end, recipe_.settings.answer_temperature, true);
        // Prompt tokens after the slot; the earlier ones do not depend on it.
        if (static_cast<int64_t>(p.header) > offset + 1)
          total = total + recipe_.settings.gradient_prompt_weight / prompt_length *
                              cross_entropy(offset + 1, p.header, 1.0, false);
      }
      count_activation_backward(compute_counter() - before);
      total.backward();
      const at::Tensor slot_grad = embeds.grad().select(1, 0).to(at::kDouble);  // [count, H]
      const at::Tensor s =
          at::matmul(slot_grad, candidate_embeds.t()).to(at::kCPU).contiguous();  // [count, C]
      std::copy(s.data_ptr<double>(), s.data_ptr<double>() + s.numel(),
                mb_scores.begin() + first * candidates.size());
    };
    in_batches_that_fit(0, parts.size(), run);
    scores.insert(scores.end(), mb_scores.begin(), mb_scores.end());
  }
  return scores;
}

std::vector<SelectionTerms> TrainShard::decode_and_score(const std::vector<TokenIds>& prompts,
                                                         int64_t position,
                                                         int64_t* tokens_generated) {
  std::vector<SelectionTerms> terms(prompts.size());
  if (prompts.empty()) return terms;
  for (const TokenIds& p : prompts)
    if (p.size() != prompts[0].size() ||
        !std::equal(p.begin(), p.begin() + position, prompts[0].begin()))
      throw std::logic_error("decode_and_score: prompts differ before the position");
  const SlotPrefix& slot = slot_prefix(prompts[0], position);
  const int64_t prompt_length = prompts[0].size();
  std::vector<Chains> chains(prompts.size(), Chains(batches_.size()));
  GenerationOptions options;
  options.max_new_tokens = recipe_.settings.max_new_tokens;
  options.stop_ids = recipe_.chain_stop_ids;
  for (size_t mb = 0; mb < batches_.size(); ++mb) {
    // Every prompt's continuation of every example, in one decode batch.
    std::vector<ScoredRequest> requests;
    for (const TokenIds& prompt : prompts) {
      for (size_t i = 0; i < batches_[mb].size(); ++i) {
        const SequenceParts parts = recipe_.full(batches_[mb][i], prompt, {});
        ScoredRequest r;
        r.prefix_row = i;
        r.own.assign(parts.ids.begin() + parts.prompt + position, parts.ids.begin() + parts.chain);
        r.target.assign(parts.ids.begin() + parts.extractor, parts.ids.begin() + parts.end);
        r.target_scored_from = parts.answer - parts.extractor;
        requests.push_back(std::move(r));
      }
    }
    std::vector<ScoredSequence> scored(requests.size());
    in_batches_that_fit(0, requests.size(), [&](int64_t first, int64_t count) {
      const std::vector<ScoredRequest> part(requests.begin() + first,
                                            requests.begin() + first + count);
      const std::vector<ScoredSequence> done =
          generate_and_score(*recipe_.model, slot.caches[mb], part, options,
                             prompt_length - position - 1, recipe_.settings.answer_temperature);
      std::copy(done.begin(), done.end(), scored.begin() + first);
    });
    // Each candidate's slot token under each example's prefix: [prompts, examples].
    TokenIds slot_tokens;
    for (const TokenIds& prompt : prompts) slot_tokens.push_back(prompt[position]);
    const at::Tensor slot_log_probs =
        slot.slot_log_probs[mb]
            .index_select(1, token_tensor(slot_tokens, recipe_.model->device()))
            .t()
            .to(at::kDouble)
            .to(at::kCPU);
    for (size_t k = 0; k < prompts.size(); ++k) {
      for (size_t i = 0; i < batches_[mb].size(); ++i) {
        const ScoredSequence& s = scored[k * batches_[mb].size() + i];
        *tokens_generated += s.chain.tokens.size() + (s.chain.stopped ? 1 : 0);
        chains[k][mb].push_back(s.chain.tokens);
        // Prompt NLL: the shared head, the slot's token, then the tokens after it.
        double nll = slot.head_nll[mb][i] - slot_log_probs[k][i].item<double>();
        for (double lp : s.own_log_probs) nll -= lp;
        double answer_ce = 0;
        for (double v : s.target_nll) answer_ce += v;
        terms[k].mistake.push_back(s.target_is_argmax ? 0.0 : 1.0);
        terms[k].answer_ce.push_back(s.target_nll.empty() ? 0.0 : answer_ce / s.target_nll.size());
        terms[k].prompt_nll.push_back(nll / prompt_length);
      }
    }
  }
  for (size_t k = 0; k < prompts.size(); ++k) chains_.emplace(prompts[k], std::move(chains[k]));
  return terms;
}

}  // namespace greater
