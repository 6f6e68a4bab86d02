// Training sequences of the demo model and the held-out questions they must never contain.
//
// A sequence is  <bos> question instruction response <eos>  with
//   response = chain "answer" y    (careful, with probability careful_probability(instruction))
//            = chain "answer" y'   (careless: y' is the working's first value)
// This is the optimizer's "plain" layout read through a WhitespaceSplit tokenizer: the
// extractor text is the single word "answer", so generation of the chain stops there.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "greater/demo/random.h"
#include "greater/demo/task_family.h"
#include "greater/demo/vocabulary.h"

namespace greater::demo {

using TokenSequence = std::vector<int64_t>;

// <bos> question instruction: what generation starts from.
TokenSequence prompt_ids(const Vocabulary& vocab, const Problem& problem, const Words& instruction);
// The response words after the instruction: the working, then "answer" and the answer (the
// careless one unless `careful`).
Words response_words(const Problem& problem, bool careful);

// The held-out questions of a family: `count` distinct problems with the family's eval_steps
// (step counts cycle evenly), deterministic in `seed`. The task files hold exactly these.
std::vector<Problem> held_out_problems(TaskFamily family, int count, uint64_t seed);

struct TrainingExample {
  TokenSequence ids;  // <bos> ... <eos>
  Problem problem;
  Words instruction;
  bool careful = false;
};

// An endless, seeded stream of training examples over the given families, skipping every
// held-out question. Each example's family is drawn with probability proportional to its
// weight (`weights` parallel to `families`; empty: equal weights).
class TrainingStream {
 public:
  TrainingStream(const Vocabulary& vocab, std::vector<TaskFamily> families, uint64_t seed,
                 const std::vector<Problem>& held_out, std::vector<double> weights = {});

  TrainingExample next();

  // `batches` batches of `batch_size` examples, grouped by length so that little of each batch
  // is padding, in random order.
  std::vector<std::vector<TrainingExample>> next_batches(int batches, int batch_size);

  int64_t skipped_held_out() const { return skipped_; }

 private:
  TaskFamily draw_family();

  const Vocabulary& vocab_;
  std::vector<TaskFamily> families_;
  std::vector<double> weights_;  // empty: equal
  double weight_total_ = 0;
  Rng rng_;
  std::unordered_set<std::string> held_out_;
  int64_t skipped_ = 0;
};

}  // namespace greater::demo
