// Incremental decoding must change speed only: the KV cache, left padding and batching give
// the same tokens and logits as recomputing one sequence at a time. On the test device
// (test_device.h): the CPU, or CUDA under scripts/gpu_check.sh.
#include <gtest/gtest.h>

#include "greater/model/generation.h"
#include "greater/model/transformer.h"
#include "test_device.h"

using namespace greater;

namespace {

std::vector<TokenIds> some_prompts() {
  return {{5, 17, 33, 2, 9, 41, 7}, {12, 3}, {60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70}, {8}};
}

class Decoding : public ::testing::TestWithParam<std::string> {};

TEST_P(Decoding, KvCacheLogitsEqualFullRecomputation) {
  const Transformer model = Transformer::load(test::fixture_model(GetParam()), test::test_device(), at::kFloat);
  c10::InferenceMode inference;
  const at::Tensor ids =
      at::randint(0, model.config().vocab_size, {2, 14}, at::kLong).to(test::test_device());
  const at::Tensor full = model.forward_ids(ids);

  // A 5-token prefix in one call, then one token per call (longer than Gemma's window of 4).
  KVCache cache = model.make_cache(2, 3);  // small on purpose: the cache must grow
  std::vector<at::Tensor> pieces;
  for (int64_t start = 0; start < 14;) {
    const int64_t n = start == 0 ? 5 : 1;
    ForwardInput input;
    input.embeds = model.embed(ids.narrow(1, start, n));
    input.positions =
        at::arange(start, start + n, ids.options()).unsqueeze(0).expand({2, n});
    pieces.push_back(model.forward(input, &cache));
    start += n;
  }
  EXPECT_EQ(cache.length(), 14);
  EXPECT_LT((at::cat(pieces, 1) - full).abs().max().item<double>(), 1e-4);
}

TEST_P(Decoding, CachedGenerationEqualsRecomputedGeneration) {
  const Transformer model = Transformer::load(test::fixture_model(GetParam()), test::test_device(), at::kFloat);
  GenerationOptions options;
  options.max_new_tokens = 24;
  const auto cached = generate_greedy(model, some_prompts(), options);
  options.use_kv_cache = false;
  const auto recomputed = generate_greedy(model, some_prompts(), options);
  ASSERT_EQ(cached.size(), recomputed.size());
  for (size_t i = 0; i < cached.size(); ++i) {
    EXPECT_EQ(cached[i].tokens, recomputed[i].tokens) << "prompt " << i;
    EXPECT_EQ(cached[i].tokens.size(), 24u);
  }
}

TEST_P(Decoding, BatchedLeftPaddedGenerationEqualsOneAtATime) {
  const Transformer model = Transformer::load(test::fixture_model(GetParam()), test::test_device(), at::kFloat);
  GenerationOptions options;
  options.max_new_tokens = 20;
  // Stop ids taken from the unbatched runs so that sequences stop at different steps.
  const auto prompts = some_prompts();
  std::vector<GeneratedSequence> single;
  for (const auto& p : prompts) single.push_back(generate_greedy(model, {p}, options)[0]);
  options.stop_ids = {single[0].tokens[3], single[2].tokens[9]};
  single.clear();
  for (const auto& p : prompts) single.push_back(generate_greedy(model, {p}, options)[0]);
  const auto batched = generate_greedy(model, prompts, options);
  bool some_stopped = false, some_ran_out = false;
  for (size_t i = 0; i < prompts.size(); ++i) {
    EXPECT_EQ(batched[i].tokens, single[i].tokens) << "prompt " << i;
    EXPECT_EQ(batched[i].stopped, single[i].stopped) << "prompt " << i;
    some_stopped |= single[i].stopped;
    some_ran_out |= !single[i].stopped;
  }
  EXPECT_TRUE(some_stopped);
  EXPECT_TRUE(some_ran_out);
}

TEST_P(Decoding, ScoredContinuationsAreTheLogSoftmaxOfTheFullSequence) {
  const Transformer model = Transformer::load(test::fixture_model(GetParam()), test::test_device(), at::kFloat);
  const std::vector<TokenIds> prefixes = {{4, 8, 15, 16}, {23, 42}};
  const std::vector<TokenIds> continuations = {{1, 2, 3}, {7, 7, 7, 7, 9}};
  const auto scores = score_continuations(model, prefixes, continuations);
  for (size_t i = 0; i < prefixes.size(); ++i) {
    TokenIds all = prefixes[i];
    all.insert(all.end(), continuations[i].begin(), continuations[i].end());
    const at::Tensor ids = at::tensor(all, at::kLong).unsqueeze(0).to(test::test_device());
    at::Tensor log_probs;
    {
      c10::InferenceMode inference;
      log_probs = at::log_softmax(model.forward_ids(ids), -1)[0].cpu();
    }
    ASSERT_EQ(scores[i].size(), continuations[i].size());
    for (size_t j = 0; j < continuations[i].size(); ++j) {
      const int64_t t = prefixes[i].size() + j;
      EXPECT_NEAR(scores[i][j], log_probs[t - 1][continuations[i][j]].item<double>(), 1e-5);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(TinyModels, Decoding, ::testing::Values("llama_tiny", "gemma2_tiny"));

TEST(RandomModel, SaveThenLoadGivesTheSameLogits) {
  ModelConfig config = Transformer::load(test::fixture_model("llama_tiny"), at::kCPU, at::kFloat).config();
  const Transformer model = Transformer::random(config, 7, at::kCPU, at::kFloat);
  const std::string dir = ::testing::TempDir() + "/random_llama";
  ASSERT_EQ(system(("mkdir -p " + dir).c_str()), 0);
  model.save(dir);
  const Transformer loaded = Transformer::load(dir, at::kCPU, at::kFloat);
  c10::InferenceMode inference;
  const at::Tensor ids = at::tensor(std::vector<int64_t>{1, 2, 3, 4}, at::kLong).unsqueeze(0);
  EXPECT_TRUE(at::equal(model.forward_ids(ids), loaded.forward_ids(ids)));
  EXPECT_EQ(loaded.parameter_count(), model.parameter_count());
  // The same seed gives the same weights; another seed does not.
  EXPECT_TRUE(at::equal(Transformer::random(config, 7, at::kCPU, at::kFloat).weights().embed_tokens,
                        model.weights().embed_tokens));
  EXPECT_FALSE(
      at::equal(Transformer::random(config, 8, at::kCPU, at::kFloat).weights().embed_tokens,
                model.weights().embed_tokens));
}

}  // namespace
