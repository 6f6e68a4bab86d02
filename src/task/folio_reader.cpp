// FOLIO as prepared by GReaTer: CSV with header goal,target,final_target; the question is
// `goal` (a quoted multi-line field) and the gold answer `final_target` ("(A)".."(C)").
#include <algorithm>

#include "greater/common/error.h"
#include "greater/task/csv.h"
#include "readers.h"

namespace greater::task_detail {

std::vector<Example> read_folio_csv(const std::string& text, const std::string& path) {
  const std::vector<CsvRecord> records = parse_csv(text, path);
  if (records.empty())
    throw Error(path, "empty file (expected the header goal,target,final_target)");
  const std::vector<std::string>& header = records[0].fields;
  auto column = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) {
      throw Error(path + ": line " + std::to_string(records[0].line),
                  "the header has no column \"" + name + "\" (expected goal,target,final_target)");
    }
    return static_cast<size_t>(it - header.begin());
  };
  const size_t goal = column("goal");
  const size_t final_target = column("final_target");

  std::vector<Example> out;
  out.reserve(records.size() - 1);
  for (size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& rec = records[r];
    const std::string where = path + ": line " + std::to_string(rec.line);
    if (rec.fields.size() != header.size()) {
      throw Error(where, "has " + std::to_string(rec.fields.size()) + " fields, the header has " +
                             std::to_string(header.size()));
    }
    Example e;
    e.index = static_cast<int64_t>(r - 1);
    e.question = rec.fields[goal];
    e.target = rec.fields[final_target];
    if (e.question.empty()) throw Error(where + ": goal", "empty");
    if (e.target.empty()) throw Error(where + ": final_target", "empty");
    e.answer = gold_answer(e.target);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace greater::task_detail
