// Pipeline pieces on tiny tokenizer.json files written here: merge forms, ignore_merges, unk and
// byte fallback, split behaviors, added-token flags, Metaspace, post-processor Sequence.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "greater/tokenizer/tokenizer.h"

namespace greater {
namespace {

using Ids = std::vector<TokenId>;
using Json = nlohmann::json;

Tokenizer load(const Json& j) { return Tokenizer::from_json(j.dump(), "test tokenizer.json"); }

Json byte_level_bpe(const Json& merges, bool ignore_merges) {
  // Byte-level alphabet: "Ġ" is the space byte.
  return {
      {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
      {"decoder", {{"type", "ByteLevel"}}},
      {"model",
       {{"type", "BPE"},
        {"ignore_merges", ignore_merges},
        {"vocab",
         {{"a", 0},
          {"b", 1},
          {"c", 2},
          {"\xC4\xA0", 3},
          {"ab", 4},
          {"abc", 5},
          {"\xC4\xA0"
           "a",
           6},
          {"ca", 7}}},
        {"merges", merges}}}};
}

TEST(BpePipeline, BothMergeFormsGiveTheSameIds) {
  const Tokenizer strings = load(byte_level_bpe(Json::array({"a b", "ab c", "\xC4\xA0 a"}), false));
  const Tokenizer pairs =
      load(byte_level_bpe(Json::parse(R"([["a","b"],["ab","c"],["Ġ","a"]])"), false));
  for (const Tokenizer* t : {&strings, &pairs}) {
    EXPECT_EQ(t->encode("abc"), Ids{5});
    EXPECT_EQ(t->encode("abc ab a"),
              (Ids{5, 3, 4, 6}));  // "abc", "Ġ"+"ab" ("a b" outranks "Ġ a"), "Ġa"
    EXPECT_EQ(t->decode({5, 3, 4, 6}), "abc ab a");
  }
}

TEST(BpePipeline, IgnoreMergesEmitsAWholeWordFoundInTheVocabulary) {
  // "ca" is in the vocabulary but no merge builds it.
  EXPECT_EQ(load(byte_level_bpe(Json::array({"a b"}), false)).encode("ca"), (Ids{2, 0}));
  EXPECT_EQ(load(byte_level_bpe(Json::array({"a b"}), true)).encode("ca"), Ids{7});
}

TEST(BpePipeline, MergesApplyByRankThenLeftmost) {
  Json j = {{"model",
             {{"type", "BPE"},
              {"vocab", {{"a", 0}, {"b", 1}, {"ab", 2}, {"ba", 3}, {"aa", 4}}},
              {"merges", Json::array({"b a", "a b", "a a"})}}}};
  const Tokenizer t = load(j);
  EXPECT_EQ(t.encode("aba"), (Ids{0, 3}));      // "b a" outranks "a b"
  EXPECT_EQ(t.encode("aaa"), (Ids{4, 0}));      // equal rank: the leftmost pair first
  EXPECT_EQ(t.encode("abab"), (Ids{0, 3, 1}));  // "a b" candidates go stale once "b a" merged
}

TEST(BpePipeline, UnknownCharactersByteFallbackAndFuseUnk) {
  Json j = {{"model",
             {{"type", "BPE"},
              {"unk_token", "<unk>"},
              {"vocab", {{"<unk>", 0}, {"a", 1}}},
              {"merges", Json::array()}}}};
  j["model"]["fuse_unk"] = true;
  EXPECT_EQ(load(j).encode("axya"), (Ids{1, 0, 1}));
  j["model"]["fuse_unk"] = false;
  EXPECT_EQ(load(j).encode("axya"), (Ids{1, 0, 0, 1}));
  // With byte fallback, a character outside the vocabulary becomes its UTF-8 bytes.
  j["model"]["byte_fallback"] = true;
  j["model"]["vocab"]["<0xC3>"] = 2;
  j["model"]["vocab"]["<0xA9>"] = 3;
  j["decoder"] = {{"type", "ByteFallback"}};
  const Tokenizer t = load(j);
  EXPECT_EQ(t.encode("a\xC3\xA9"), (Ids{1, 2, 3}));  // "aé"
  EXPECT_EQ(t.encode("ax"), (Ids{1, 0}));            // no <0x78>: unk
  EXPECT_EQ(t.decode({1, 2, 3}), "a\xC3\xA9");
  EXPECT_EQ(t.decode({2, 1}),
            "\xEF\xBF\xBD"
            "a");  // a lone lead byte decodes to U+FFFD
}

// WordLevel over the pieces a Split pre-tokenizer makes, so the ids spell the pieces.
Ids split_pieces(const std::string& behavior, const std::string& text, bool invert = false) {
  Json vocab = {{"<unk>", 0}, {"a", 1}, {"b", 2}, {" ", 3}, {"a ", 4}, {" b", 5}, {"  ", 6}};
  Json j = {{"pre_tokenizer",
             {{"type", "Split"},
              {"pattern", {{"String", " "}}},
              {"behavior", behavior},
              {"invert", invert}}},
            {"model", {{"type", "WordLevel"}, {"unk_token", "<unk>"}, {"vocab", vocab}}}};
  return load(j).encode(text);
}

TEST(PreTokenizers, SplitBehaviors) {
  EXPECT_EQ(split_pieces("Removed", "a b"), (Ids{1, 2}));
  EXPECT_EQ(split_pieces("Isolated", "a b"), (Ids{1, 3, 2}));
  EXPECT_EQ(split_pieces("MergedWithPrevious", "a b"), (Ids{4, 2}));
  EXPECT_EQ(split_pieces("MergedWithNext", "a b"), (Ids{1, 5}));
  EXPECT_EQ(split_pieces("Contiguous", "a  b"), (Ids{1, 6, 2}));
  EXPECT_EQ(split_pieces("Isolated", "a  b"), (Ids{1, 3, 3, 2}));
  EXPECT_EQ(split_pieces("Removed", "a b", true), (Ids{3}));  // invert: keep the spaces only
}

TEST(PreTokenizers, MetaspacePrependsOnlyAtTheStartOfTheInput) {
  Json j = {
      {"added_tokens",
       Json::array({{{"id", 9}, {"content", "<x>"}, {"special", true}, {"normalized", false}}})},
      {"pre_tokenizer",
       {{"type", "Metaspace"}, {"replacement", "\xE2\x96\x81"}, {"prepend_scheme", "first"}}},
      {"decoder",
       {{"type", "Metaspace"}, {"replacement", "\xE2\x96\x81"}, {"prepend_scheme", "first"}}},
      {"model",
       {{"type", "WordLevel"},
        {"unk_token", "<unk>"},
        {"vocab",
         {{"<unk>", 0}, {"\xE2\x96\x81hi", 1}, {"hi", 2}, {"\xE2\x96\x81you", 3}, {"<x>", 9}}}}}};
  const Tokenizer t = load(j);
  EXPECT_EQ(t.encode("hi you"), (Ids{1, 3}));
  EXPECT_EQ(t.encode("<x>hi you"), (Ids{9, 2, 3}));
  EXPECT_EQ(t.decode({1, 3}), "hi you");
}

Json added_token_json(const Json& flags) {
  Json token = {{"id", 9}, {"content", "<m>"}, {"special", false}, {"normalized", false}};
  if (!flags.is_null()) token.update(flags);  // {} arrives as null
  Json vocab = {{"<unk>", 0}, {"x", 1}, {"x ", 2}, {" y", 3}, {"y", 4}, {"<m>", 9}};
  return {{"added_tokens", Json::array({token})},
          {"model", {{"type", "WordLevel"}, {"unk_token", "<unk>"}, {"vocab", vocab}}}};
}

TEST(AddedTokens, LstripRstripSingleWord) {
  EXPECT_EQ(load(added_token_json({})).encode("x <m> y"), (Ids{2, 9, 3}));
  EXPECT_EQ(load(added_token_json({{"lstrip", true}})).encode("x <m> y"), (Ids{1, 9, 3}));
  EXPECT_EQ(load(added_token_json({{"rstrip", true}})).encode("x <m> y"), (Ids{2, 9, 4}));
  EXPECT_EQ(load(added_token_json({{"lstrip", true}, {"rstrip", true}})).encode("x <m> y"),
            (Ids{1, 9, 4}));
  EXPECT_EQ(load(added_token_json({{"single_word", true}})).encode("x <m> y"), (Ids{2, 9, 3}));
  EXPECT_EQ(load(added_token_json({{"single_word", true}})).encode("x<m> y"),
            Ids{0});  // glued: plain text, one unknown word
  EXPECT_EQ(load(added_token_json({})).encode("x<m> y"), (Ids{1, 9, 3}));
}

TEST(AddedTokens, LongestMatchWinsAndNormalizedTokensMatchNormalizedText) {
  Json j = {{"added_tokens", Json::array({{{"id", 5}, {"content", "<a>"}, {"normalized", false}},
                                          {{"id", 6}, {"content", "<a><b>"}, {"normalized", false}},
                                          {{"id", 7}, {"content", "p q"}, {"normalized", true}}})},
            {"normalizer", {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "_"}}},
            {"model",
             {{"type", "WordLevel"},
              {"unk_token", "<unk>"},
              {"vocab", {{"<unk>", 0}, {"z_", 1}, {"z", 2}}}}}};
  const Tokenizer t = load(j);
  EXPECT_EQ(t.encode("<a><b><a>"), (Ids{6, 5}));
  EXPECT_EQ(t.encode("z p q"), (Ids{1, 7}));  // "z_p_q": the token's pattern is normalized too
  EXPECT_EQ(t.token_to_id("p q"), 7);
}

TEST(PostProcessor, SequenceOfByteLevelAndTemplate) {
  Json j = {
      {"post_processor",
       {{"type", "Sequence"},
        {"processors",
         Json::array(
             {{{"type", "ByteLevel"}},
              {{"type", "TemplateProcessing"},
               {"single",
                Json::parse(
                    R"([{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"</s>","type_id":0}}])")},
               {"special_tokens",
                Json::parse(
                    R"({"<s>":{"id":"<s>","ids":[1],"tokens":["<s>"]},"</s>":{"id":"</s>","ids":[2],"tokens":["</s>"]}})")}}})}}},
      {"model",
       {{"type", "WordLevel"},
        {"unk_token", "<unk>"},
        {"vocab", {{"<unk>", 0}, {"<s>", 1}, {"</s>", 2}, {"x", 3}}}}}};
  const Tokenizer t = load(j);
  EXPECT_EQ(t.prefix_special_ids(), Ids{1});
  EXPECT_EQ(t.suffix_special_ids(), Ids{2});
  EXPECT_EQ(t.encode("x", true), (Ids{1, 3, 2}));
  EXPECT_EQ(t.encode("x", false), Ids{3});
}

}  // namespace
}  // namespace greater
