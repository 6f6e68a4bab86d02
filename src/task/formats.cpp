// Option names of task and answer formats; the gold answer of a target.
#include "greater/common/error.h"
#include "greater/task/task.h"

namespace greater {

TaskFormat parse_task_format(const std::string& name) {
  if (name == "bbh") return TaskFormat::BbhJson;
  if (name == "gsm8k") return TaskFormat::Gsm8kJsonl;
  if (name == "folio") return TaskFormat::FolioCsv;
  if (name == "jsonl") return TaskFormat::Jsonl;
  throw Error("task_format",
              "unknown value \"" + name + "\" (expected bbh, gsm8k, folio or jsonl)");
}

std::string task_format_name(TaskFormat format) {
  switch (format) {
    case TaskFormat::BbhJson:
      return "bbh";
    case TaskFormat::Gsm8kJsonl:
      return "gsm8k";
    case TaskFormat::FolioCsv:
      return "folio";
    case TaskFormat::Jsonl:
      return "jsonl";
  }
  return "?";
}

AnswerFormat parse_answer_format(const std::string& name) {
  if (name == "letter") return AnswerFormat::Letter;
  if (name == "yes_no") return AnswerFormat::YesNo;
  if (name == "true_false") return AnswerFormat::TrueFalse;
  if (name == "valid_invalid") return AnswerFormat::ValidInvalid;
  if (name == "integer") return AnswerFormat::Integer;
  if (name == "free_text") return AnswerFormat::FreeText;
  throw Error("answer_format",
              "unknown value \"" + name +
                  "\" (expected letter, yes_no, true_false, valid_invalid, integer or free_text)");
}

std::string answer_format_name(AnswerFormat format) {
  switch (format) {
    case AnswerFormat::Letter:
      return "letter";
    case AnswerFormat::YesNo:
      return "yes_no";
    case AnswerFormat::TrueFalse:
      return "true_false";
    case AnswerFormat::ValidInvalid:
      return "valid_invalid";
    case AnswerFormat::Integer:
      return "integer";
    case AnswerFormat::FreeText:
      return "free_text";
  }
  return "?";
}

std::string gold_answer(const std::string& target) {
  if (target.size() == 3 && target[0] == '(' && target[2] == ')') return target.substr(1, 1);
  return target;
}

}  // namespace greater
