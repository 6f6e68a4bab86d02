// The paper's task table (docs/ALGORITHM.md §8) and the extractor texts built from it.
#include "greater/task/extractors.h"

#include "greater/common/error.h"

namespace greater {

namespace {

TaskDefinition mcq(const std::string& name, char last) {
  TaskDefinition t;
  t.name = name;
  t.file = "bbh/" + name + ".json";
  t.answer_format = AnswerFormat::Letter;
  t.options = letter_range('A', last);
  return t;
}

TaskDefinition binary(const std::string& name, AnswerFormat format, const std::string& first,
                      const std::string& second) {
  TaskDefinition t;
  t.name = name;
  t.file = "bbh/" + name + ".json";
  t.answer_format = format;
  t.options = {first, second};
  return t;
}

TaskDefinition integer(const std::string& name, const std::string& kind) {
  TaskDefinition t;
  t.name = name;
  t.file = "bbh/" + name + ".json";
  t.answer_format = AnswerFormat::Integer;
  t.integer_kind = kind;
  return t;
}

// TextGrad's split is train [0,50), dev [50,150), test [150,): 100 test rows for the 250-row
// tasks. The smaller tasks take what remains after 50 + 100 (causal_judgement 37, snarks 28);
// penguins_in_a_table (146 rows) would have no test rows, so it splits 50 / 48 / 48.
TaskDefinition with_test_remainder(TaskDefinition t, int64_t dev_size = 100) {
  t.dev_size = dev_size;
  t.test_size = -1;
  return t;
}

std::vector<TaskDefinition> make_bbh_tasks() {
  const auto yes_no = AnswerFormat::YesNo;
  return {
      binary("boolean_expressions", AnswerFormat::TrueFalse, "True", "False"),
      with_test_remainder(binary("causal_judgement", yes_no, "Yes", "No")),
      mcq("date_understanding", 'F'),  // the scripts list A–E; 34 gold rows are (F)
      mcq("disambiguation_qa", 'C'),
      binary("formal_fallacies", AnswerFormat::ValidInvalid, "valid", "invalid"),
      mcq("geometric_shapes", 'K'),  // the scripts list A–J; 50 gold rows are (K)
      mcq("hyperbaton", 'B'),
      mcq("logical_deduction_five_objects", 'E'),
      mcq("movie_recommendation", 'E'),  // the scripts list A–D; 8 gold rows are (E)
      integer("multistep_arithmetic_two", "positive or negative integer"),
      binary("navigate", yes_no, "Yes", "No"),
      integer("object_counting", "positive integer"),
      with_test_remainder(mcq("penguins_in_a_table", 'E'), 48),
      mcq("reasoning_about_colored_objects", 'R'),
      mcq("ruin_names", 'D'),
      mcq("salient_translation_error_detection", 'F'),
      with_test_remainder(mcq("snarks", 'B')),
      binary("sports_understanding", yes_no, "yes", "no"),
      mcq("temporal_sequences", 'D'),
      mcq("tracking_shuffled_objects_five_objects", 'E'),
      binary("web_of_lies", yes_no, "Yes", "No"),
  };
}

// GSM8K: 100 train / 100 dev from train.jsonl (paper, §4), the official 1319 test questions.
TaskDefinition make_gsm8k() {
  TaskDefinition t;
  t.name = "gsm8k";
  t.file = "gsm8k/train.jsonl";
  t.format = TaskFormat::Gsm8kJsonl;
  t.answer_format = AnswerFormat::Integer;
  t.integer_kind = "positive or negative integer";  // 5 gold answers are negative
  t.train_size = 100;
  t.dev_size = 100;
  t.test_size = -1;
  t.test_file = "gsm8k/test.jsonl";
  return t;
}

// FOLIO: the 50 optimisation rows of the reference from train.csv; dev.csv and test.csv whole.
TaskDefinition make_folio() {
  TaskDefinition t;
  t.name = "folio";
  t.file = "folio/train.csv";
  t.format = TaskFormat::FolioCsv;
  t.answer_format = AnswerFormat::Letter;
  t.options = letter_range('A', 'C');
  t.train_size = 50;
  t.dev_size = -1;
  t.test_size = -1;
  t.dev_file = "folio/dev.csv";
  t.test_file = "folio/test.csv";
  return t;
}

std::string quoted_options(const std::vector<std::string>& options, const std::string& marker) {
  std::string out;
  for (size_t i = 0; i < options.size(); ++i) {
    if (i > 0) out += " or ";
    out += "'" + marker + options[i] + "'";
  }
  return out;
}

}  // namespace

const std::vector<TaskDefinition>& bbh_tasks() {
  static const std::vector<TaskDefinition> tasks = make_bbh_tasks();
  return tasks;
}

const std::vector<TaskDefinition>& paper_tasks() {
  static const std::vector<TaskDefinition> tasks = [] {
    std::vector<TaskDefinition> all = bbh_tasks();
    all.push_back(make_gsm8k());
    all.push_back(make_folio());
    return all;
  }();
  return tasks;
}

const TaskDefinition& find_task(const std::string& name) {
  for (const TaskDefinition& t : paper_tasks()) {
    if (t.name == name) return t;
  }
  throw Error("task",
              "unknown task \"" + name +
                  "\" (expected one of the 21 BBH tasks of docs/ALGORITHM.md §8, gsm8k or folio)");
}

ExtractorStyle extractor_style(const std::string& layout) {
  // chatml, like plain, joins chain and extractor with a space, as the llama-3 layout does.
  if (layout == "llama-3" || layout == "plain" || layout == "chatml") return ExtractorStyle::Llama3;
  if (layout == "gemma-2") return ExtractorStyle::Gemma2;
  throw Error("layout",
              "unknown value \"" + layout + "\" (expected llama-3, gemma-2, chatml or plain)");
}

std::vector<std::string> letter_range(char first, char last) {
  std::vector<std::string> out;
  for (char c = first; c <= last; ++c) out.emplace_back(1, c);
  return out;
}

std::string mcq_extractor(const std::vector<std::string>& letters, ExtractorStyle style) {
  const std::string marker = style == ExtractorStyle::Llama3 ? "$" : "$ ";
  return "Therefore, the final answer (use exact format: " + quoted_options(letters, marker) +
         ") is $";
}

std::string binary_extractor(const std::string& first, const std::string& second,
                             ExtractorStyle style) {
  return "Therefore, the final answer (use exact format: " + quoted_options({first, second}, "$ ") +
         ") is $" + (style == ExtractorStyle::Llama3 ? " " : "");
}

std::string integer_extractor(const std::string& kind, ExtractorStyle style) {
  const std::string open = style == ExtractorStyle::Llama3 ? "$" : "**";
  return "Therefore, the final answer (use exactly this format: " + open + "NUMBER" + open +
         ", where NUMBER is a " + kind + ") is " + open;
}

std::string extractor_text(const TaskDefinition& task, const std::string& layout) {
  const ExtractorStyle style = extractor_style(layout);
  switch (task.answer_format) {
    case AnswerFormat::Letter:
      return mcq_extractor(task.options, style);
    case AnswerFormat::YesNo:
    case AnswerFormat::TrueFalse:
    case AnswerFormat::ValidInvalid:
      return binary_extractor(task.options.at(0), task.options.at(1), style);
    case AnswerFormat::Integer:
      return integer_extractor(task.integer_kind, style);
    case AnswerFormat::FreeText:
      break;
  }
  throw Error("task " + task.name,
              "no extractor for answer format " + answer_format_name(task.answer_format));
}

std::string extractor_text(const std::string& task_name, const std::string& layout) {
  return extractor_text(find_task(task_name), layout);
}

}  // namespace greater
