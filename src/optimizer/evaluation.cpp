#include "greater/optimizer/evaluation.h"

#include <algorithm>

#include "greater/dist/messages.h"

namespace greater {

namespace {

// One example's outcome as it travels between ranks; its chain and prediction travel as id
// lists in the same order.
struct Outcome {
  int64_t index;
  bool parse_ok, token_ok;
};

}  // namespace

PromptEvaluation evaluate_prompt(const SequenceRecipe& recipe, const std::vector<Example>& split,
                                 const TokenIds& prompt, AnswerFormat format, Communicator& comm) {
  GenerationOptions answer_options;
  answer_options.max_new_tokens = recipe.settings.max_answer_tokens;
  answer_options.stop_ids = recipe.layout->stop_ids();

  std::vector<Outcome> outcomes;
  std::vector<TokenIds> chain_ids, prediction_ids;
  for (const auto& batch :
       my_micro_batches(split, recipe.settings.micro_batch, comm.rank(), comm.size())) {
    const auto chains = recipe.chains(batch, prompt);
    std::vector<TokenIds> answer_prefixes;
    std::vector<TokenIds> gold_ids;
    for (size_t i = 0; i < batch.size(); ++i) {
      const SequenceParts parts = recipe.full(batch[i], prompt, chains[i].tokens);
      answer_prefixes.emplace_back(parts.ids.begin(), parts.ids.begin() + parts.answer);
      gold_ids.emplace_back(parts.ids.begin() + parts.answer, parts.ids.end());
    }
    const auto answers = generate_greedy(*recipe.model, answer_prefixes, answer_options);
    for (size_t i = 0; i < batch.size(); ++i) {
      const TokenIds& predicted = answers[i].tokens;
      const bool token_ok = predicted.size() >= gold_ids[i].size() &&
                            std::equal(gold_ids[i].begin(), gold_ids[i].end(), predicted.begin());
      const bool parse_ok =
          answer_is_correct(format, recipe.text(predicted, true), batch[i].answer);
      outcomes.push_back({batch[i].index, parse_ok, token_ok});
      chain_ids.push_back(chains[i].tokens);
      prediction_ids.push_back(predicted);
    }
  }

  outcomes = all_gather_values(comm, outcomes);
  chain_ids = all_gather_lists(comm, chain_ids);
  prediction_ids = all_gather_lists(comm, prediction_ids);
  PromptEvaluation result;
  int64_t parse_ok = 0, token_ok = 0;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    EvaluatedChain chain;
    chain.example_index = outcomes[i].index;
    chain.correct = outcomes[i].parse_ok;
    parse_ok += outcomes[i].parse_ok;
    token_ok += outcomes[i].token_ok;
    chain.chain = recipe.text(chain_ids[i], true);
    chain.prediction = recipe.text(prediction_ids[i], true);
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
