// Chat layouts: exact ids and part offsets (llama-3 on the real Llama-3 tokenizer; gemma-2 and
// plain on a WordLevel tokenizer written by the test), and the check that building from parts
// gives the ids of tokenizing the whole string.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "greater/common/error.h"
#include "greater/common/file_util.h"
#include "greater/tokenizer/chat_layout.h"
#include "test_support.h"

namespace greater {
namespace {

using Ids = std::vector<TokenId>;

Ids slice(const Ids& ids, size_t first, size_t last) {
  return Ids(ids.begin() + first, ids.begin() + last);
}

TEST(ChatLayoutNames, ParseAndPrint) {
  for (const char* name : {"llama-3", "gemma-2", "plain"})
    EXPECT_EQ(chat_layout_name(parse_chat_layout(name)), name);
  EXPECT_THROW(parse_chat_layout("llama3"), Error);
}

class Llama3Layout : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    tokenizer_ = test::shared_tokenizer(test::llama3_tokenizer_path(), &error);
    if (!tokenizer_) GTEST_FAIL() << error;
  }
  const Tokenizer* tokenizer_ = nullptr;
};

// The GReaTer chat prefix for "Q: 2+2? Let's think step by step.".
TEST_F(Llama3Layout, PrefixExampleIds) {
  const ChatLayout layout(*tokenizer_, ChatLayoutKind::Llama3);
  const Ids prompt = layout.encode_prompt("Let's think step by step.");
  EXPECT_EQ(prompt, (Ids{6914, 596, 1781, 3094, 555, 3094, 13}));
  const SequenceParts p = layout.build_prefix("Q: 2+2?", prompt);
  EXPECT_EQ(p.ids,
            (Ids{128000, 128006, 882,  128007, 271, 48,   25, 220,    17,     10,    17,     30,
                 6914,   596,    1781, 3094,   555, 3094, 13, 128009, 128006, 78191, 128007, 271}));
  EXPECT_EQ(p.question, 5u);
  EXPECT_EQ(p.prompt, 12u);
  EXPECT_EQ(p.header, 19u);
  EXPECT_EQ(p.chain, 24u);
  EXPECT_EQ(p.extractor, 24u);
  EXPECT_EQ(p.answer, 24u);
  EXPECT_EQ(p.end, 24u);
}

TEST_F(Llama3Layout, PromptWithoutLeadingSpaceGetsASeparator) {
  const ChatLayout layout(*tokenizer_, ChatLayoutKind::Llama3);
  const SequenceParts p = layout.build_prefix("Q: 2+2?", tokenizer_->encode("Let's"));
  EXPECT_EQ(slice(p.ids, p.question, p.header),
            (Ids{48, 25, 220, 17, 10, 17, 30, 220, 10267, 596}));
  EXPECT_EQ(p.prompt, p.question + 8);  // the separator " " (220) sits before the prompt
}

struct Example {
  std::string question, prompt, chain, extractor, answer;
};

// build_full must equal encoding the reference string as one piece.
TEST_F(Llama3Layout, FullSequenceEqualsEncodingTheWholeString) {
  const std::string bool_x =
      "Therefore, the final answer (use exact format: '$ True' or '$ False') is $ ";
  const std::string mc_x =
      "Therefore, the final answer (use exact format: '$ A' or '$ B' or '$ C' or '$ D') is $ ";
  const std::vector<Example> examples = {
      {"not ( True ) and ( True ) is. Use",
       "proper logical reasoning and think step by step. Finally give the actual correct answer.",
       "So the expression is not True and True = False and True = False. So the answer is False.",
       bool_x, "False"},
      {"Today is Christmas Eve of 1937. What is the date tomorrow in MM/DD/YYYY?\nOptions:\n(A) "
       "12/11/1937\n(B) "
       "12/25/1937\n(C) 01/04/1938\n(D) 12/04/1937. Use",
       "careful date arithmetic.",
       "Christmas Eve is 12/24/1937, so tomorrow is 12/25/1937. So the answer is (B).", mc_x, "B"},
      {"((-3 + 7 * 2) - (9 - -4 * 5)) =. Use", "the order of operations, step by step:",
       "7 * 2 = 14; -3 + 14 = 11. -4 * 5 = -20; 9 - -20 = 29. 11 - 29 = -18.", "So the answer is",
       " -18"},
      {"If you follow these instructions, do you return to the starting point? Take 3 steps. Turn "
       "around. Take 3 steps.\n"
       "Options:\n- Yes\n- No. Use",
       "a mental map and count every step!", "We end at the start.\n\nSo the answer is Yes.",
       "Final answer: ", "Yes"},
      {"Sort the following words alphabetically: List: oxygen yeah sidereal. Use",
       "   spaced   prompt\twith tabs", "oxygen sidereal yeah", "The sorted list is ",
       "oxygen sidereal yeah"},
  };
  const ChatLayout layout(*tokenizer_, ChatLayoutKind::Llama3);
  for (const Example& e : examples) {
    const Ids prompt = layout.encode_prompt(e.prompt);
    const Ids chain = tokenizer_->encode(e.chain);
    const SequenceParts s = layout.build_full(e.question, prompt, chain, e.extractor, e.answer);
    const std::string whole = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n" +
                              e.question + " " + e.prompt +
                              "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n" +
                              e.chain + " " + e.extractor + e.answer;
    EXPECT_EQ(s.ids, tokenizer_->encode(whole)) << test::quoted(whole);
    // Every part is where the offsets say.
    EXPECT_EQ(tokenizer_->decode(slice(s.ids, s.question, s.prompt)), e.question);
    EXPECT_EQ(slice(s.ids, s.prompt, s.header), prompt);
    EXPECT_EQ(slice(s.ids, s.chain, s.extractor), chain);
    EXPECT_EQ(tokenizer_->decode(slice(s.ids, s.extractor, s.end)), " " + e.extractor + e.answer);
    std::string answer_text = tokenizer_->decode(slice(s.ids, s.answer, s.end));
    EXPECT_EQ(answer_text.substr(answer_text.find_first_not_of(' ')),
              e.answer.substr(e.answer.find_first_not_of(' ')));
    EXPECT_EQ(s.end, s.ids.size());
  }
}

// Later Hub revisions of the file add BOS in a TemplateProcessing post_processor: the layout
// must take it from there, once, instead of hard-coding it.
TEST_F(Llama3Layout, BosFromATemplatePostProcessor) {
  nlohmann::json j = nlohmann::json::parse(read_file(test::llama3_tokenizer_path()));
  j["post_processor"] = nlohmann::json::parse(R"({"type": "Sequence", "processors": [
      {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
      {"type": "TemplateProcessing",
       "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
       "pair": [],
       "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [128000], "tokens": ["<|begin_of_text|>"]}}}]})");
  const Tokenizer t = Tokenizer::from_json(j.dump(), "llama-3 with TemplateProcessing");
  EXPECT_EQ(t.prefix_special_ids(), Ids{128000});
  EXPECT_EQ(t.encode("Q: 2+2?", true), (Ids{128000, 48, 25, 220, 17, 10, 17, 30}));
  const ChatLayout layout(t, ChatLayoutKind::Llama3);
  const SequenceParts p =
      layout.build_prefix("Q: 2+2?", layout.encode_prompt("Let's think step by step."));
  EXPECT_EQ(slice(p.ids, 0, 3), (Ids{128000, 128006, 882}));
  EXPECT_EQ(p.ids.size(), 24u);
}

TEST_F(Llama3Layout, StopIds) {
  const ChatLayout layout(*tokenizer_, ChatLayoutKind::Llama3);
  EXPECT_EQ(layout.stop_ids(), (Ids{128009, 128001}));  // the 3.0 file has no <|eom_id|>
}

class WordLevelLayouts : public ::testing::Test {
 protected:
  WordLevelLayouts()
      : tokenizer_(Tokenizer::from_json(test::word_level_json(), "demo tokenizer.json")) {}
  Tokenizer tokenizer_;
  const Ids prompt_{24, 16, 25};                 // "let's think carefully"
  const Ids chain_{12, 10, 13, 14, 22, 26, 23};  // "step1 9 + 4 = 13 ;"
};

TEST_F(WordLevelLayouts, Gemma2) {
  const ChatLayout layout(tokenizer_, ChatLayoutKind::Gemma2);
  const SequenceParts s =
      layout.build_full("Q : start 9 , step1 + 4 .", prompt_, chain_, "answer", "13");
  EXPECT_EQ(s.ids, (Ids{1,  3, 5, 7, 8,  9,  10, 11, 12, 13, 14, 15, 24, 16,
                        25, 4, 3, 6, 12, 10, 13, 14, 22, 26, 23, 20, 26}));
  EXPECT_EQ(s.question, 3u);
  EXPECT_EQ(s.prompt, 12u);
  EXPECT_EQ(s.header, 15u);
  EXPECT_EQ(s.chain, 18u);
  EXPECT_EQ(s.extractor, 25u);
  EXPECT_EQ(s.answer, 26u);
  EXPECT_EQ(s.end, 27u);
  EXPECT_EQ(layout.stop_ids(), (Ids{4, 2}));
  const SequenceParts p = layout.build_prefix("Q :", prompt_);
  EXPECT_EQ(p.ids, (Ids{1, 3, 5, 7, 8, 24, 16, 25, 4, 3, 6}));
  EXPECT_EQ(p.end, p.ids.size());
}

TEST_F(WordLevelLayouts, Plain) {
  const ChatLayout layout(tokenizer_, ChatLayoutKind::Plain);
  const SequenceParts s = layout.build_full("Q : start 9 .", prompt_, chain_, "answer", "13");
  // BOS from the TemplateProcessing post_processor; "\n" and the spaces vanish in WhitespaceSplit.
  EXPECT_EQ(s.ids, (Ids{1, 7, 8, 9, 10, 15, 24, 16, 25, 12, 10, 13, 14, 22, 26, 23, 20, 26}));
  EXPECT_EQ(s.question, 1u);
  EXPECT_EQ(s.prompt, 6u);
  EXPECT_EQ(s.header, 9u);
  EXPECT_EQ(s.chain, 9u);  // the header ("\n") has no tokens here
  EXPECT_EQ(s.extractor, 16u);
  EXPECT_EQ(s.answer, 17u);
  EXPECT_EQ(s.end, 18u);
  EXPECT_EQ(layout.stop_ids(), Ids{2});
}

TEST_F(WordLevelLayouts, Llama3NeedsItsHeaderTokens) {
  try {
    ChatLayout layout(tokenizer_, ChatLayoutKind::Llama3);
    FAIL() << "expected greater::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("<|start_header_id|>"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace greater
