// Checked reading of JSON files (tokenizer.json, config.json, task files): every error names
// the file and the field, and says what was wanted and what was found
// ("tokenizer.json: model.merges[12]: expected a string, got an integer 7").
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "greater/common/error.h"

namespace greater {

using Json = nlohmann::json;

// Where a JSON value sits: the source (a file, or a line of one) and the field's path in it.
class JsonPath {
 public:
  explicit JsonPath(std::string source, std::string path = "")
      : source_(std::move(source)), path_(std::move(path)) {}

  JsonPath operator/(const std::string& key) const {
    return JsonPath(source_, path_.empty() ? key : path_ + "." + key);
  }
  JsonPath operator[](size_t index) const {
    return JsonPath(source_, path_ + "[" + std::to_string(index) + "]");
  }

  const std::string& source() const { return source_; }
  // "<source>: <path>", or the source alone at the top level.
  std::string where() const { return path_.empty() ? source_ : source_ + ": " + path_; }
  [[noreturn]] void fail(const std::string& what) const { throw Error(where(), what); }

 private:
  std::string source_;
  std::string path_;
};

// Parses `text`; a syntax error says "not valid JSON" with the parser's position.
Json parse_json(const std::string& text, const std::string& source);

// A value as error messages name it: "an integer 5", "a string \"64\"", "null" (long values cut).
std::string describe_json(const Json& value);

// The value as a type, or "expected <type>, got <describe_json(value)>" at `at`.
const Json& as_object(const Json& value, const JsonPath& at);
const Json& as_array(const Json& value, const JsonPath& at);
std::string as_string(const Json& value, const JsonPath& at);
int64_t as_int(const Json& value, const JsonPath& at);  // integers only, no 2.0
double as_number(const Json& value, const JsonPath& at);
bool as_bool(const Json& value, const JsonPath& at);

// obj[key] when `obj` is an object that holds `key` with a value other than null; else null.
// Optional fields treat an explicit null as absent, as Hugging Face's readers do.
const Json* find_field(const Json& obj, const char* key);

// obj[key], where `at` names `obj`: "missing" when absent; an explicit null is returned (and
// refused by the as_ function that reads it).
const Json& require_field(const Json& obj, const char* key, const JsonPath& at);

// Required fields of a type.
std::string get_string(const Json& obj, const char* key, const JsonPath& at);
int64_t get_int(const Json& obj, const char* key, const JsonPath& at);
double get_number(const Json& obj, const char* key, const JsonPath& at);
const Json& get_array(const Json& obj, const char* key, const JsonPath& at);

// Optional fields: `fallback` when absent or null.
std::string get_string_or(const Json& obj, const char* key, const JsonPath& at,
                          const std::string& fallback);
int64_t get_int_or(const Json& obj, const char* key, const JsonPath& at, int64_t fallback);
double get_number_or(const Json& obj, const char* key, const JsonPath& at, double fallback);
bool get_bool_or(const Json& obj, const char* key, const JsonPath& at, bool fallback);

}  // namespace greater
