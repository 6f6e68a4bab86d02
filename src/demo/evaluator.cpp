#include "greater/demo/evaluator.h"

#include <algorithm>

#include "greater/demo/training_data.h"
#include "greater/model/generation.h"

namespace greater::demo {

EvalResult evaluate_instruction(const Transformer& model, const Vocabulary& vocab,
                                const std::vector<Problem>& problems, const Words& instruction,
                                int batch_size) {
  const TokenId answer_id = checked_token_id(vocab.id("answer"));
  EvalResult result;
  for (size_t start = 0; start < problems.size(); start += batch_size) {
    const size_t end = std::min(problems.size(), start + batch_size);
    std::vector<TokenIds> prompts;
    for (size_t i = start; i < end; ++i) {
      const TokenSequence ids = prompt_ids(vocab, problems[i], instruction);
      prompts.emplace_back(ids.begin(), ids.end());
    }

    // Longest working: 7 tokens per arithmetic step; tracking has 6 per step plus 4 at the start.
    GenerationOptions reasoning;
    reasoning.max_new_tokens = 8 * kMaxSteps + 8;
    reasoning.stop_ids = {answer_id, checked_token_id(Vocabulary::kEos)};
    const auto chains = generate_greedy(model, prompts, reasoning);

    std::vector<TokenIds> extracted;
    for (size_t i = 0; i < prompts.size(); ++i) {
      TokenIds ids = prompts[i];
      ids.insert(ids.end(), chains[i].tokens.begin(), chains[i].tokens.end());
      ids.push_back(answer_id);
      extracted.push_back(std::move(ids));
    }
    GenerationOptions one_token;
    one_token.max_new_tokens = 1;
    const auto answers = generate_greedy(model, extracted, one_token);

    for (size_t i = 0; i < prompts.size(); ++i) {
      ++result.total;
      if (!chains[i].tokens.empty()) ++result.step_by_step;
      const TokenIds& a = answers[i].tokens;
      if (!a.empty() && vocab.word(a[0]) == problems[start + i].answer) ++result.correct;
    }
  }
  return result;
}

std::vector<AccuracyRow> accuracy_table(const Transformer& model, const Vocabulary& vocab,
                                        const std::vector<TaskFamily>& families,
                                        const std::vector<std::vector<Problem>>& problems,
                                        const std::vector<std::string>& instructions) {
  std::vector<AccuracyRow> rows;
  for (size_t f = 0; f < families.size(); ++f)
    for (const auto& instruction : instructions)
      rows.push_back({family_info(families[f]).name, instruction,
                      evaluate_instruction(model, vocab, problems[f], split_words(instruction))});
  return rows;
}

}  // namespace greater::demo
