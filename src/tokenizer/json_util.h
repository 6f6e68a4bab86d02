// Reading tokenizer.json fields with errors that name the file and the field
// ("<file>: model.merges[12]: ...").
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "greater/common/error.h"

namespace greater::tok {

using Json = nlohmann::json;

// Where a JSON value sits: the source file and the dotted path of the field.
class JsonPath {
 public:
  JsonPath(std::string source, std::string path)
      : source_(std::move(source)), path_(std::move(path)) {}

  JsonPath operator/(const std::string& key) const {
    return JsonPath(source_, path_.empty() ? key : path_ + "." + key);
  }
  JsonPath operator[](size_t index) const {
    return JsonPath(source_, path_ + "[" + std::to_string(index) + "]");
  }

  const std::string& source() const { return source_; }
  std::string where() const { return path_.empty() ? source_ : source_ + ": " + path_; }
  [[noreturn]] void fail(const std::string& what) const { throw Error(where(), what); }

 private:
  std::string source_;
  std::string path_;
};

// `obj` is the JSON object found at `at`. A missing key and a JSON null are both "absent".
inline const Json* find_field(const Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

inline const Json& require_field(const Json& obj, const char* key, const JsonPath& at) {
  if (!obj.is_object()) at.fail("expected a JSON object");
  const Json* v = find_field(obj, key);
  if (!v) (at / key).fail("missing");
  return *v;
}

inline std::string as_string(const Json& v, const JsonPath& at) {
  if (!v.is_string()) at.fail("expected a string, got " + std::string(v.type_name()));
  return v.get<std::string>();
}

inline std::string get_string(const Json& obj, const char* key, const JsonPath& at) {
  return as_string(require_field(obj, key, at), at / key);
}

inline std::string get_string_or(const Json& obj, const char* key, const JsonPath& at,
                                 const std::string& fallback) {
  const Json* v = find_field(obj, key);
  return v ? as_string(*v, at / key) : fallback;
}

inline bool get_bool_or(const Json& obj, const char* key, const JsonPath& at, bool fallback) {
  const Json* v = find_field(obj, key);
  if (!v) return fallback;
  if (!v->is_boolean()) (at / key).fail("expected true or false");
  return v->get<bool>();
}

inline int64_t as_int(const Json& v, const JsonPath& at) {
  if (!v.is_number_integer()) at.fail("expected an integer");
  return v.get<int64_t>();
}

inline int64_t get_int_or(const Json& obj, const char* key, const JsonPath& at, int64_t fallback) {
  const Json* v = find_field(obj, key);
  return v ? as_int(*v, at / key) : fallback;
}

inline const Json& get_array(const Json& obj, const char* key, const JsonPath& at) {
  const Json& v = require_field(obj, key, at);
  if (!v.is_array()) (at / key).fail("expected an array");
  return v;
}

// The "type" of a component ("BPE", "Split", ...).
inline std::string get_type(const Json& obj, const JsonPath& at) {
  return get_string(obj, "type", at);
}

// {"String": "x"} or {"Regex": "x"}, the two pattern forms of tokenizer.json.
struct PatternSpec {
  std::string text;
  bool is_regex = false;
};

inline PatternSpec get_pattern(const Json& obj, const JsonPath& at) {
  const Json& p = require_field(obj, "pattern", at);
  const JsonPath pat = at / "pattern";
  if (const Json* s = find_field(p, "String")) return {as_string(*s, pat / "String"), false};
  if (const Json* r = find_field(p, "Regex")) return {as_string(*r, pat / "Regex"), true};
  pat.fail("expected {\"String\": ...} or {\"Regex\": ...}");
}

}  // namespace greater::tok
