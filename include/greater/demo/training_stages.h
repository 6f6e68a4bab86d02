// training.json of a demo model folder: the commands that made its weights, oldest first. A run
// started with --init continues from another folder's weights, so its record is that folder's
// stages followed by its own; the model card lists them all, which keeps a staged training
// reproducible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace greater::demo {

struct TrainingStage {
  std::string command;  // as run from the repository root
  int64_t tokens = 0;   // real tokens trained on in this stage
  double seconds = 0;
  int threads = 0;
};

// The stages recorded in <folder>/training.json; empty when the folder has none. A malformed
// file throws greater::Error naming it.
std::vector<TrainingStage> read_training_stages(const std::string& folder);
void write_training_stages(const std::string& folder, const std::vector<TrainingStage>& stages);

}  // namespace greater::demo
