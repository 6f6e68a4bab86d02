// Held-out accuracy of a demo model under one instruction, measured the way the optimizer
// reads answers: greedy reasoning from "<bos> question instruction" until the extractor word
// "answer" (or <eos>), then "answer" is appended and one greedy token is the predicted answer.
#pragma once

#include <string>
#include <vector>

#include "greater/demo/task_family.h"
#include "greater/demo/vocabulary.h"
#include "greater/model/transformer.h"

namespace greater::demo {

struct EvalResult {
  int total = 0;
  int correct = 0;
  int step_by_step = 0;  // responses that wrote any working before "answer"
  double accuracy() const { return total ? static_cast<double>(correct) / total : 0.0; }
  double step_by_step_rate() const {
    return total ? static_cast<double>(step_by_step) / total : 0.0;
  }
};

// `batch_size` questions are decoded together.
EvalResult evaluate_instruction(const Transformer& model, const Vocabulary& vocab,
                                const std::vector<Problem>& problems, const Words& instruction,
                                int batch_size = 250);

// One row of an accuracy table.
struct AccuracyRow {
  std::string family;
  std::string instruction;
  EvalResult result;
};

// Every family's problems under every instruction.
std::vector<AccuracyRow> accuracy_table(const Transformer& model, const Vocabulary& vocab,
                                        const std::vector<TaskFamily>& families,
                                        const std::vector<std::vector<Problem>>& problems,
                                        const std::vector<std::string>& instructions);

}  // namespace greater::demo
