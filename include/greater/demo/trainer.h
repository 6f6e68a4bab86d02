// Trains the demo model: the project's own Transformer (the inference code, so its backward
// path is exercised), next-token loss on every token of the training sequences, AdamW with
// linear warmup and cosine decay, seeded. Prints a progress line every `log_every` steps and
// held-out accuracy per instruction every `eval_every` steps.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "greater/demo/task_family.h"
#include "greater/demo/vocabulary.h"
#include "greater/model/model_config.h"
#include "greater/model/transformer.h"

namespace greater::demo {

struct TrainOptions {
  std::string init;   // model folder whose weights training continues from ("": random weights)
  uint64_t seed = 1;  // weights and the training stream
  int64_t steps = 4000;
  int batch = 64;
  double lr = 2e-3;  // peak; cosine decay to lr * min_lr_ratio
  double min_lr_ratio = 0.1;
  int64_t warmup = 200;
  double weight_decay = 0.1;  // matrices only; norms are not decayed
  double clip_norm = 1.0;

  int layers = 2;
  int hidden = 128;
  int head_dim = 32;  // heads = hidden / head_dim
  int ffn = 0;        // 0: 3 * hidden

  std::vector<TaskFamily> families = all_families();
  std::vector<double> family_weights;  // parallel to families; empty: equal shares
  int task_count = 500;    // held-out questions per family (the task files), never trained on
  uint64_t task_seed = 1;  // seed of those questions

  int64_t log_every = 100;
  int64_t eval_every = 1000;  // 0: no evaluation during training
  int eval_questions = 60;    // per family, the first ones of the held-out set
  int length_groups = 8;      // batches drawn at once and grouped by length (less padding)
};

struct TrainResult {
  Transformer model;
  double first_loss = 0;  // mean loss over the first steps (up to 20)
  double final_loss = 0;  // mean loss over the last steps (up to 20)
  int64_t tokens = 0;     // real (non-padding) tokens trained on
  double seconds = 0;
};

ModelConfig demo_model_config(const TrainOptions& options, const Vocabulary& vocab);

TrainResult train_demo_model(const TrainOptions& options, const Vocabulary& vocab,
                             std::ostream& log);

}  // namespace greater::demo
