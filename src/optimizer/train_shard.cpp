#include "greater/optimizer/train_shard.h"

#include <stdexcept>

#include "greater/model/token_tensor.h"
#include "greater/optimizer/proposal.h"

namespace greater {

TrainShard::TrainShard(const SequenceRecipe& recipe,
                       std::vector<std::vector<Example>> micro_batches)
    : recipe_(recipe), batches_(std::move(micro_batches)) {
  for (const auto& b : batches_) size_ += b.size();
}

int64_t TrainShard::ensure_chains(const TokenIds& prompt, int64_t position) {
  if (chains_.count(prompt)) return 0;
  if (fast()) {
    int64_t generated = 0;
    decode_and_score({prompt}, position, &generated);
    return generated;
  }
  int64_t generated = 0;
  Chains chains;
  for (const auto& batch : batches_) {
    std::vector<TokenIds> batch_chains;
    for (auto& sequence : recipe_.chains(batch, prompt)) {
      generated += sequence.tokens.size() + (sequence.stopped ? 1 : 0);
      batch_chains.push_back(std::move(sequence.tokens));
    }
    chains.push_back(std::move(batch_chains));
  }
  chains_.emplace(prompt, std::move(chains));
  return generated;
}

std::vector<TokenIds> TrainShard::chains(const TokenIds& prompt) const {
  std::vector<TokenIds> out;
  for (const auto& batch : chains_of(prompt)) out.insert(out.end(), batch.begin(), batch.end());
  return out;
}

void TrainShard::keep_only(const TokenIds& prompt) {
  slot_.reset();  // the next iteration optimizes another position
  for (auto it = chains_.begin(); it != chains_.end();)
    it = it->first == prompt ? std::next(it) : chains_.erase(it);
}

std::vector<SequenceParts> TrainShard::full_sequences(size_t micro_batch, const TokenIds& prompt,
                                                      const std::vector<TokenIds>& chains) const {
  std::vector<SequenceParts> parts;
  for (size_t i = 0; i < batches_[micro_batch].size(); ++i)
    parts.push_back(recipe_.full(batches_[micro_batch][i], prompt, chains[i]));
  return parts;
}

PaddedBatch TrainShard::padded_batch(const std::vector<SequenceParts>& parts, at::Device device) {
  std::vector<TokenIds> sequences;
  for (const SequenceParts& p : parts) sequences.emplace_back(p.ids.begin(), p.ids.end());
  return right_padded(sequences, device);
}

const TrainShard::Chains& TrainShard::chains_of(const TokenIds& prompt) const {
  const auto it = chains_.find(prompt);
  if (it == chains_.end()) throw std::logic_error("chains requested before ensure_chains");
  return it->second;
}

std::vector<TokenIds> TrainShard::slot_top_lists(const TokenIds& prompt, int64_t position,
                                                 const std::vector<bool>& allowed,
                                                 int64_t previous_token, int64_t k_max) const {
  if (fast()) return slot_top_lists_fast(prompt, position, allowed, previous_token, k_max);
  c10::InferenceMode inference;
  const Transformer& model = *recipe_.model;
  std::vector<TokenIds> lists;
  for (const auto& batch : batches_) {
    // question ‖ prompt[:position]: the last row predicts the token at the slot.
    std::vector<TokenIds> prefixes;
    for (const Example& e : batch) {
      const SequenceParts parts = recipe_.full(e, prompt, {});
      prefixes.emplace_back(parts.ids.begin(), parts.ids.begin() + parts.prompt + position);
    }
    const PaddedBatch padded = right_padded(prefixes, model.device());
    ForwardInput input;
    input.embeds = model.embed(padded.ids);
    input.positions = padded.positions;
    const at::Tensor hidden = model.final_hidden(input);
    std::vector<at::Tensor> last_rows;
    for (size_t b = 0; b < prefixes.size(); ++b)
      last_rows.push_back(hidden[b][padded.lengths[b] - 1]);
    const at::Tensor log_probs =
        at::log_softmax(model.lm_head(at::stack(last_rows)).to(at::kFloat), -1);
    for (auto& list : top_token_lists(log_probs, allowed, previous_token, k_max))
      lists.push_back(std::move(list));
  }
  return lists;
}

TrainShard::Chains TrainShard::gradient_chains(const TokenIds& prompt, bool through_chain) const {
  if (through_chain) return chains_of(prompt);
  Chains empty;
  for (const auto& batch : batches_) empty.emplace_back(batch.size());
  return empty;
}

std::vector<double> TrainShard::gradient_scores(const TokenIds& prompt, int64_t position,
                                                const TokenIds& candidates,
                                                bool through_chain) const {
  if (fast()) return gradient_scores_fast(prompt, position, candidates, through_chain);
  const Transformer& model = *recipe_.model;
  const Chains chains = gradient_chains(prompt, through_chain);
  const at::Tensor candidate_ids = token_tensor(candidates, model.device());
  const at::Tensor candidate_embeds =
      model.weights().embed_tokens.index_select(0, candidate_ids).to(at::kDouble);  // [C, H]
  std::vector<double> scores;
  for (size_t mb = 0; mb < batches_.size(); ++mb) {
    const std::vector<SequenceParts> parts = full_sequences(mb, prompt, chains[mb]);
    const PaddedBatch padded = padded_batch(parts, model.device());
    // Examples do not interact in a batch, so the gradient of the sum at example b's slot is
    // example b's own gradient.
    const at::Tensor grad = input_embedding_gradient(model, padded, [&](const at::Tensor& hidden) {
      at::Tensor total = at::zeros({}, hidden.options().dtype(at::kFloat));
      for (size_t b = 0; b < parts.size(); ++b) {
        const ExampleTerms terms = example_terms(model, hidden[b].narrow(0, 0, padded.lengths[b]),
                                                 parts[b], recipe_.settings.answer_temperature);
        total =
            total + terms.answer_ce + recipe_.settings.gradient_prompt_weight * terms.prompt_nll;
      }
      return total;
    });
    for (size_t b = 0; b < parts.size(); ++b) {
      const at::Tensor g = grad[b][parts[b].prompt + position].to(at::kDouble);  // [H]
      const at::Tensor s = at::matmul(candidate_embeds, g).to(at::kCPU);         // [C]
      scores.insert(scores.end(), s.data_ptr<double>(), s.data_ptr<double>() + s.numel());
    }
  }
  return scores;
}

SelectionTerms TrainShard::selection_terms(const TokenIds& prompt, int64_t* tokens_generated) {
  *tokens_generated += ensure_chains(prompt);
  c10::InferenceMode inference;
  const Transformer& model = *recipe_.model;
  const Chains& chains = chains_of(prompt);
  SelectionTerms out;
  for (size_t mb = 0; mb < batches_.size(); ++mb) {
    const std::vector<SequenceParts> parts = full_sequences(mb, prompt, chains[mb]);
    const PaddedBatch padded = padded_batch(parts, model.device());
    ForwardInput input;
    input.embeds = model.embed(padded.ids);
    input.positions = padded.positions;
    const at::Tensor hidden = model.final_hidden(input);
    for (size_t b = 0; b < parts.size(); ++b) {
      const ExampleTerms terms = example_terms(model, hidden[b].narrow(0, 0, padded.lengths[b]),
                                               parts[b], recipe_.settings.answer_temperature);
      out.mistake.push_back(terms.mistake ? 1.0 : 0.0);
      out.answer_ce.push_back(terms.answer_ce.item<double>());
      out.prompt_nll.push_back(terms.prompt_nll.item<double>());
    }
  }
  return out;
}

std::vector<SelectionTerms> TrainShard::selection_terms(const std::vector<TokenIds>& prompts,
                                                        int64_t position,
                                                        int64_t* tokens_generated) {
  std::vector<SelectionTerms> terms;
  if (!fast()) {
    for (const TokenIds& p : prompts) terms.push_back(selection_terms(p, tokens_generated));
    return terms;
  }
  // Prompts whose chains are cached need no decoding: score them as they are.
  std::vector<TokenIds> to_decode;
  for (const TokenIds& p : prompts)
    if (!chains_.count(p)) to_decode.push_back(p);
  const std::vector<SelectionTerms> decoded =
      decode_and_score(to_decode, position, tokens_generated);
  size_t next = 0;
  for (const TokenIds& p : prompts) {
    const bool was_decoded = next < to_decode.size() && to_decode[next] == p;
    terms.push_back(was_decoded ? decoded[next++] : selection_terms(p, tokens_generated));
  }
  return terms;
}

}  // namespace greater
