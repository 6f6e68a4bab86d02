// BIG-Bench Hard task files: {"canary": ..., "examples": [{"input": str, "target": str}, ...]}.
#include "greater/common/error.h"
#include "json_fields.h"
#include "readers.h"

namespace greater::task_detail {

std::vector<Example> read_bbh_json(const std::string& text, const std::string& path) {
  const nlohmann::json doc = parse_json(text, path);
  if (!doc.is_object())
    throw Error(path, std::string("not a JSON object (") + doc.type_name() + ")");
  const auto examples = doc.find("examples");
  if (examples == doc.end()) throw Error(path + ": examples", "missing");
  if (!examples->is_array()) {
    throw Error(path + ": examples", std::string("not an array (") + examples->type_name() + ")");
  }
  std::vector<Example> out;
  out.reserve(examples->size());
  for (size_t i = 0; i < examples->size(); ++i) {
    const std::string where = path + ": examples[" + std::to_string(i) + "]";
    Example e;
    e.index = static_cast<int64_t>(i);
    e.question = string_field((*examples)[i], "input", where);
    e.target = string_field((*examples)[i], "target", where);
    e.answer = gold_answer(e.target);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace greater::task_detail
