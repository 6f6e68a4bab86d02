// The tokenizer built from SmolLM2's GGUF metadata and the chatml layout, against Hugging Face
// transformers' GGUF-built tokenizer and apply_chat_template (tests/fixtures/smollm2, made by
// tests/model/reference/make_smollm2_reference.py). Needs scripts/get_smollm2.sh (real_model).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "greater/common/file_util.h"
#include "greater/model/gguf_model.h"
#include "greater/model/model_tokenizer.h"
#include "greater/tokenizer/chat_layout.h"

using namespace greater;

namespace {

const std::string kModel = std::string(GREATER_SOURCE_DIR) + "/models/smollm2-135m-instruct";
const std::string kFixtures = std::string(GREATER_SOURCE_DIR) + "/tests/fixtures/smollm2/";

const Tokenizer& tokenizer() {
  static const Tokenizer loaded = [] {
    if (!file_exists(kModel + "/SmolLM2-135M-Instruct.Q4_1.gguf"))
      throw std::runtime_error(kModel + " has no GGUF file: run scripts/get_smollm2.sh");
    return load_tokenizer(kModel);
  }();
  return loaded;
}

std::vector<nlohmann::json> read_jsonl(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << path;
  std::vector<nlohmann::json> rows;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  return rows;
}

TEST(SmolLM2Tokenizer, SpecialTokensFromMetadata) {
  EXPECT_EQ(tokenizer().vocab_size(), 49152);
  EXPECT_EQ(tokenizer().token_to_id("<|endoftext|>"), 0);
  EXPECT_EQ(tokenizer().token_to_id("<|im_start|>"), 1);
  EXPECT_EQ(tokenizer().token_to_id("<|im_end|>"), 2);
  EXPECT_TRUE(tokenizer().is_special(2));
  EXPECT_FALSE(tokenizer().is_special(3000));
  EXPECT_TRUE(tokenizer().prefix_special_ids().empty());  // add_bos_token is false
  EXPECT_EQ(tokenizer().encode("<|im_start|>user\n"), (std::vector<TokenId>{1, 4093, 198}));
}

// "ids_pre" is transformers' GGUF tokenizer with the split tokenizer.ggml.pre names (every
// digit on its own first, as llama.cpp and SmolLM2's own tokenizer.json do); "ids" is
// transformers' GGUF tokenizer as it comes, which ignores tokenizer.ggml.pre. They differ only
// on 52 of the 812 strings, all with digits (or "½"); we follow the metadata.
TEST(SmolLM2Tokenizer, IdsEqualTransformersOnEveryReferenceString) {
  const auto rows = read_jsonl(kFixtures + "tokenizer_reference.jsonl");
  ASSERT_GE(rows.size(), 500u);
  size_t mismatches = 0, round_trips = 0, same_as_plain_transformers = 0, plain_agrees = 0;
  for (const auto& row : rows) {
    const std::string text = row["text"].get<std::string>();
    const std::vector<TokenId> expected = row["ids_pre"].get<std::vector<TokenId>>();
    const std::vector<TokenId> plain = row["ids"].get<std::vector<TokenId>>();
    const std::vector<TokenId> got = tokenizer().encode(text);
    if (got != expected && ++mismatches <= 5) ADD_FAILURE() << "ids differ for " << row.dump();
    if (plain == expected) {
      ++plain_agrees;
      if (got == plain) ++same_as_plain_transformers;
    } else {
      // Where transformers' own GGUF tokenizer differs, the string has a \p{N} character: an
      // ASCII digit, or a non-ASCII one such as "½".
      const bool has_number =
          text.find_first_of("0123456789") != std::string::npos ||
          std::any_of(text.begin(), text.end(), [](char c) { return c & 0x80; });
      EXPECT_TRUE(has_number) << row.dump();
    }
    if (tokenizer().decode(got) == text) ++round_trips;
  }
  EXPECT_EQ(mismatches, 0u) << "of " << rows.size();
  EXPECT_EQ(same_as_plain_transformers, plain_agrees);
  EXPECT_GE(plain_agrees, 700u);
  // Byte-level BPE decodes back to the input (every string is valid UTF-8).
  EXPECT_EQ(round_trips, rows.size());
}

TEST(SmolLM2ChatML, DefaultSystemTurnFromTheTemplate) {
  const std::string chat_template = read_chat_template(kModel);
  ASSERT_FALSE(chat_template.empty());
  EXPECT_EQ(chatml_default_system(chat_template),
            "You are a helpful AI assistant named SmolLM, trained by Hugging Face");
}

TEST(SmolLM2ChatML, PrefixEqualsApplyChatTemplateWithPartsRecorded) {
  const ChatLayout layout(tokenizer(), ChatLayoutKind::ChatML, read_chat_template(kModel));
  const auto rows = read_jsonl(kFixtures + "chat_reference.jsonl");
  ASSERT_GE(rows.size(), 10u);
  for (const auto& row : rows) {
    const std::string question = row["question"].get<std::string>();
    const std::string prompt = row["prompt"].get<std::string>();
    const std::vector<TokenId> prompt_ids =
        prompt.empty() ? std::vector<TokenId>{} : layout.encode_prompt(prompt);
    const SequenceParts s = layout.build_prefix(question, prompt_ids);
    EXPECT_EQ(s.ids, row["ids"].get<std::vector<TokenId>>()) << row.dump();
    // Every part starts where its own ids are.
    EXPECT_EQ(std::vector<TokenId>(s.ids.begin() + s.question, s.ids.begin() + s.prompt),
              tokenizer().encode(question));
    EXPECT_EQ(std::vector<TokenId>(s.ids.begin() + s.prompt, s.ids.begin() + s.header), prompt_ids);
    EXPECT_EQ(std::vector<TokenId>(s.ids.begin() + s.header, s.ids.end()),
              tokenizer().encode("<|im_end|>\n<|im_start|>assistant\n"));
  }
  EXPECT_EQ(layout.stop_ids(), (std::vector<TokenId>{2, 0}));
}

}  // namespace
