// Task files, splits and answers (docs/ALGORITHM.md §8, §7, §8). No models, no MPI.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace greater {

struct Example {
  int64_t index = 0;     // row in the task file (0-based), stable across splits
  std::string question;  // the user-turn text, as given by the file
  std::string target;    // the gold answer as written in the file, e.g. "(A)", "Yes", "24"
  std::string answer;    // the gold answer the model must produce: "(A)" -> "A", else target
};

enum class TaskFormat { BbhJson, Gsm8kJsonl, FolioCsv, Jsonl };

// "bbh", "gsm8k", "folio", "jsonl"; errors name the option value.
TaskFormat parse_task_format(const std::string& name);
std::string task_format_name(TaskFormat format);

// Reads every example of a task file. Errors name the file, the line (or example index) and
// the field: greater::Error("navigate.json: examples[12].target", "missing").
//  bbh:   {"examples": [{"input", "target"}, ...]}
//  gsm8k: JSON Lines {"question", "answer"}; the gold answer follows "#### " on the last line
//  folio: CSV with header goal,target,final_target (quoted multi-line fields)
//  jsonl: JSON Lines {"input", "target"}
std::vector<Example> load_task(const std::string& path, TaskFormat format);

// "(A)" -> "A" (one character in parentheses); anything else unchanged (docs/ALGORITHM.md §2).
std::string gold_answer(const std::string& target);

struct TaskSplits {
  std::vector<Example> train, dev, test;
};

// train = the first train_size examples, dev the next dev_size, test the next test_size (a
// size < 0 means "all that remain"). With shuffle_seed != 0 the rows are first shuffled by a
// seeded generator (the same on every platform). Errors when the file has too few rows.
TaskSplits split_task(std::vector<Example> examples, int64_t train_size, int64_t dev_size,
                      int64_t test_size, uint64_t shuffle_seed, const std::string& source);

// Where a job's examples come from: one task file, and optionally separate files for dev and
// test (FOLIO's dev/test, GSM8K's test).
struct SplitSources {
  std::string task, dev_task, test_task;  // dev_task/test_task empty: taken from `task`
  TaskFormat format = TaskFormat::Jsonl;
  int64_t train_size = 50, dev_size = 100, test_size = 100;
  uint64_t split_seed = 0;  // shuffles `task` before splitting (0: file order)
};

// Splits come from the front of the task file (after the seeded shuffle), except those with a
// file of their own, which take the front of that file, unshuffled.
TaskSplits load_splits(const SplitSources& sources);

enum class AnswerFormat { Letter, YesNo, TrueFalse, ValidInvalid, Integer, FreeText };

// "letter", "yes_no", "true_false", "valid_invalid", "integer", "free_text".
AnswerFormat parse_answer_format(const std::string& name);
std::string answer_format_name(AnswerFormat format);

// The answer a model's text states, normalized per format (docs/ALGORITHM.md §8):
// letter -> "C"; binary words -> lowercase word ("yes", "invalid"); integer -> "-12";
// free text -> trimmed, lowercase text up to the first newline. Empty when nothing parses.
std::string parse_answer(AnswerFormat format, const std::string& text);

// Parse-based correctness: parse_answer(text) equals the normalized gold answer.
bool answer_is_correct(AnswerFormat format, const std::string& text, const std::string& gold);

}  // namespace greater
