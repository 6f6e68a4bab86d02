// Helpers for the task tests: the shipped data folder and throw-away files.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "greater/common/file_util.h"

namespace greater::test {

inline std::string data_dir() { return std::string(GREATER_SOURCE_DIR) + "/data"; }

// Writes `text` to a fresh file in the test temp folder and returns its path.
inline std::string write_temp_file(const std::string& name, const std::string& text) {
  const std::string path = join_path(::testing::TempDir(), "greater_task_" + name);
  write_file_atomic(path, text);
  return path;
}

// Runs `fn`, expects a greater::Error, returns its message (empty and a failure otherwise).
template <typename Fn>
std::string error_of(Fn fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an error";
  return "";
}

}  // namespace greater::test
