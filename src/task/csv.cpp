// RFC 4180 CSV reader (see csv.h): one pass, a quoted/unquoted state per field.
#include "greater/task/csv.h"

#include "greater/common/error.h"

namespace greater {

namespace {

std::string at_line(const std::string& source, int64_t line) {
  return source + ": line " + std::to_string(line);
}

}  // namespace

std::vector<CsvRecord> parse_csv(const std::string& text, const std::string& source) {
  std::vector<CsvRecord> records;
  size_t i = text.rfind("\xef\xbb\xbf", 0) == 0 ? 3 : 0;
  int64_t line = 1;
  CsvRecord record;
  record.line = 1;
  std::string field;
  bool field_quoted = false;  // the current field was quoted (and its quote is closed)

  auto end_field = [&] {
    record.fields.push_back(std::move(field));
    field.clear();
    field_quoted = false;
  };
  auto end_record = [&] {
    const bool blank_line = record.fields.empty() && field.empty() && !field_quoted;
    end_field();
    if (!blank_line) records.push_back(std::move(record));
    record = CsvRecord{};
    record.line = line;  // the caller has advanced `line` past the newline
  };

  while (i < text.size()) {
    const char c = text[i];
    if (c == '"') {
      if (!field.empty() || field_quoted) {
        throw Error(at_line(source, line), "stray '\"' inside a field (quote the whole field)");
      }
      const int64_t opened = line;
      ++i;
      while (true) {
        if (i >= text.size()) {
          throw Error(at_line(source, opened),
                      "unclosed quote: the quoted field that starts here never ends");
        }
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (text[i] == '\n') ++line;
        field += text[i++];
      }
      field_quoted = true;
      if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
        throw Error(at_line(source, line),
                    "text after a closing quote (expected ',' or a newline)");
      }
    } else if (c == ',') {
      end_field();
      ++i;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      ++i;  // CRLF: the LF ends the record
    } else if (c == '\n') {
      ++line;
      ++i;
      end_record();
    } else {
      if (field_quoted) {
        throw Error(at_line(source, line),
                    "text after a closing quote (expected ',' or a newline)");
      }
      field += c;
      ++i;
    }
  }
  if (!field.empty() || field_quoted || !record.fields.empty()) end_record();
  return records;
}

}  // namespace greater
