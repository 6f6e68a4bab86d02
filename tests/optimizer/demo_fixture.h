// The shipped demo model, its tokenizer and arithmetic task with the demo job's settings, on 8
// train examples: what the optimizer tests run on.
#pragma once

#include <memory>
#include <string>

#include "greater/model/transformer.h"
#include "greater/optimizer/train_shard.h"
#include "greater/task/task.h"
#include "greater/tokenizer/chat_layout.h"

namespace greater {

inline const std::string kDemo = std::string(GREATER_SOURCE_DIR) + "/models/demo-reasoner";

struct Demo {
  Transformer model = Transformer::load(kDemo, at::kCPU, at::kFloat);
  Tokenizer tokenizer = Tokenizer::from_file(kDemo + "/tokenizer.json");
  ChatLayout layout{tokenizer, ChatLayoutKind::Plain};
  TaskSplits splits;
  TokenIds prompt;

  Demo() {
    // The demo job's settings (jobs/demo/arithmetic.toml), on 8 train examples.
    auto rows = load_task(kDemo + "/tasks/arithmetic.jsonl", TaskFormat::Jsonl);
    splits.train.assign(rows.begin(), rows.begin() + 8);
    const auto ids = layout.encode_prompt("just answer the problem .");
    prompt.assign(ids.begin(), ids.end());
  }

  SequenceRecipe recipe(bool fast) const {
    SequenceRecipe r;
    r.model = &model;
    r.tokenizer = &tokenizer;
    r.layout = &layout;
    r.extractor = "answer";
    for (TokenId id : layout.stop_ids()) r.chain_stop_ids.push_back(id);
    r.chain_stop_ids.push_back(tokenizer.encode("answer").front());
    r.settings.max_new_tokens = 64;
    r.settings.topk = 8;
    r.settings.candidates_evaluated = 8;
    r.settings.filler = "now";
    r.settings.micro_batch = 3;  // micro-batches of 3, 3 and 2 examples
    r.settings.fast_iteration = fast;
    return r;
  }

  TrainShard shard(const SequenceRecipe& r) const {
    return TrainShard(r, my_micro_batches(splits.train, r.settings.micro_batch, 0, 1));
  }
};

inline const Demo& demo() {
  static const Demo d;
  return d;
}

}  // namespace greater
