// SmolLM2-135M-Instruct from its GGUF file against Hugging Face transformers loading the same
// file (tests/model/reference/make_smollm2_reference.py, fixture tests/fixtures/smollm2):
// fp32 logits on a ChatML question, the one-hot input gradient at the prompt's first token,
// and greedy continuations of five questions. Needs scripts/get_smollm2.sh (label real_model).
#include <gtest/gtest.h>

#include <iomanip>
#include <memory>
#include <string>

#include "greater/common/file_util.h"
#include "greater/model/generation.h"
#include "greater/model/safetensors.h"
#include "greater/model/transformer.h"
#include "parity_support.h"

using namespace greater;
using test::reference_tensor;
using test::to_ids;

namespace {

const std::string kModel = std::string(GREATER_SOURCE_DIR) + "/models/smollm2-135m-instruct";
const std::string kReference =
    std::string(GREATER_SOURCE_DIR) + "/tests/fixtures/smollm2/reference.safetensors";

// One model for the whole binary: loading dequantizes 135 M weights.
const Transformer& model() {
  static const std::unique_ptr<Transformer> loaded = [] {
    if (!file_exists(kModel + "/SmolLM2-135M-Instruct.Q4_1.gguf"))
      throw std::runtime_error(kModel + " has no GGUF file: run scripts/get_smollm2.sh");
    return std::make_unique<Transformer>(Transformer::load(kModel, at::kCPU, at::kFloat));
  }();
  return *loaded;
}

TEST(SmolLM2, ConfigFromGgufMetadata) {
  const ModelConfig& c = model().config();
  EXPECT_EQ(c.num_layers, 30);
  EXPECT_EQ(c.hidden_size, 576);
  EXPECT_EQ(c.intermediate_size, 1536);
  EXPECT_EQ(c.num_heads, 9);
  EXPECT_EQ(c.num_kv_heads, 3);
  EXPECT_EQ(c.head_dim, 64);
  EXPECT_EQ(c.vocab_size, 49152);
  EXPECT_TRUE(c.tie_word_embeddings);
  EXPECT_DOUBLE_EQ(c.rope.theta, 100000.0);
  EXPECT_NEAR(c.rms_norm_eps, 1e-5, 1e-12);
  EXPECT_EQ(model().parameter_count(), 134515008);
}

TEST(SmolLM2, LogitsLossAndOneHotGradientMatchTransformers) {
  const auto reference = SafetensorsFile::open(kReference);
  const at::Tensor ids = reference_tensor(*reference, "input_ids");
  const at::Tensor logits = model().forward_ids(ids)[0];

  const at::Tensor argmax = reference_tensor(*reference, "argmax");
  EXPECT_TRUE(at::equal(logits.argmax(-1), argmax)) << "argmax differs at some position";
  const at::Tensor sample = reference_tensor(*reference, "vocab_sample");
  const double max_abs =
      (logits.index_select(1, sample) - reference_tensor(*reference, "logits_sample"))
          .abs()
          .max()
          .item<double>();
  EXPECT_LE(max_abs, 1e-3);
  std::cout << "max |logit difference| = " << max_abs << " over " << ids.size(1) << " positions x "
            << sample.numel() << " ids\n";

  const test::LossAndGradient lg = test::loss_and_onehot_gradient(model(), ids);
  EXPECT_NEAR(lg.loss, reference_tensor(*reference, "loss").item<double>(), 1e-4);
  const int64_t position = reference_tensor(*reference, "grad_position").item<int64_t>();
  const double cosine =
      test::cosine(lg.onehot_grad[position], reference_tensor(*reference, "onehot_grad"));
  EXPECT_GE(cosine, 0.999);
  std::cout << "one-hot gradient cosine at position " << position << " = " << std::setprecision(9)
            << cosine << "\n";
}

TEST(SmolLM2, GreedyGenerationMatchesTransformersOnFiveQuestions) {
  const auto reference = SafetensorsFile::open(kReference);
  std::vector<TokenIds> prompts, expected;
  for (int k = 0; k < 5; ++k) {
    prompts.push_back(to_ids(reference_tensor(*reference, "greedy_prefix_" + std::to_string(k))));
    expected.push_back(to_ids(reference_tensor(*reference, "greedy_" + std::to_string(k))));
  }
  GenerationOptions options;
  options.max_new_tokens = 64;
  options.stop_ids = {2};  // <|im_end|>, which transformers keeps as the last token
  const auto out = generate_greedy(model(), prompts, options);
  for (int k = 0; k < 5; ++k) {
    TokenIds got = out[k].tokens;
    if (out[k].stopped) got.push_back(2);
    EXPECT_EQ(got, expected[k]) << "question " << k;
  }
}

}  // namespace
