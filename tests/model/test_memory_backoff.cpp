// A batch that does not fit in memory runs in smaller parts instead of failing, with the same
// results. The memory limit is real: the test lowers the process's address-space limit
// (RLIMIT_AS) so that the whole batch's attention scores cannot be allocated, while a quarter
// of the batch can.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>

#include "greater/model/generation.h"
#include "greater/model/model_config.h"
#include "greater/model/runtime.h"
#include "greater/model/scored_generation.h"
#include "greater/model/transformer.h"

using namespace greater;

namespace {

constexpr int64_t kBatch = 16, kLength = 1024, kHeads = 4;
// One attention-score tensor of the whole batch's prefill: [batch, heads, length, length] fp32.
constexpr int64_t kScoreBytes = kBatch * kHeads * kLength * kLength * 4;  // 256 MiB

Transformer small_model() {
  const ModelConfig config = parse_model_config(R"({
    "model_type": "llama", "vocab_size": 64, "hidden_size": 32, "intermediate_size": 64,
    "num_hidden_layers": 1, "num_attention_heads": 4, "num_key_value_heads": 4,
    "max_position_embeddings": 4096, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
    "tie_word_embeddings": true, "hidden_act": "silu"})",
                                                "memory back-off test");
  return Transformer::random(config, 7, at::kCPU, at::kFloat);
}

// Long prompts of slightly different lengths (so left padding is exercised).
std::vector<TokenIds> long_prompts() {
  std::vector<TokenIds> prompts;
  for (int64_t b = 0; b < kBatch; ++b) {
    TokenIds p;
    for (int64_t t = 0; t < kLength - b; ++t) p.push_back((b * 31 + t * 7 + t * t % 13) % 64);
    prompts.push_back(std::move(p));
  }
  return prompts;
}

int64_t address_space_bytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t pages = 0;
  statm >> pages;
  return pages * sysconf(_SC_PAGESIZE);
}

// Lowers the soft address-space limit to what the process maps now plus `headroom` bytes, and
// restores it when it goes out of scope.
class AddressSpaceLimit {
 public:
  explicit AddressSpaceLimit(int64_t headroom) {
    getrlimit(RLIMIT_AS, &saved_);
    rlimit lowered = saved_;
    lowered.rlim_cur = address_space_bytes() + headroom;
    if (setrlimit(RLIMIT_AS, &lowered) != 0) ADD_FAILURE() << "setrlimit(RLIMIT_AS) failed";
  }
  ~AddressSpaceLimit() { setrlimit(RLIMIT_AS, &saved_); }

 private:
  rlimit saved_{};
};

class MemoryBackoff : public ::testing::Test {
 protected:
  void SetUp() override { set_compute_threads(1); }  // no thread stacks mapped under the limit
  // The whole batch needs three score-sized tensors at once (scores, masked, softmax); a
  // quarter of it needs 192 MiB.
  static constexpr int64_t kHeadroom = kScoreBytes + kScoreBytes / 4;
};

bool allocation_fails(int64_t bytes) {
  try {
    at::empty({bytes}, at::kByte);
    return false;
  } catch (const c10::Error& e) {
    return is_out_of_memory(e);
  }
}

TEST_F(MemoryBackoff, TheLimitIsReal) {
  AddressSpaceLimit limit(kHeadroom);
  EXPECT_TRUE(allocation_fails(3 * kScoreBytes));
  EXPECT_FALSE(allocation_fails(kScoreBytes / 2));
}

TEST_F(MemoryBackoff, GenerationGivesTheSameTokens) {
  const Transformer model = small_model();
  GenerationOptions options;
  options.max_new_tokens = 4;
  const auto unlimited = generate_greedy(model, long_prompts(), options);
  std::vector<GeneratedSequence> limited;
  {
    AddressSpaceLimit limit(kHeadroom);
    limited = generate_greedy(model, long_prompts(), options);
  }
  ASSERT_EQ(limited.size(), unlimited.size());
  for (size_t i = 0; i < limited.size(); ++i) {
    EXPECT_EQ(limited[i].tokens, unlimited[i].tokens) << "prompt " << i;
    EXPECT_EQ(limited[i].tokens.size(), 4u);
  }
}

TEST_F(MemoryBackoff, ScoringGivesTheSameLogProbabilities) {
  const Transformer model = small_model();
  const std::vector<TokenIds> prefixes = long_prompts();
  const std::vector<TokenIds> continuations(kBatch, TokenIds{3, 1, 4, 1, 5});
  const auto unlimited = score_continuations(model, prefixes, continuations);
  std::vector<std::vector<double>> limited;
  {
    AddressSpaceLimit limit(kHeadroom);
    limited = score_continuations(model, prefixes, continuations);
  }
  ASSERT_EQ(limited.size(), unlimited.size());
  for (size_t i = 0; i < limited.size(); ++i) {
    ASSERT_EQ(limited[i].size(), 5u);
    for (size_t j = 0; j < 5; ++j) EXPECT_NEAR(limited[i][j], unlimited[i][j], 1e-5);
  }
}

TEST_F(MemoryBackoff, PrefilledPartsMakeTheSameCache) {
  const Transformer model = small_model();
  const std::vector<TokenIds> prefixes = long_prompts();
  const PrefixCache unlimited = prefill_prefixes(model, prefixes, 2, 8);
  std::optional<PrefixCache> limited;
  {
    AddressSpaceLimit limit(kHeadroom);
    limited.emplace(prefill_prefixes(model, prefixes, 2, 8));
  }
  EXPECT_LT((limited->last_hidden - unlimited.last_hidden).abs().max().item<double>(), 1e-5);
  EXPECT_TRUE(limited->next_position.equal(unlimited.next_position));
  // Decoding from either cache gives the same chains, so the parts' keys and values landed in
  // the right rows.
  std::vector<ScoredRequest> requests;
  for (int64_t b = 0; b < kBatch; ++b) {
    ScoredRequest r;
    r.prefix_row = b;
    r.own = {9};
    r.target = {2, 3};
    requests.push_back(r);
  }
  GenerationOptions options;
  options.max_new_tokens = 3;
  const auto from_parts = generate_and_score(model, *limited, requests, options, 0, 1.0);
  const auto from_whole = generate_and_score(model, unlimited, requests, options, 0, 1.0);
  for (int64_t b = 0; b < kBatch; ++b) {
    EXPECT_EQ(from_parts[b].chain.tokens, from_whole[b].chain.tokens) << "row " << b;
    ASSERT_EQ(from_parts[b].target_nll.size(), from_whole[b].target_nll.size());
    for (size_t j = 0; j < from_parts[b].target_nll.size(); ++j)
      EXPECT_NEAR(from_parts[b].target_nll[j], from_whole[b].target_nll[j], 1e-4);
  }
}

}  // namespace
