// This rank's part of one GReaTer iteration: the train examples it owns, their reasoning
// chains per prompt, and the per-example numbers that the ranks then exchange. Every method
// returns values in example order, so concatenating ranks' results gives the global order.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "greater/model/scored_generation.h"
#include "greater/optimizer/example_batch.h"

namespace greater {

// Per-example selection terms, for one candidate prompt.
struct SelectionTerms {
  std::vector<double> mistake, answer_ce, prompt_nll;  // one entry per owned example
};

class TrainShard {
 public:
  TrainShard(const SequenceRecipe& recipe, std::vector<std::vector<Example>> micro_batches);

  int64_t size() const { return size_; }

  // Generates the chains of `prompt` unless they are cached (the chosen candidate's chains
  // carry over to the next iteration). Returns the number of tokens generated. The fast path
  // starts them from the shared prefix of `position`.
  int64_t ensure_chains(const TokenIds& prompt, int64_t position = 0);
  // The cached chains of `prompt`, in example order (after ensure_chains).
  std::vector<TokenIds> chains(const TokenIds& prompt) const;
  // Drops every cached prompt but `prompt`.
  void keep_only(const TokenIds& prompt);

  // Each owned example's best `k_max` allowed next tokens for slot `position` of `prompt`
  // (depends only on question ‖ prompt[:position]).
  std::vector<TokenIds> slot_top_lists(const TokenIds& prompt, int64_t position,
                                       const std::vector<bool>& allowed, int64_t previous_token,
                                       int64_t k_max) const;

  // ⟨E[c], ∂L_i/∂e_pos⟩ for each owned example i and candidate c, row-major [examples, |C|],
  // with L_i = CE_τ(answer) + w · prompt NLL on the cached chains of `prompt`; with
  // `through_chain` false, on question ‖ prompt ‖ header ‖ extractor ‖ answer (the chain
  // removed: the paper's ablation of reasoning).
  std::vector<double> gradient_scores(const TokenIds& prompt, int64_t position,
                                      const TokenIds& candidates, bool through_chain = true) const;

  // Chains for `prompt` (cached for reuse), then teacher-forced terms per example.
  SelectionTerms selection_terms(const TokenIds& prompt, int64_t* tokens_generated);

  // The same for several prompts that differ only from `position` on: with the fast path,
  // every chain of a micro-batch is decoded in one batch on the shared prefix and scored by
  // extending its cache; otherwise one prompt after another.
  std::vector<SelectionTerms> selection_terms(const std::vector<TokenIds>& prompts,
                                              int64_t position, int64_t* tokens_generated);

 private:
  using Chains = std::vector<std::vector<TokenIds>>;  // per micro-batch, per example
  const Chains& chains_of(const TokenIds& prompt) const;
  // question ‖ prompt ‖ header ‖ chain ‖ extractor ‖ answer for each example of a micro-batch.
  std::vector<SequenceParts> full_sequences(size_t micro_batch, const TokenIds& prompt,
                                            const std::vector<TokenIds>& chains) const;
  static PaddedBatch padded_batch(const std::vector<SequenceParts>& parts, at::Device device);

  // The fast path (docs/FAST_ITERATION.md), in train_shard_fast.cpp.
  // question ‖ prompt[:position] of every owned example, run once per iteration.
  struct SlotPrefix {
    TokenIds head;  // prompt[:position]
    int64_t position = -1;
    std::vector<PrefixCache> caches;            // per micro-batch
    std::vector<at::Tensor> slot_log_probs;     // per micro-batch: [examples, vocab] float32
    std::vector<std::vector<double>> head_nll;  // per micro-batch, example: Σ NLL of the head
  };
  const SlotPrefix& slot_prefix(const TokenIds& prompt, int64_t position) const;
  std::vector<TokenIds> slot_top_lists_fast(const TokenIds& prompt, int64_t position,
                                            const std::vector<bool>& allowed,
                                            int64_t previous_token, int64_t k_max) const;
  std::vector<double> gradient_scores_fast(const TokenIds& prompt, int64_t position,
                                           const TokenIds& candidates, bool through_chain) const;
  // The chains the gradient runs through: the cached ones of `prompt`, or empty ones.
  Chains gradient_chains(const TokenIds& prompt, bool through_chain) const;
  std::vector<SelectionTerms> decode_and_score(const std::vector<TokenIds>& prompts,
                                               int64_t position, int64_t* tokens_generated);
  bool fast() const { return recipe_.settings.fast_iteration; }

  SequenceRecipe recipe_;
  std::vector<std::vector<Example>> batches_;
  int64_t size_ = 0;
  std::map<TokenIds, Chains> chains_;
  mutable std::unique_ptr<SlotPrefix> slot_;
};

}  // namespace greater
