// A compiled PCRE2 pattern with Unicode semantics (UTF + UCP, so \p{L}, \s and \w follow the
// Unicode tables), JIT-compiled when the platform allows it.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace greater::tok {

using ByteRange = std::pair<size_t, size_t>;  // [first, second) byte offsets

class Regex {
 public:
  // Throws greater::Error(where, ...) when the pattern does not compile.
  Regex(const std::string& pattern, const std::string& where);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Appends every non-empty, non-overlapping match in `text` (valid UTF-8), left to right.
  void find_all(const std::string& text, std::vector<ByteRange>& out) const;

  // True when the pattern matches the whole of `text`.
  bool matches_fully(const std::string& text) const;

 private:
  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
};

// Finds every non-overlapping occurrence of a literal (the {"String": ...} pattern form).
void find_all_literal(const std::string& text, const std::string& literal,
                      std::vector<ByteRange>& out);

}  // namespace greater::tok
