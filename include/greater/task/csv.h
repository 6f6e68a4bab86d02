// RFC 4180 CSV: comma-separated, fields optionally in double quotes, "" inside quotes for a
// quote, quoted fields may span lines; LF or CRLF between records.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace greater {

struct CsvRecord {
  int64_t line = 0;  // 1-based line of the file where the record starts
  std::vector<std::string> fields;
};

// Parses a whole file's text. Empty lines between records are skipped, a leading UTF-8 BOM is
// dropped. Errors name `source` and the line: an unclosed quote names the line where the
// quoted field opened; a stray quote inside an unquoted field or text after a closing quote
// names its own line.
std::vector<CsvRecord> parse_csv(const std::string& text, const std::string& source);

}  // namespace greater
