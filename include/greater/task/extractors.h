// The paper's tasks and their extractor texts (docs/ALGORITHM.md §2, §5, §8).
//
// The extractor X is appended after the reasoning chain and the gold answer after X. Two styles
// exist, after the reference scripts (run_llama3_all.sh, run_gemma2_mcq.sh):
//   L3-MCQ(A..D) = "Therefore, the final answer (use exact format: '$A' or '$B' or '$C' or '$D') is
//   $" L3-BIN(a,b)  = "Therefore, the final answer (use exact format: '$ a' or '$ b') is $ "
//   (trailing space) G2-MCQ(A..D) = "Therefore, the final answer (use exact format: '$ A' or '$ B'
//   or '$ C' or '$ D') is $" G2-BIN(a,b)  = "Therefore, the final answer (use exact format: '$ a'
//   or '$ b') is $" integers: L3 "... (use exactly this format: $NUMBER$, where NUMBER is a <kind>)
//   is $",
//             G2 "... (use exactly this format: **NUMBER**, where NUMBER is a <kind>) is **".
// Deviations from the scripts (docs/ALGORITHM.md §9): option lists cover every gold letter in the
// data (date_understanding A–F, geometric_shapes A–K, movie_recommendation A–E); GSM8K uses the
// integer extractor and FOLIO a 3-option MCQ extractor (§4 proposals, absent from the repo).
//
// Gold rows that are not in the task's answer format (movie_recommendation row 163
// "Monsters, Inc"; ruin_names rows 99 "dearth, wind, & fire" and 144 "rita, sue and bob poo")
// are kept: their gold parses to nothing under `letter`, so answer_is_correct() is false for
// every model output and they count as wrong (parse-based metric). They are free-text items;
// the token-exact metric still compares against their verbatim text.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "greater/task/task.h"

namespace greater {

struct TaskDefinition {
  std::string name;  // "navigate", "gsm8k", "folio"
  std::string file;  // relative to the data folder: "bbh/navigate.json"
  TaskFormat format = TaskFormat::BbhJson;
  AnswerFormat answer_format = AnswerFormat::Letter;
  // The answers the extractor lists, in the order written: {"A", ..., "F"} or {"Yes", "No"}.
  // Empty for integer tasks.
  std::vector<std::string> options;
  // Integer tasks only: "positive integer" or "positive or negative integer".
  std::string integer_kind;
  // Default split (docs/ALGORITHM.md §7; a size < 0 means all that remain). When dev_file or
  // test_file is set, that split is read from its own file instead of following train in `file`.
  int64_t train_size = 50, dev_size = 100, test_size = 100;
  std::string dev_file, test_file;
};

// The 21 BBH tasks of docs/ALGORITHM.md §8, in table order.
const std::vector<TaskDefinition>& bbh_tasks();

// The 21 BBH tasks, then "gsm8k" and "folio".
const std::vector<TaskDefinition>& paper_tasks();

// A task of paper_tasks() by name; greater::Error("task", ...) naming the value otherwise.
const TaskDefinition& find_task(const std::string& name);

enum class ExtractorStyle { Llama3, Gemma2 };

// "llama-3" -> Llama3, "gemma-2" -> Gemma2, "chatml" and "plain" -> Llama3 (they join chain and
// extractor with a space, as llama-3 does). Errors name the value.
ExtractorStyle extractor_style(const std::string& layout);

// "A".."F" for ('A', 'F').
std::vector<std::string> letter_range(char first, char last);

// The shared pieces, exactly as the scripts expand them (trailing spaces included).
std::string mcq_extractor(const std::vector<std::string>& letters, ExtractorStyle style);
std::string binary_extractor(const std::string& first, const std::string& second,
                             ExtractorStyle style);
std::string integer_extractor(const std::string& kind, ExtractorStyle style);

// The extractor text of a task under a chat layout name ("llama-3", "gemma-2", "chatml", "plain").
std::string extractor_text(const TaskDefinition& task, const std::string& layout);
std::string extractor_text(const std::string& task_name, const std::string& layout);

}  // namespace greater
