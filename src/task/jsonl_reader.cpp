// JSON Lines task files: {"input", "target"} rows, and GSM8K's {"question", "answer"} rows
// whose gold answer follows "#### " on the answer's last line.
#include <functional>

#include "greater/common/json_fields.h"
#include "readers.h"

namespace greater::task_detail {

namespace {

// Calls row(json, at, index) for every non-blank line; at names "<path>: line N".
void for_each_json_line(const std::string& text, const std::string& path,
                        const std::function<void(const Json&, const JsonPath&, int64_t)>& row) {
  int64_t index = 0;
  size_t start = 0;
  for (int64_t line_no = 1; start < text.size(); ++line_no) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const JsonPath at(path + ": line " + std::to_string(line_no));
    row(parse_json(line, at.source()), at, index++);
  }
}

bool is_integer_text(const std::string& s) {
  size_t i = (!s.empty() && s[0] == '-') ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

}  // namespace

std::vector<Example> read_input_target_jsonl(const std::string& text, const std::string& path) {
  std::vector<Example> out;
  for_each_json_line(text, path, [&](const Json& j, const JsonPath& at, int64_t i) {
    Example e;
    e.index = i;
    e.question = get_string(j, "input", at);
    e.target = get_string(j, "target", at);
    e.answer = gold_answer(e.target);
    out.push_back(std::move(e));
  });
  return out;
}

// target = the text after "#### " as written ("1,000"); answer = the integer the model must
// produce, without thousands separators ("1000"), since the extractor asks for a NUMBER.
std::vector<Example> read_gsm8k_jsonl(const std::string& text, const std::string& path) {
  std::vector<Example> out;
  for_each_json_line(text, path, [&](const Json& j, const JsonPath& at, int64_t i) {
    Example e;
    e.index = i;
    e.question = get_string(j, "question", at);
    const std::string solution = get_string(j, "answer", at);
    const size_t last_line = solution.rfind('\n');
    std::string final_line =
        last_line == std::string::npos ? solution : solution.substr(last_line + 1);
    if (final_line.rfind("#### ", 0) != 0) {
      (at / "answer").fail("the last line does not start with \"#### \"");
    }
    final_line = final_line.substr(5);
    const size_t first = final_line.find_first_not_of(" \t\r");
    const size_t last = final_line.find_last_not_of(" \t\r");
    e.target = first == std::string::npos ? "" : final_line.substr(first, last - first + 1);
    for (char c : e.target) {
      if (c != ',') e.answer += c;
    }
    if (!is_integer_text(e.answer)) {
      (at / "answer").fail("final answer \"" + e.target + "\" is not an integer");
    }
    out.push_back(std::move(e));
  });
  return out;
}

}  // namespace greater::task_detail
