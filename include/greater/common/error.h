// One exception type for every input problem, so the executables can turn any of them into
// one clear line on stderr: "<file>: <what is wrong>".
#pragma once

#include <stdexcept>
#include <string>

namespace greater {

class Error : public std::runtime_error {
 public:
  // `where` names the file (and field or line when known); `what` says what is wrong with it.
  Error(const std::string& where, const std::string& what)
      : std::runtime_error(where.empty() ? what : where + ": " + what), where_(where) {}

  const std::string& where() const { return where_; }

 private:
  std::string where_;
};

}  // namespace greater
