// The examples a rank owns, as fixed micro-batches, and the sequences GReaTer builds from them:
// prefix = question ‖ prompt ‖ header (what chains are generated from) and
// full = prefix ‖ chain ‖ extractor ‖ answer (what losses are computed on).
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "greater/model/generation.h"
#include "greater/optimizer/settings.h"
#include "greater/task/task.h"
#include "greater/tokenizer/chat_layout.h"

namespace greater {

// What every stage needs to build sequences; shared by training and evaluation.
struct SequenceRecipe {
  const Transformer* model = nullptr;
  const Tokenizer* tokenizer = nullptr;
  const ChatLayout* layout = nullptr;
  std::string extractor;        // text appended after the chain
  std::string question_suffix;  // appended to every question (the reference's ". Use")
  TokenIds chain_stop_ids;
  OptimizerSettings settings;

  TokenIds prefix(const Example& e, const TokenIds& prompt) const;
  SequenceParts full(const Example& e, const TokenIds& prompt, const TokenIds& chain) const;
  // The text of ids.
  std::string text(const TokenIds& ids, bool skip_special = false) const;
  // Greedy chains for a micro-batch under one prompt.
  std::vector<GeneratedSequence> chains(const std::vector<Example>& batch,
                                        const TokenIds& prompt) const;
};

// The recipe of a job: chains stop at the layout's end-of-turn ids, the model's EOS ids and,
// with settings.chain_stops_at_extractor, the extractor's first token. Throws when the
// extractor encodes to nothing.
SequenceRecipe make_recipe(const Transformer& model, const Tokenizer& tokenizer,
                           const ChatLayout& layout, const std::string& extractor,
                           const std::string& question_suffix, const OptimizerSettings& settings);

// Per-example terms of the losses, from the final hidden states of one full sequence.
struct ExampleTerms {
  at::Tensor answer_ce;   // scalar: mean over answer tokens of CE(logits / τ, gold)
  at::Tensor prompt_nll;  // scalar: mean NLL of the prompt tokens given their prefix
  bool mistake = false;   // some answer token is not the argmax (teacher-forced)
};
// hidden: [T, hidden] final normed states of one (unpadded part of a) sequence.
ExampleTerms example_terms(const Transformer& model, const at::Tensor& hidden,
                           const SequenceParts& parts, double temperature);

// The micro-batches of examples that this rank owns.
std::vector<std::vector<Example>> my_micro_batches(const std::vector<Example>& split,
                                                   int64_t micro_batch, int rank, int world_size);

}  // namespace greater
