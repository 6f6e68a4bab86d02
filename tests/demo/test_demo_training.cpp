// Training the demo model on the project's own transformer: gradients reach every weight, and
// a short seeded run lowers the loss.
#include <gtest/gtest.h>

#include <sstream>

#include "greater/common/error.h"
#include "greater/common/file_util.h"
#include "greater/demo/trainer.h"
#include "greater/demo/training_data.h"
#include "greater/demo/training_stages.h"
#include "greater/model/generation.h"

using namespace greater;
using namespace greater::demo;

namespace {

TrainOptions tiny_options() {
  TrainOptions o;
  o.steps = 60;
  o.batch = 16;
  o.layers = 1;
  o.hidden = 64;
  o.warmup = 10;
  o.eval_every = 0;
  o.task_count = 20;
  o.log_every = 20;
  return o;
}

}  // namespace

TEST(DemoTraining, EveryWeightGetsAFiniteNonZeroGradient) {
  const Vocabulary& vocab = Vocabulary::demo();
  TrainOptions o = tiny_options();
  o.layers = 2;
  const Transformer model =
      Transformer::random(demo_model_config(o, vocab), 3, at::kCPU, at::kFloat);
  for (at::Tensor p : model.parameters()) p.requires_grad_(true);
  TrainingStream stream(vocab, all_families(), 3, {});
  std::vector<TokenIds> sequences;
  for (int i = 0; i < 8; ++i) {
    const TokenSequence ids = stream.next().ids;
    sequences.emplace_back(ids.begin(), ids.end());
  }
  const PaddedBatch batch = right_padded(sequences, at::kCPU);
  const at::Tensor logits = model.forward_ids(batch.ids);
  at::cross_entropy_loss(logits.narrow(1, 0, logits.size(1) - 1).reshape({-1, vocab.size()}),
                         batch.ids.narrow(1, 1, batch.ids.size(1) - 1).reshape({-1}))
      .backward();
  int index = 0;
  for (const at::Tensor& p : model.parameters()) {
    ASSERT_TRUE(p.grad().defined()) << "parameter " << index;
    EXPECT_TRUE(p.grad().isfinite().all().item<bool>()) << "parameter " << index;
    EXPECT_GT(p.grad().abs().sum().item<double>(), 0.0) << "parameter " << index;
    ++index;
  }
}

TEST(DemoTraining, SmokeRunLowersTheLossAndIsSeeded) {
  std::ostringstream log1, log2;
  const TrainResult a = train_demo_model(tiny_options(), Vocabulary::demo(), log1);
  EXPECT_LT(a.final_loss, a.first_loss - 1.0) << log1.str();
  EXPECT_GT(a.tokens, 0);
  EXPECT_NE(log1.str().find("step 60/60"), std::string::npos) << log1.str();

  const TrainResult b = train_demo_model(tiny_options(), Vocabulary::demo(), log2);
  EXPECT_NEAR(a.final_loss, b.final_loss, 1e-4);
}

TEST(DemoTraining, InitContinuesFromSavedWeights) {
  std::ostringstream log;
  const TrainResult first = train_demo_model(tiny_options(), Vocabulary::demo(), log);
  const std::string folder = join_path(::testing::TempDir(), "greater_demo_init");
  make_directories(folder);
  first.model.save(folder);

  TrainOptions more = tiny_options();
  more.init = folder;
  more.seed = 7;
  more.steps = 20;
  more.log_every = 10;
  const TrainResult second = train_demo_model(more, Vocabulary::demo(), log);
  // A fresh model starts near ln(vocab) ~ 4.6; a continued one starts where the first ended.
  EXPECT_LT(second.first_loss, first.final_loss + 0.3) << log.str();
  EXPECT_LT(second.first_loss, first.first_loss - 1.0) << log.str();
  EXPECT_NE(log.str().find("weights from " + folder), std::string::npos);

  more.hidden = 128;  // another shape than the saved model
  try {
    train_demo_model(more, Vocabulary::demo(), log);
    FAIL() << "a model of another shape was accepted";
  } catch (const greater::Error& e) {
    EXPECT_NE(std::string(e.what()).find("hidden_size is 64"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("config.json"), std::string::npos) << e.what();
  }
}

TEST(DemoTraining, StageRecordRoundTripsAndRejectsAMalformedFile) {
  const std::string folder = join_path(::testing::TempDir(), "greater_demo_stages");
  make_directories(folder);
  write_file_atomic(join_path(folder, "training.json"), "{}");
  EXPECT_THROW(read_training_stages(folder), greater::Error);

  const std::vector<TrainingStage> stages{{"greater_train_demo --out a", 100, 1.5, 2},
                                          {"greater_train_demo --init a --out b", 50, 0.5, 1}};
  write_training_stages(folder, stages);
  const auto back = read_training_stages(folder);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].command, stages[1].command);
  EXPECT_EQ(back[0].tokens, 100);
  EXPECT_DOUBLE_EQ(back[1].seconds, 0.5);
  EXPECT_EQ(back[0].threads, 2);
  EXPECT_TRUE(read_training_stages(join_path(folder, "missing")).empty());
}
