// LibTorch's fused attention must give what the written-out attention gives: logits with left
// padding, cached decoding and the gradient with respect to the input embeddings. It exists in
// LibTorch >= 2.5 builds only (scripts/build_libtorch2.sh); elsewhere these tests say so and skip.
#include <gtest/gtest.h>

#include "greater/model/generation.h"
#include "greater/model/transformer.h"
#include "test_device.h"

using namespace greater;

namespace {

// Left-padded prompts of different lengths, as generation lays them out.
std::vector<TokenIds> prompts() {
  return {{5, 17, 33, 2, 9, 41, 7}, {12, 3}, {60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70}, {8}};
}

class FusedAttention : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Transformer::fused_attention_available())
      GTEST_SKIP() << "this build's LibTorch has no scaled_dot_product_attention with enable_gqa";
  }
  Transformer model_ = Transformer::load(test::fixture_model("llama_tiny"), test::test_device(), at::kFloat);
};

at::Tensor padded_logits(const Transformer& model) {
  c10::InferenceMode inference;
  const LeftPadded batch = left_padded(prompts(), 0, model.device());
  ForwardInput input;
  input.embeds = model.embed(batch.ids);
  input.positions = batch.positions;
  input.attention_mask = batch.mask;
  // Real positions only: padding rows differ by design (no real row reads them).
  return model.forward(input).masked_select(batch.mask.to(at::kBool).unsqueeze(-1));
}

TEST(FusedAttentionBuild, UnavailableBuildsRefuseToTurnItOn) {
  Transformer model = Transformer::load(test::fixture_model("llama_tiny"), at::kCPU, at::kFloat);
  EXPECT_FALSE(model.fused_attention());  // never on by default on the CPU
  if (Transformer::fused_attention_available()) {
    model.set_fused_attention(true);
    EXPECT_TRUE(model.fused_attention());
  } else {
    EXPECT_THROW(model.set_fused_attention(true), std::exception);
  }
}

TEST_F(FusedAttention, LeftPaddedLogitsMatchTheWrittenOutAttention) {
  const at::Tensor written = padded_logits(model_);
  model_.set_fused_attention(true);
  const at::Tensor fused = padded_logits(model_);
  ASSERT_EQ(fused.sizes(), written.sizes());
  EXPECT_FALSE(fused.isnan().any().item<bool>());
  EXPECT_LT((fused - written).abs().max().item<double>(), 1e-4);
}

TEST_F(FusedAttention, CachedGenerationGivesTheSameTokens) {
  GenerationOptions options;
  options.max_new_tokens = 16;
  const auto written = generate_greedy(model_, prompts(), options);
  model_.set_fused_attention(true);
  const auto fused = generate_greedy(model_, prompts(), options);
  for (size_t i = 0; i < written.size(); ++i)
    EXPECT_EQ(fused[i].tokens, written[i].tokens) << "prompt " << i;
}

TEST_F(FusedAttention, EmbeddingGradientMatchesTheWrittenOutAttention) {
  const PaddedBatch batch = right_padded(prompts(), model_.device());
  auto gradient = [&] {
    return input_embedding_gradient(model_, batch, [](const at::Tensor& hidden) {
      return hidden.pow(2).sum();
    });
  };
  const at::Tensor written = gradient();
  model_.set_fused_attention(true);
  const at::Tensor fused = gradient();
  // Relative to the gradient's size (above 10 here): float32 sums in another order.
  const double scale = written.abs().max().item<double>();
  EXPECT_GT(scale, 0.0);
  EXPECT_LT((fused - written).abs().max().item<double>() / scale, 1e-5) << "scale " << scale;
}

}  // namespace
