// Malformed tokenizer.json files: each throws greater::Error naming the file (and the field).
#include <gtest/gtest.h>

#include "greater/common/error.h"
#include "greater/tokenizer/tokenizer.h"
#include "test_support.h"

namespace greater {
namespace {

// Loads `json` from a file and returns the error message ("" if it loaded).
std::string load_error(const std::string& name, const std::string& json) {
  const std::string path = test::write_temp_file(name, json);
  try {
    Tokenizer::from_file(path);
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path), std::string::npos) << "message does not name the file: " << what;
    EXPECT_EQ(e.where().rfind(path, 0), 0u) << "where() should start with the file: " << e.where();
    return what;
  }
  return "";
}

const char* kBpeHead =
    R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": )";

TEST(TokenizerErrors, BadJson) {
  const std::string what = load_error("bad.json", "{\"model\": {\"type\": \"BPE\",");
  EXPECT_NE(what.find("not valid JSON"), std::string::npos) << what;
}

TEST(TokenizerErrors, TopLevelNotAnObject) {
  EXPECT_NE(load_error("array.json", "[1, 2]").find("object"), std::string::npos);
}

TEST(TokenizerErrors, MissingModel) {
  const std::string what = load_error("no_model.json", R"({"version": "1.0", "added_tokens": []})");
  EXPECT_NE(what.find("model: missing"), std::string::npos) << what;
}

TEST(TokenizerErrors, UnknownModelType) {
  const std::string what =
      load_error("unigram.json", R"({"model": {"type": "Unigram", "vocab": [["a", 0.0]]}})");
  EXPECT_NE(what.find("model.type"), std::string::npos) << what;
  EXPECT_NE(what.find("Unigram"), std::string::npos) << what;
}

TEST(TokenizerErrors, MergeNamingAnUnknownToken) {
  const std::string what = load_error("merge.json", std::string(kBpeHead) + R"(["a b", "a zz"]}})");
  EXPECT_NE(what.find("model.merges[1]"), std::string::npos) << what;
  EXPECT_NE(what.find("\"zz\""), std::string::npos) << what;
}

TEST(TokenizerErrors, MergeNamingAnUnknownTokenInPairForm) {
  const std::string what =
      load_error("merge_pair.json", std::string(kBpeHead) + R"([["a", "b"], ["q", "b"]]}})");
  EXPECT_NE(what.find("model.merges[1]"), std::string::npos) << what;
  EXPECT_NE(what.find("\"q\""), std::string::npos) << what;
}

TEST(TokenizerErrors, MergeWhoseResultIsNotInTheVocabulary) {
  const std::string what = load_error("merge_result.json", std::string(kBpeHead) + R"(["b a"]}})");
  EXPECT_NE(what.find("model.merges[0]"), std::string::npos) << what;
  EXPECT_NE(what.find("\"ba\""), std::string::npos) << what;
}

TEST(TokenizerErrors, MalformedMerge) {
  EXPECT_NE(load_error("merge_form.json", std::string(kBpeHead) + R"(["a  b"]}})")
                .find("model.merges[0]"),
            std::string::npos);
  EXPECT_NE(
      load_error("merge_type.json", std::string(kBpeHead) + R"([7]}})").find("model.merges[0]"),
      std::string::npos);
}

TEST(TokenizerErrors, UnsupportedComponentsNameTheField) {
  const std::string tail = std::string(kBpeHead) + R"(["a b"]}})";
  const std::string body = tail.substr(1);  // without the opening brace
  EXPECT_NE(
      load_error("nfkc.json", R"({"normalizer": {"type": "NFKC"},)" + body).find("normalizer.type"),
      std::string::npos);
  EXPECT_NE(load_error("pre.json", R"({"pre_tokenizer": {"type": "BertPreTokenizer"},)" + body)
                .find("pre_tokenizer.type"),
            std::string::npos);
  EXPECT_NE(load_error("dec.json", R"({"decoder": {"type": "CTC"},)" + body).find("decoder.type"),
            std::string::npos);
  EXPECT_NE(
      load_error(
          "regex.json",
          R"({"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated"},)" +
              body)
          .find("pre_tokenizer.pattern"),
      std::string::npos);
  EXPECT_NE(load_error("added.json", R"({"added_tokens": [{"id": 5}],)" + body)
                .find("added_tokens[0].content"),
            std::string::npos);
  EXPECT_NE(
      load_error(
          "template.json",
          R"({"post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "special_tokens": {}},)" +
              body)
          .find("post_processor.special_tokens"),
      std::string::npos);
}

TEST(TokenizerErrors, MissingFile) {
  const std::string path = "/nonexistent/dir/tokenizer.json";
  try {
    Tokenizer::from_file(path);
    FAIL() << "expected greater::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(TokenizerErrors, FromJsonNamesTheSource) {
  try {
    Tokenizer::from_json("{}", "my label");
    FAIL() << "expected greater::Error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "my label: model: missing");
  }
}

}  // namespace
}  // namespace greater
