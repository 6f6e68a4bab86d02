#include "greater/optimizer/evaluation.h"

#include <algorithm>

namespace greater {

namespace {

std::vector<TokenId> narrow(const TokenIds& ids) { return {ids.begin(), ids.end()}; }

// One example's outcome, flattened for all_gather:
// [index, parse_ok, token_ok, chain_len, chain..., prediction_len, prediction...].
void pack(std::vector<int64_t>& out, int64_t index, bool parse_ok, bool token_ok,
          const TokenIds& chain, const TokenIds& prediction) {
  out.insert(out.end(), {index, parse_ok, token_ok, static_cast<int64_t>(chain.size())});
  out.insert(out.end(), chain.begin(), chain.end());
  out.push_back(prediction.size());
  out.insert(out.end(), prediction.begin(), prediction.end());
}

}  // namespace

PromptEvaluation evaluate_prompt(const SequenceRecipe& recipe, const std::vector<Example>& split,
                                 const TokenIds& prompt, AnswerFormat format, Communicator& comm) {
  const Tokenizer& tokenizer = *recipe.tokenizer;
  GenerationOptions answer_options;
  answer_options.max_new_tokens = recipe.settings.max_answer_tokens;
  for (TokenId id : recipe.layout->stop_ids()) answer_options.stop_ids.push_back(id);

  std::vector<int64_t> packed;
  int64_t generated = 0;
  for (const auto& batch :
       my_micro_batches(split, recipe.settings.micro_batch, comm.rank(), comm.size())) {
    const auto chains = recipe.chains(batch, prompt);
    std::vector<TokenIds> answer_prefixes;
    std::vector<TokenIds> gold_ids;
    for (size_t i = 0; i < batch.size(); ++i) {
      const SequenceParts parts = recipe.full(batch[i], prompt, chains[i].tokens);
      answer_prefixes.emplace_back(parts.ids.begin(), parts.ids.begin() + parts.answer);
      gold_ids.emplace_back(parts.ids.begin() + parts.answer, parts.ids.end());
      generated += chains[i].tokens.size();
    }
    const auto answers = generate_greedy(*recipe.model, answer_prefixes, answer_options);
    for (size_t i = 0; i < batch.size(); ++i) {
      const TokenIds& predicted = answers[i].tokens;
      generated += predicted.size();
      const bool token_ok = predicted.size() >= gold_ids[i].size() &&
                            std::equal(gold_ids[i].begin(), gold_ids[i].end(), predicted.begin());
      const bool parse_ok =
          answer_is_correct(format, tokenizer.decode(narrow(predicted), true), batch[i].answer);
      pack(packed, batch[i].index, parse_ok, token_ok, chains[i].tokens, predicted);
    }
  }

  const std::vector<int64_t> all = comm.all_gather(packed);
  std::vector<double> count = {static_cast<double>(generated)};
  comm.all_reduce_sum(count);
  PromptEvaluation result;
  result.tokens_generated = static_cast<int64_t>(count[0]);
  int64_t parse_ok = 0, token_ok = 0;
  for (size_t at = 0; at < all.size();) {
    EvaluatedChain chain;
    chain.example_index = all[at];
    chain.correct = all[at + 1] != 0;
    parse_ok += all[at + 1];
    token_ok += all[at + 2];
    const int64_t chain_len = all[at + 3];
    const TokenIds chain_ids(all.begin() + at + 4, all.begin() + at + 4 + chain_len);
    at += 4 + chain_len;
    const int64_t prediction_len = all[at];
    const TokenIds prediction(all.begin() + at + 1, all.begin() + at + 1 + prediction_len);
    at += 1 + prediction_len;
    chain.chain = tokenizer.decode(narrow(chain_ids), true);
    chain.prediction = tokenizer.decode(narrow(prediction), true);
    result.chains.push_back(std::move(chain));
    ++result.n;
  }
  if (result.n > 0) {
    result.parse_accuracy = static_cast<double>(parse_ok) / result.n;
    result.token_accuracy = static_cast<double>(token_ok) / result.n;
  }
  return result;
}

}  // namespace greater
