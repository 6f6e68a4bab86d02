// load_task(): reads a task file and hands its text to the reader of its format.
#include "greater/common/error.h"
#include "greater/common/file_util.h"
#include "readers.h"

namespace greater {

std::vector<Example> load_task(const std::string& path, TaskFormat format) {
  const std::string text = read_file(path);
  switch (format) {
    case TaskFormat::BbhJson:
      return task_detail::read_bbh_json(text, path);
    case TaskFormat::Gsm8kJsonl:
      return task_detail::read_gsm8k_jsonl(text, path);
    case TaskFormat::FolioCsv:
      return task_detail::read_folio_csv(text, path);
    case TaskFormat::Jsonl:
      return task_detail::read_input_target_jsonl(text, path);
  }
  throw Error(path, "unknown task format");
}

}  // namespace greater
