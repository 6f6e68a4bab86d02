// Every reader on small hand-written files: what loads, and errors that name the file, the row
// (line or example index) and the field.
#include <gtest/gtest.h>

#include "greater/common/error.h"
#include "greater/task/task.h"
#include "test_files.h"

namespace greater {
namespace {

struct BadFile {
  const char* name;  // file name in the temp folder (its extension is cosmetic)
  const char* format;
  const char* text;
  const char* where;  // expected in the message, after the file name: "" = only the file
  const char* what;   // expected in the message
};

std::ostream& operator<<(std::ostream& os, const BadFile& c) { return os << c.name; }

const BadFile kBadFiles[] = {
    {"bad_json.json", "bbh", "{\"examples\": [{\"input\": \"q\", \"target\": }]}", "",
     "not valid JSON"},
    {"not_object.json", "bbh", "[1, 2]", "", "expected a JSON object, got an array [1,2]"},
    {"no_examples.json", "bbh", "{\"canary\": \"x\"}", ": examples", "missing"},
    {"examples_not_array.json", "bbh", "{\"examples\": {}}", ": examples",
     "expected an array, got an object {}"},
    {"missing_target.json", "bbh",
     "{\"examples\": [{\"input\": \"a\", \"target\": \"(A)\"}, {\"input\": \"b\"}]}",
     ": examples[1].target", "missing"},
    {"target_number.json", "bbh", "{\"examples\": [{\"input\": \"a\", \"target\": 3}]}",
     ": examples[0].target", "expected a string, got an integer 3"},
    {"example_not_object.json", "bbh", "{\"examples\": [\"a\"]}", ": examples[0]",
     "expected a JSON object, got a string \"a\""},
    {"bad_line.jsonl", "jsonl", "{\"input\": \"a\", \"target\": \"b\"}\n{\"input\": \n", ": line 2",
     "not valid JSON"},
    {"missing_input.jsonl", "jsonl", "\n{\"target\": \"b\"}\n", ": line 2: input", "missing"},
    {"gsm8k_no_marker.jsonl", "gsm8k",
     "{\"question\": \"q\", \"answer\": \"a\\n#### 3\"}\n{\"question\": \"q\", \"answer\": "
     "\"3\"}\n",
     ": line 2: answer", "####"},
    {"gsm8k_not_integer.jsonl", "gsm8k", "{\"question\": \"q\", \"answer\": \"x\\n#### 2.5\"}\n",
     ": line 1: answer", "not an integer"},
    {"gsm8k_missing_question.jsonl", "gsm8k", "{\"answer\": \"#### 3\"}\n", ": line 1: question",
     "missing"},
    {"unclosed.csv", "folio", "goal,target,final_target\n\"q1\",(A),(A)\n\"q2\n,(B),(B)\n",
     ": line 3", "unclosed quote"},
    {"short_row.csv", "folio", "goal,target,final_target\n\"q1\nmore\",(A)\n", ": line 2",
     "has 2 fields"},
    {"no_column.csv", "folio", "goal,target\nq,(A)\n", ": line 1", "final_target"},
    {"empty_gold.csv", "folio", "goal,target,final_target\nq,(A),\n", ": line 2: final_target",
     "empty"},
};

class MalformedFileTest : public ::testing::TestWithParam<BadFile> {};

TEST_P(MalformedFileTest, ErrorNamesFileRowAndField) {
  const BadFile& c = GetParam();
  const std::string path = test::write_temp_file(c.name, c.text);
  try {
    load_task(path, parse_task_format(c.format));
    FAIL() << "no error for " << c.name;
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.where().rfind(path + c.where, 0), 0u) << msg;
    EXPECT_NE(msg.find(c.what), std::string::npos) << msg;
  }
}

INSTANTIATE_TEST_SUITE_P(Table, MalformedFileTest, ::testing::ValuesIn(kBadFiles));

TEST(LoadTask, MissingFileNamesIt) {
  const std::string msg =
      test::error_of([] { load_task("/nonexistent/navigate.json", TaskFormat::BbhJson); });
  EXPECT_NE(msg.find("/nonexistent/navigate.json"), std::string::npos) << msg;
}

TEST(LoadTask, SmallFilesOfEachFormat) {
  std::vector<Example> e =
      load_task(test::write_temp_file("ok.json", R"json({"canary": "c", "examples": [
        {"input": "Q0", "target": "(B)"}, {"input": "Q1", "target": "Yes"}]})json"),
                TaskFormat::BbhJson);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].question, "Q0");
  EXPECT_EQ(e[0].target, "(B)");
  EXPECT_EQ(e[0].answer, "B");
  EXPECT_EQ(e[1].index, 1);
  EXPECT_EQ(e[1].answer, "Yes");

  e = load_task(test::write_temp_file("ok.jsonl",
                                      "{\"input\": \"a\", \"target\": \"(C)\"}\r\n\n"
                                      "{\"input\": \"b\", \"target\": \"7\"}"),
                TaskFormat::Jsonl);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].answer, "C");
  EXPECT_EQ(e[1].index, 1);
  EXPECT_EQ(e[1].question, "b");

  e = load_task(
      test::write_temp_file("ok_gsm8k.jsonl",
                            "{\"question\": \"How many?\", \"answer\": \"a <<1+1=2>>\\n"
                            "#### 1,234\"}\n{\"question\": \"q\", \"answer\": \"#### -5\"}\n"),
      TaskFormat::Gsm8kJsonl);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].question, "How many?");
  EXPECT_EQ(e[0].target, "1,234");
  EXPECT_EQ(e[0].answer, "1234");
  EXPECT_EQ(e[1].answer, "-5");

  e = load_task(test::write_temp_file("ok.csv",
                                      "goal,target,final_target\r\n"
                                      "\"Premise:\nA \"\"b\"\"\n\nOptions:\n(A) True\",(A),(A)\r\n"
                                      "q2,(C),(C)\r\n"),
                TaskFormat::FolioCsv);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].question, "Premise:\nA \"b\"\n\nOptions:\n(A) True");
  EXPECT_EQ(e[0].answer, "A");
  EXPECT_EQ(e[1].index, 1);
  EXPECT_EQ(e[1].target, "(C)");
}

}  // namespace
}  // namespace greater
