// WordLevel (the demo model's tokenizer) from a tokenizer.json written by the test.
#include <gtest/gtest.h>

#include "greater/common/error.h"
#include "greater/tokenizer/tokenizer.h"
#include "test_support.h"

namespace greater {
namespace {

using Ids = std::vector<TokenId>;

TEST(WordLevel, EncodeSplitsOnWhitespaceAndMapsUnknownWords) {
  const Tokenizer t =
      Tokenizer::from_file(test::write_temp_file("tokenizer.json", test::word_level_json()));
  EXPECT_EQ(t.encode("Q : start 9 , step1 + 4 ."), (Ids{7, 8, 9, 10, 11, 12, 13, 14, 15}));
  EXPECT_EQ(t.encode("  think\tstep\nby \r\n step  "), (Ids{16, 17, 18, 17}));
  EXPECT_EQ(t.encode("think fast"), (Ids{16, 0}));  // "fast" -> <unk>
  EXPECT_EQ(t.encode(""), Ids{});
}

TEST(WordLevel, TemplateProcessingAddsBos) {
  const Tokenizer t = Tokenizer::from_json(test::word_level_json(), "demo tokenizer.json");
  EXPECT_EQ(t.prefix_special_ids(), Ids{1});
  EXPECT_TRUE(t.suffix_special_ids().empty());
  EXPECT_EQ(t.encode("answer 3", true), (Ids{1, 20, 21}));
  EXPECT_EQ(t.encode("", true), Ids{1});
}

TEST(WordLevel, SpecialTokensAreMatchedInsideText) {
  const Tokenizer t = Tokenizer::from_json(test::word_level_json(), "demo");
  EXPECT_EQ(t.encode("<start_of_turn>user Q<end_of_turn>"), (Ids{3, 5, 7, 4}));
  EXPECT_EQ(t.encode("answer<eos>"), (Ids{20, 2}));
  EXPECT_TRUE(t.is_special(2));
  EXPECT_FALSE(t.is_special(20));
}

TEST(WordLevel, DecodeJoinsWithSpacesWithoutADecoder) {
  const Tokenizer t = Tokenizer::from_json(test::word_level_json(), "demo");
  EXPECT_EQ(t.decode({1, 7, 8, 9, 10, 2}), "<bos> Q : start 9 <eos>");
  EXPECT_EQ(t.decode({1, 7, 8, 9, 10, 2}, true), "Q : start 9");
  EXPECT_EQ(t.decode({}), "");
}

TEST(WordLevel, VocabularyLookups) {
  const Tokenizer t = Tokenizer::from_json(test::word_level_json(), "demo");
  EXPECT_EQ(t.vocab_size(), 27);
  EXPECT_EQ(t.token_to_id("think"), 16);
  EXPECT_EQ(t.token_to_id("<eos>"), 2);
  EXPECT_EQ(t.token_to_id("missing"), -1);
  EXPECT_EQ(t.id_to_token(25), "carefully");
  EXPECT_EQ(t.id_to_token(999), "");
  EXPECT_TRUE(t.round_trips(16));
  EXPECT_TRUE(t.round_trips(2));
  EXPECT_FALSE(t.round_trips(999));
}

TEST(WordLevel, UnknownWordWithoutUnkTokenIsAnError) {
  std::string json = test::word_level_json();
  json.replace(json.find("\"unk_token\": \"<unk>\","),
               std::string("\"unk_token\": \"<unk>\",").size(), "");
  const Tokenizer t = Tokenizer::from_json(json, "no-unk.json");
  EXPECT_EQ(t.encode("think"), Ids{16});
  try {
    t.encode("think fast");
    FAIL() << "expected greater::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no-unk.json"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("fast"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace greater
