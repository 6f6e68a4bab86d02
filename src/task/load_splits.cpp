#include "greater/task/task.h"

namespace greater {

namespace {

std::vector<Example> front_of(const std::string& path, TaskFormat format, int64_t size) {
  return split_task(load_task(path, format), size, 0, 0, 0, path).train;
}

}  // namespace

TaskSplits load_splits(const SplitSources& s) {
  TaskSplits splits =
      split_task(load_task(s.task, s.format), s.train_size, s.dev_task.empty() ? s.dev_size : 0,
                 s.test_task.empty() ? s.test_size : 0, s.split_seed, s.task);
  if (!s.dev_task.empty()) splits.dev = front_of(s.dev_task, s.format, s.dev_size);
  if (!s.test_task.empty()) splits.test = front_of(s.test_task, s.format, s.test_size);
  return splits;
}

}  // namespace greater
