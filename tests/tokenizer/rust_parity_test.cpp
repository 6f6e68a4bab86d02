// The four real vocabularies (Llama-3, Llama-2 layout, Qwen3, Gemma-3) against ids and decoded
// text from Hugging Face's Rust `tokenizers` 0.23.2, the library behind every HF fast tokenizer
// (tests/tokenizer/make_rust_references.py wrote tests/fixtures/tokenizer/*_rust_*.jsonl).
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "greater/tokenizer/tokenizer.h"
#include "test_support.h"

namespace greater {
namespace {

using Ids = std::vector<TokenId>;

std::vector<nlohmann::json> read_rows(const std::string& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  }
  return rows;
}

class RustParity : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string error;
    tokenizer_ = test::shared_tokenizer(test::tokenizer_path(GetParam()), &error);
    if (!tokenizer_) GTEST_FAIL() << error;
  }
  std::string fixture(const std::string& kind) const {
    return test::fixture_path(GetParam() + "_rust_" + kind + ".jsonl");
  }
  const Tokenizer* tokenizer_ = nullptr;
};

// Every string: ids without and with the post_processor's tokens, and decode of the latter with
// and without skip_special_tokens. Mismatches are listed (at most 20) and counted.
TEST_P(RustParity, EncodeAndDecodeMatchTheRustLibrary) {
  const auto rows = read_rows(fixture("reference"));
  ASSERT_GE(rows.size(), 500u) << fixture("reference");
  size_t mismatches = 0;
  for (const auto& row : rows) {
    const std::string text = row.at("text").get<std::string>();
    const Ids ids = row.at("ids").get<Ids>();
    const Ids ids_special = row.at("ids_special").get<Ids>();
    const Ids got = tokenizer_->encode(text, false);
    const Ids got_special = tokenizer_->encode(text, true);
    const std::string decoded = tokenizer_->decode(ids_special, false);
    const std::string decoded_skip = tokenizer_->decode(ids_special, true);
    const bool same = got == ids && got_special == ids_special &&
                      decoded == row.at("decoded").get<std::string>() &&
                      decoded_skip == row.at("decoded_skip_special").get<std::string>();
    if (same) continue;
    if (++mismatches > 20) continue;
    EXPECT_EQ(got, ids) << "text " << test::quoted(text);
    EXPECT_EQ(got_special, ids_special) << "text " << test::quoted(text);
    EXPECT_EQ(decoded, row.at("decoded").get<std::string>()) << "text " << test::quoted(text);
    EXPECT_EQ(decoded_skip, row.at("decoded_skip_special").get<std::string>())
        << "text " << test::quoted(text);
  }
  EXPECT_EQ(mismatches, 0u) << "of " << rows.size() << " strings";
}

// decode of single ids: byte-fallback pieces, SentencePiece "▁", byte-level bytes, added tokens.
TEST_P(RustParity, SingleTokenDecodeMatchesTheRustLibrary) {
  const auto rows = read_rows(fixture("token_samples"));
  ASSERT_GE(rows.size(), 1000u) << fixture("token_samples");
  size_t mismatches = 0;
  for (const auto& row : rows) {
    const TokenId id = row.at("id").get<TokenId>();
    const std::string got = tokenizer_->decode({id});
    if (got == row.at("text").get<std::string>()) continue;
    if (++mismatches <= 20) {
      EXPECT_EQ(got, row.at("text").get<std::string>()) << "id " << id;
    }
  }
  EXPECT_EQ(mismatches, 0u) << "of " << rows.size() << " ids";
}

INSTANTIATE_TEST_SUITE_P(RealVocabularies, RustParity,
                         ::testing::Values("llama3", "llama2", "qwen3", "gemma3"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace greater
