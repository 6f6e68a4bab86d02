// Training the demo model on the project's own transformer: gradients reach every weight, and
// a short seeded run lowers the loss.
#include <gtest/gtest.h>

#include <sstream>

#include "greater/demo/trainer.h"
#include "greater/demo/training_data.h"
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
  const Transformer model = Transformer::random(demo_model_config(o, vocab), 3, at::kCPU, at::kFloat);
  for (at::Tensor p : model.parameters()) p.requires_grad_(true);
  TrainingStream stream(vocab, all_families(), 3, {});
  std::vector<TokenIds> sequences;
  for (int i = 0; i < 8; ++i) sequences.push_back(stream.next().ids);
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
