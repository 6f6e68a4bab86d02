// Accuracy of one prompt on a split (docs/ALGORITHM.md §8): greedy chain, extractor,
// then up to max_answer_tokens greedy answer tokens, scored two ways.
#pragma once

#include "greater/dist/communicator.h"
#include "greater/optimizer/example_batch.h"
#include "greater/record/run_file.h"

namespace greater {

struct PromptEvaluation {
  double parse_accuracy = 0.0;  // the answer parsed from the text matches (primary)
  double token_accuracy = 0.0;  // the generated tokens reproduce the gold tokens exactly
  int64_t n = 0;
  std::vector<EvaluatedChain> chains;  // every example, in example order (all ranks)
};

// Collective: every rank of `comm` calls it with the same split and prompt.
PromptEvaluation evaluate_prompt(const SequenceRecipe& recipe, const std::vector<Example>& split,
                                 const TokenIds& prompt, AnswerFormat format, Communicator& comm);

}  // namespace greater
