// One reader per task file format; load_task() picks one. `path` only names the file in errors.
#pragma once

#include <string>
#include <vector>

#include "greater/task/task.h"

namespace greater::task_detail {

std::vector<Example> read_bbh_json(const std::string& text, const std::string& path);
std::vector<Example> read_input_target_jsonl(const std::string& text, const std::string& path);
std::vector<Example> read_gsm8k_jsonl(const std::string& text, const std::string& path);
std::vector<Example> read_folio_csv(const std::string& text, const std::string& path);

}  // namespace greater::task_detail
