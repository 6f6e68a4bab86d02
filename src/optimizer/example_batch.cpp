#include "greater/optimizer/example_batch.h"

#include "greater/dist/communicator.h"
#include "greater/model/token_tensor.h"

namespace greater {

TokenIds SequenceRecipe::prefix(const Example& e, const TokenIds& prompt) const {
  return layout->build_prefix(e.question + question_suffix, prompt).ids;
}

std::string SequenceRecipe::text(const TokenIds& ids, bool skip_special) const {
  return tokenizer->decode(ids, skip_special);
}

SequenceParts SequenceRecipe::full(const Example& e, const TokenIds& prompt,
                                   const TokenIds& chain) const {
  return layout->build_full(e.question + question_suffix, prompt, chain, extractor, e.answer);
}

std::vector<GeneratedSequence> SequenceRecipe::chains(const std::vector<Example>& batch,
                                                      const TokenIds& prompt) const {
  std::vector<TokenIds> prefixes;
  for (const Example& e : batch) prefixes.push_back(prefix(e, prompt));
  GenerationOptions options;
  options.max_new_tokens = settings.max_new_tokens;
  options.stop_ids = chain_stop_ids;
  return generate_greedy(*model, prefixes, options);
}

ExampleTerms example_terms(const Transformer& model, const at::Tensor& hidden,
                           const SequenceParts& parts, double temperature) {
  const auto long_opts = at::TensorOptions().dtype(at::kLong).device(hidden.device());
  auto targets_and_logits = [&](size_t begin, size_t end) {
    // Token t is predicted by the row at t - 1.
    const at::Tensor rows =
        at::arange(static_cast<int64_t>(begin) - 1, static_cast<int64_t>(end) - 1, long_opts);
    const at::Tensor targets =
        token_tensor(TokenIds(parts.ids.begin() + begin, parts.ids.begin() + end), hidden.device());
    return std::make_pair(targets, model.lm_head(hidden.index_select(0, rows)).to(at::kFloat));
  };
  ExampleTerms terms;
  const auto [answer_ids, answer_logits] = targets_and_logits(parts.answer, parts.end);
  terms.answer_ce = at::cross_entropy_loss(answer_logits / temperature, answer_ids);
  terms.mistake = answer_logits.argmax(-1).ne(answer_ids).any().item<bool>();
  const auto [prompt_ids, prompt_logits] = targets_and_logits(parts.prompt, parts.header);
  terms.prompt_nll = at::cross_entropy_loss(prompt_logits, prompt_ids);
  return terms;
}

std::vector<std::vector<Example>> my_micro_batches(const std::vector<Example>& split,
                                                   int64_t micro_batch, int rank, int world_size) {
  std::vector<std::vector<Example>> batches;
  for (const MicroBatch& mb : micro_batches_of_rank(split.size(), micro_batch, rank, world_size))
    batches.emplace_back(split.begin() + mb.first, split.begin() + mb.first + mb.count);
  return batches;
}

}  // namespace greater
