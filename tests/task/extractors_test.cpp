// Extractor texts, character for character (docs/ALGORITHM.md §8), and the task table.
#include <gtest/gtest.h>

#include "greater/common/error.h"
#include "greater/task/extractors.h"
#include "test_files.h"

namespace greater {
namespace {

struct ExtractorCase {
  const char* task;
  const char* layout;
  const char* text;
};

std::ostream& operator<<(std::ostream& os, const ExtractorCase& c) {
  return os << c.task << " " << c.layout;
}

const ExtractorCase kExtractors[] = {
    {"navigate", "llama-3",
     "Therefore, the final answer (use exact format: '$ Yes' or '$ No') is $ "},
    {"navigate", "gemma-2",
     "Therefore, the final answer (use exact format: '$ Yes' or '$ No') is $"},
    {"sports_understanding", "llama-3",
     "Therefore, the final answer (use exact format: '$ yes' or '$ no') is $ "},
    {"boolean_expressions", "gemma-2",
     "Therefore, the final answer (use exact format: '$ True' or '$ False') is $"},
    {"formal_fallacies", "llama-3",
     "Therefore, the final answer (use exact format: '$ valid' or '$ invalid') is $ "},
    {"hyperbaton", "llama-3", "Therefore, the final answer (use exact format: '$A' or '$B') is $"},
    {"hyperbaton", "gemma-2",
     "Therefore, the final answer (use exact format: '$ A' or '$ B') is $"},
    {"temporal_sequences", "llama-3",
     "Therefore, the final answer (use exact format: '$A' or '$B' or '$C' or '$D') is $"},
    {"temporal_sequences", "gemma-2",
     "Therefore, the final answer (use exact format: '$ A' or '$ B' or '$ C' or '$ D') is $"},
    {"date_understanding", "llama-3",
     "Therefore, the final answer (use exact format: '$A' or '$B' or '$C' or '$D' or '$E' or "
     "'$F') is $"},
    {"movie_recommendation", "gemma-2",
     "Therefore, the final answer (use exact format: '$ A' or '$ B' or '$ C' or '$ D' or '$ E') "
     "is $"},
    {"geometric_shapes", "llama-3",
     "Therefore, the final answer (use exact format: '$A' or '$B' or '$C' or '$D' or '$E' or "
     "'$F' or '$G' or '$H' or '$I' or '$J' or '$K') is $"},
    {"folio", "gemma-2",
     "Therefore, the final answer (use exact format: '$ A' or '$ B' or '$ C') is $"},
    {"multistep_arithmetic_two", "llama-3",
     "Therefore, the final answer (use exactly this format: $NUMBER$, where NUMBER is a positive "
     "or negative integer) is $"},
    {"multistep_arithmetic_two", "gemma-2",
     "Therefore, the final answer (use exactly this format: **NUMBER**, where NUMBER is a positive "
     "or negative integer) is **"},
    {"object_counting", "llama-3",
     "Therefore, the final answer (use exactly this format: $NUMBER$, where NUMBER is a positive "
     "integer) is $"},
    {"object_counting", "gemma-2",
     "Therefore, the final answer (use exactly this format: **NUMBER**, where NUMBER is a positive "
     "integer) is **"},
    {"gsm8k", "llama-3",
     "Therefore, the final answer (use exactly this format: $NUMBER$, where NUMBER is a positive "
     "or negative integer) is $"},
    {"object_counting", "plain",
     "Therefore, the final answer (use exactly this format: $NUMBER$, where NUMBER is a positive "
     "integer) is $"},
};

class ExtractorTextTest : public ::testing::TestWithParam<ExtractorCase> {};

TEST_P(ExtractorTextTest, MatchesTheScripts) {
  const ExtractorCase& c = GetParam();
  EXPECT_EQ(extractor_text(c.task, c.layout), c.text);
}

INSTANTIATE_TEST_SUITE_P(Table, ExtractorTextTest, ::testing::ValuesIn(kExtractors));

TEST(TaskTable, TwentyOneBbhTasksInTableOrderThenGsm8kAndFolio) {
  ASSERT_EQ(bbh_tasks().size(), 21u);
  EXPECT_EQ(bbh_tasks().front().name, "boolean_expressions");
  EXPECT_EQ(bbh_tasks()[13].name, "reasoning_about_colored_objects");
  EXPECT_EQ(bbh_tasks()[13].options.size(), 18u);  // A–R
  EXPECT_EQ(bbh_tasks().back().name, "web_of_lies");
  ASSERT_EQ(paper_tasks().size(), 23u);
  EXPECT_EQ(find_task("gsm8k").format, TaskFormat::Gsm8kJsonl);
  EXPECT_EQ(find_task("gsm8k").answer_format, AnswerFormat::Integer);
  EXPECT_EQ(find_task("folio").format, TaskFormat::FolioCsv);
  EXPECT_EQ(find_task("folio").options, letter_range('A', 'C'));
  EXPECT_EQ(find_task("navigate").file, "bbh/navigate.json");
  for (const TaskDefinition& t : paper_tasks()) {
    for (const char* layout : {"llama-3", "gemma-2"}) {
      const std::string x = extractor_text(t, layout);
      EXPECT_EQ(x.rfind("Therefore, the final answer (use exact", 0), 0u) << t.name;
    }
  }
}

TEST(TaskTable, UnknownNamesAreNamedInErrors) {
  std::string msg = test::error_of([] { find_task("dyck_languages"); });
  EXPECT_NE(msg.find("\"dyck_languages\""), std::string::npos) << msg;
  msg = test::error_of([] { extractor_text("navigate", "mistral"); });
  EXPECT_NE(msg.find("layout"), std::string::npos) << msg;
  EXPECT_NE(msg.find("\"mistral\""), std::string::npos) << msg;
}

}  // namespace
}  // namespace greater
