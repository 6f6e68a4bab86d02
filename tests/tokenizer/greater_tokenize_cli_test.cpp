// The greater_tokenize program: JSON Lines in and out, and one clear error line on bad input.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "greater/common/file_util.h"
#include "test_support.h"

namespace greater {
namespace {

struct RunResult {
  int status = -1;
  std::string out;
  std::string err;
};

RunResult run_tool(const std::string& args, const std::string& stdin_text) {
  const std::string in = test::write_temp_file("stdin.jsonl", stdin_text);
  const std::string err = test::write_temp_file("stderr.txt", "");
  const std::string command =
      std::string("'") + GREATER_TOKENIZE_EXE + "' " + args + " < '" + in + "' 2> '" + err + "'";
  RunResult r;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return r;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) r.out.append(buffer, n);
  const int status = pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = read_file(err);
  return r;
}

class GreaterTokenize : public ::testing::Test {
 protected:
  void SetUp() override {
    tokenizer_ = test::write_temp_file("tokenizer.json", test::word_level_json());
  }
  std::string tokenizer_;
};

TEST_F(GreaterTokenize, EncodesJsonLines) {
  const RunResult r =
      run_tool("--tokenizer '" + tokenizer_ + "'",
               "{\"text\": \"Q : start 9 .\"}\n\n{\"text\": \"think fast <eos>\"}\n");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"text\":\"Q : start 9 .\",\"ids\":[7,8,9,10,15]}\n"
            "{\"text\":\"think fast <eos>\",\"ids\":[16,0,2]}\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(GreaterTokenize, AddSpecialTokensAndTextOption) {
  const RunResult r =
      run_tool("--tokenizer '" + tokenizer_ + "' --add-special-tokens --text 'answer 3'", "");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "{\"text\":\"answer 3\",\"ids\":[1,20,21]}\n");
}

TEST_F(GreaterTokenize, Decodes) {
  const RunResult r =
      run_tool("--tokenizer '" + tokenizer_ + "' --decode", "{\"ids\": [1, 20, 21, 2]}\n");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "{\"ids\":[1,20,21,2],\"text\":\"<bos> answer 3 <eos>\"}\n");
}

TEST_F(GreaterTokenize, BadLineStopsWithItsLineNumber) {
  const RunResult r = run_tool("--tokenizer '" + tokenizer_ + "'",
                               "{\"text\": \"answer\"}\n{\"txt\": 1}\n{\"text\": \"3\"}\n");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "{\"text\":\"answer\",\"ids\":[20]}\n");
  EXPECT_NE(r.err.find("line 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\"text\""), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line expected: " << r.err;
}

TEST_F(GreaterTokenize, BadIdAndBadJsonAreErrors) {
  const RunResult unknown =
      run_tool("--tokenizer '" + tokenizer_ + "' --decode", "{\"ids\": [1, 999]}\n");
  EXPECT_EQ(unknown.status, 1);
  EXPECT_NE(unknown.err.find("line 1"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("999"), std::string::npos) << unknown.err;
  const RunResult broken =
      run_tool("--tokenizer '" + tokenizer_ + "'", "{\"text\": \"a\"}\n{not json\n");
  EXPECT_EQ(broken.status, 1);
  EXPECT_NE(broken.err.find("line 2"), std::string::npos) << broken.err;
}

TEST_F(GreaterTokenize, MissingTokenizerFileIsNamed) {
  const RunResult r = run_tool("--tokenizer /nonexistent/tokenizer.json", "");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("/nonexistent/tokenizer.json"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace greater
