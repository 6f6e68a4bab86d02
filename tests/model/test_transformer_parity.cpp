// The C++ transformer against an independent plain-PyTorch reference
// (tests/model/reference/make_fixtures.py), on tiny random checkpoints that switch on every
// feature and on the shipped, trained demo model (a real question and its worked answer).
// float32 on the test device (test_device.h): the CPU, or CUDA under scripts/gpu_check.sh.
#include <gtest/gtest.h>

#include <string>

#include "greater/model/generation.h"
#include "greater/model/safetensors.h"
#include "greater/model/transformer.h"
#include "parity_support.h"
#include "test_device.h"

using namespace greater;
using test::cosine;
using test::reference_tensor;

namespace {

// The model folder of a parity case and its reference file (the demo model's folder is the one
// the repository ships; its reference lives with the other fixtures).
struct ParityCase {
  std::string name, model_dir, reference;
};

ParityCase parity_case(const std::string& name) {
  if (name == "demo_reasoner")
    return {name, std::string(GREATER_SOURCE_DIR) + "/models/demo-reasoner",
            test::fixture_model(name) + "/reference.safetensors"};
  return {name, test::fixture_model(name), test::fixture_model(name) + "/reference.safetensors"};
}

class Parity : public ::testing::TestWithParam<std::string> {};

TEST_P(Parity, LogitsHiddenStatesLossAndOneHotGradientMatchReference) {
  const ParityCase c = parity_case(GetParam());
  const at::Device device = test::test_device();
  const Transformer model = Transformer::load(c.model_dir, device, at::kFloat);
  const auto ref = SafetensorsFile::open(c.reference);
  const at::Tensor ids = reference_tensor(*ref, "input_ids");

  std::vector<at::Tensor> hidden;
  ForwardInput input;
  input.embeds = model.embed(ids.to(device));
  input.positions = at::arange(ids.size(1), at::kLong).unsqueeze(0).to(device);
  const at::Tensor logits = model.forward(input, nullptr, &hidden).cpu();
  for (at::Tensor& h : hidden) h = h.cpu();
  const at::Tensor ref_logits = reference_tensor(*ref, "logits");
  EXPECT_LT((logits - ref_logits).abs().max().item<double>(), 1e-4);
  ASSERT_EQ(hidden.size(), static_cast<size_t>(model.config().num_layers + 1));
  for (size_t i = 0; i < hidden.size(); ++i) {
    const at::Tensor expected = reference_tensor(*ref, "hidden_" + std::to_string(i));
    EXPECT_LT((hidden[i] - expected).abs().max().item<double>(), 1e-4) << "hidden state " << i;
  }

  // Loss = next-token cross-entropy; its gradient w.r.t. a one-hot input is E · dL/de.
  const test::LossAndGradient lg = test::loss_and_onehot_gradient(model, ids);
  EXPECT_NEAR(lg.loss, reference_tensor(*ref, "loss").item<double>(), 1e-5);
  const at::Tensor onehot_grad =
      lg.onehot_grad.reshape(reference_tensor(*ref, "onehot_grad").sizes());
  const at::Tensor ref_grad = reference_tensor(*ref, "onehot_grad");
  EXPECT_GE(cosine(onehot_grad, ref_grad), 0.9999);
  EXPECT_LT((onehot_grad - ref_grad).abs().max().item<double>(), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Models, Parity,
                         ::testing::Values("llama_tiny", "gemma2_tiny", "demo_reasoner"));

}  // namespace
