// The gemma-2 layout on the real Gemma-3 tokenizer against transformers' apply_chat_template
// (tests/tokenizer/make_chat_template_references.py wrote the ids from the tokenizer's own chat
// template): build_prefix(question, prompt) must be exactly the template's ids for one user turn
// "question prompt" with the generation prompt added.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "greater/tokenizer/chat_layout.h"
#include "test_support.h"

namespace greater {
namespace {

TEST(Gemma3ChatTemplate, Gemma2LayoutPrefixEqualsApplyChatTemplate) {
  std::string error;
  const Tokenizer* tokenizer = test::shared_tokenizer(test::tokenizer_path("gemma3"), &error);
  ASSERT_NE(tokenizer, nullptr) << error;
  const ChatLayout layout(*tokenizer, ChatLayoutKind::Gemma2);

  std::ifstream in(test::fixture_path("gemma3_chat_template.jsonl"));
  ASSERT_TRUE(in) << test::fixture_path("gemma3_chat_template.jsonl");
  std::string line;
  std::getline(in, line);  // the header: versions
  size_t cases = 0;
  while (std::getline(in, line)) {
    const auto row = nlohmann::json::parse(line);
    const std::string question = row.at("question").get<std::string>();
    const std::string prompt = row.at("prompt").get<std::string>();
    const SequenceParts parts = layout.build_prefix(question, layout.encode_prompt(prompt));
    EXPECT_EQ(parts.ids, row.at("ids").get<std::vector<TokenId>>())
        << "question " << test::quoted(question) << " prompt " << test::quoted(prompt);
    EXPECT_EQ(parts.end, parts.ids.size());
    ++cases;
  }
  EXPECT_EQ(cases, 10u);
}

}  // namespace
}  // namespace greater
