// README.md of the demo model folder: what the model is for, how it was trained (the exact
// command), that its prompt sensitivity is built in by design, and its held-out accuracy.
#pragma once

#include <string>
#include <vector>

#include "greater/demo/evaluator.h"
#include "greater/demo/trainer.h"
#include "greater/demo/training_stages.h"

namespace greater::demo {

struct ModelCardFacts {
  std::string command;  // the training command line, as run from the repository root
  TrainOptions options;
  int64_t parameters = 0;
  int64_t tokens = 0;
  double seconds = 0;
  int threads = 0;
  double final_loss = 0;
  std::vector<AccuracyRow> accuracy;          // held-out, every family x report instruction
  std::vector<TrainingStage> earlier_stages;  // what made the --init weights, oldest first
};

std::string model_card(const ModelCardFacts& facts);

}  // namespace greater::demo
