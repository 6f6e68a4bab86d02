// The shipped task files (data/): row counts, gold answers under each task's answer
// format, and the default splits of every paper task.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>

#include "greater/common/file_util.h"
#include "greater/task/extractors.h"
#include "greater/task/task.h"
#include "test_files.h"

namespace greater {
namespace {

std::string data_path(const std::string& relative) { return join_path(test::data_dir(), relative); }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST(RealData, AllBbhFilesLoadWithTheirRowCounts) {
  const std::map<std::string, size_t> smaller = {
      {"causal_judgement", 187}, {"snarks", 178}, {"penguins_in_a_table", 146}};
  const char* kAll[] = {"boolean_expressions",
                        "causal_judgement",
                        "date_understanding",
                        "disambiguation_qa",
                        "dyck_languages",
                        "formal_fallacies",
                        "geometric_shapes",
                        "hyperbaton",
                        "logical_deduction_five_objects",
                        "logical_deduction_seven_objects",
                        "logical_deduction_three_objects",
                        "movie_recommendation",
                        "multistep_arithmetic_two",
                        "navigate",
                        "object_counting",
                        "penguins_in_a_table",
                        "reasoning_about_colored_objects",
                        "ruin_names",
                        "salient_translation_error_detection",
                        "snarks",
                        "sports_understanding",
                        "temporal_sequences",
                        "tracking_shuffled_objects_five_objects",
                        "tracking_shuffled_objects_seven_objects",
                        "tracking_shuffled_objects_three_objects",
                        "web_of_lies",
                        "word_sorting"};
  ASSERT_EQ(std::size(kAll), 27u);
  for (const char* name : kAll) {
    SCOPED_TRACE(name);
    const auto examples =
        load_task(data_path(std::string("bbh/") + name + ".json"), TaskFormat::BbhJson);
    const auto it = smaller.find(name);
    EXPECT_EQ(examples.size(), it == smaller.end() ? 250u : it->second);
    for (size_t i = 0; i < examples.size(); ++i) {
      EXPECT_EQ(examples[i].index, static_cast<int64_t>(i));
      EXPECT_FALSE(examples[i].question.empty());
      EXPECT_EQ(examples[i].answer, gold_answer(examples[i].target));
    }
  }
}

TEST(RealData, Gsm8kRowsHaveIntegerAnswers) {
  for (const auto& [file, rows] :
       {std::pair<std::string, size_t>{"gsm8k/train.jsonl", 7473}, {"gsm8k/test.jsonl", 1319}}) {
    SCOPED_TRACE(file);
    const auto examples = load_task(data_path(file), TaskFormat::Gsm8kJsonl);
    ASSERT_EQ(examples.size(), rows);
    size_t with_commas = 0, negative = 0;
    for (const Example& e : examples) {
      EXPECT_EQ(parse_answer(AnswerFormat::Integer, e.answer), e.answer) << e.index;
      EXPECT_EQ(parse_answer(AnswerFormat::Integer, e.target), e.answer) << e.index;
      with_commas += e.target.find(',') != std::string::npos;
      negative += e.answer[0] == '-';
    }
    EXPECT_GT(with_commas, 0u);  // "1,000" in the file, "1000" to produce
    EXPECT_GT(negative, 0u);
  }
  const auto train = load_task(data_path("gsm8k/train.jsonl"), TaskFormat::Gsm8kJsonl);
  EXPECT_EQ(train[0].answer, "72");
  EXPECT_EQ(train[0].question.rfind("Natalia sold clips", 0), 0u);
}

TEST(RealData, FolioFilesLoadWithLettersAToC) {
  for (const auto& [file, rows] : {std::pair<std::string, size_t>{"folio/train.csv", 100},
                                   {"folio/dev.csv", 100},
                                   {"folio/test.csv", 203}}) {
    SCOPED_TRACE(file);
    const auto examples = load_task(data_path(file), TaskFormat::FolioCsv);
    ASSERT_EQ(examples.size(), rows);
    for (const Example& e : examples) {
      EXPECT_TRUE(e.answer == "A" || e.answer == "B" || e.answer == "C") << e.index;
      EXPECT_EQ(e.question.rfind("Premise:", 0), 0u) << e.index;  // test rows 21-23: no newline
      EXPECT_NE(e.question.find("\n(C) Uncertain"), std::string::npos) << e.index;
    }
  }
}

// Every gold answer of the paper's tasks must parse as itself under the task's format and be
// one of the options its extractor lists. The exceptions are the free-text rows of §4: kept,
// and counted wrong by the parse-based metric (their gold parses to nothing).
TEST(RealData, GoldAnswersParseUnderTheirFormat) {
  std::set<std::string> unparsed;
  for (const TaskDefinition& task : paper_tasks()) {
    SCOPED_TRACE(task.name);
    std::vector<std::string> files = {task.file};
    if (!task.dev_file.empty()) files.push_back(task.dev_file);
    if (!task.test_file.empty()) files.push_back(task.test_file);
    for (const std::string& file : files) {
      for (const Example& e : load_task(data_path(file), task.format)) {
        const std::string parsed = parse_answer(task.answer_format, e.answer);
        if (parsed.empty() || !answer_is_correct(task.answer_format, e.answer, e.target)) {
          unparsed.insert(file + ":" + std::to_string(e.index) + " " + e.target);
          EXPECT_FALSE(answer_is_correct(task.answer_format, e.answer, e.target));
          continue;
        }
        if (!task.options.empty()) {
          const bool listed =
              std::any_of(task.options.begin(), task.options.end(),
                          [&](const std::string& o) { return lower(o) == lower(parsed); });
          EXPECT_TRUE(listed) << file << ":" << e.index << " gold " << e.target
                              << " is not in the extractor's options";
        }
        // The binary golds are spelled as the options are ("Yes" vs "yes"), so the token-exact
        // answer after the extractor matches what the extractor asks for.
        if (task.answer_format != AnswerFormat::Letter && !task.options.empty()) {
          EXPECT_TRUE(e.answer == task.options[0] || e.answer == task.options[1]) << e.answer;
        }
      }
    }
  }
  const std::set<std::string> expected = {"bbh/movie_recommendation.json:163 Monsters, Inc",
                                          "bbh/ruin_names.json:99 dearth, wind, & fire",
                                          "bbh/ruin_names.json:144 rita, sue and bob poo"};
  EXPECT_EQ(unparsed, expected);
}

TEST(RealData, DefaultSplitsOfEveryPaperTask) {
  std::map<std::string, std::array<size_t, 3>> sizes;
  for (const TaskDefinition& task : paper_tasks()) {
    SCOPED_TRACE(task.name);
    auto rows = load_task(data_path(task.file), task.format);
    TaskSplits s = split_task(rows, task.train_size, task.dev_file.empty() ? task.dev_size : 0,
                              task.test_file.empty() ? task.test_size : 0, 0, task.file);
    if (!task.dev_file.empty()) {
      s.dev = split_task(load_task(data_path(task.dev_file), task.format), 0, task.dev_size, 0, 0,
                         task.dev_file)
                  .dev;
    }
    if (!task.test_file.empty()) {
      s.test = split_task(load_task(data_path(task.test_file), task.format), 0, 0, task.test_size,
                          0, task.test_file)
                   .test;
    }
    sizes[task.name] = {s.train.size(), s.dev.size(), s.test.size()};
    EXPECT_EQ(s.train.front().index, 0);  // file order (split_seed 0), as TextGrad
  }
  EXPECT_EQ(sizes.size(), 23u);
  for (const auto& [name, n] : sizes) {
    SCOPED_TRACE(name);
    std::array<size_t, 3> expected = {50, 100, 100};
    if (name == "causal_judgement") expected = {50, 100, 37};
    if (name == "snarks") expected = {50, 100, 28};
    if (name == "penguins_in_a_table") expected = {50, 48, 48};
    if (name == "gsm8k") expected = {100, 100, 1319};
    if (name == "folio") expected = {50, 100, 203};
    EXPECT_EQ(n, expected);
  }
}

}  // namespace
}  // namespace greater
