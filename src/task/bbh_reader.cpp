// BIG-Bench Hard task files: {"canary": ..., "examples": [{"input": str, "target": str}, ...]}.
#include "greater/common/json_fields.h"
#include "readers.h"

namespace greater::task_detail {

std::vector<Example> read_bbh_json(const std::string& text, const std::string& path) {
  const JsonPath at(path);
  const Json doc = parse_json(text, path);
  const Json& examples = get_array(as_object(doc, at), "examples", at);
  std::vector<Example> out;
  out.reserve(examples.size());
  for (size_t i = 0; i < examples.size(); ++i) {
    const JsonPath example_at = (at / "examples")[i];
    Example e;
    e.index = static_cast<int64_t>(i);
    e.question = get_string(examples[i], "input", example_at);
    e.target = get_string(examples[i], "target", example_at);
    e.answer = gold_answer(e.target);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace greater::task_detail
