#include "greater/common/json_fields.h"

namespace greater {

Json parse_json(const std::string& text, const std::string& source) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    std::string what = e.what();
    const size_t tag_end = what.find("] ");  // drop "[json.exception.parse_error.101] "
    if (what.rfind("[json.exception", 0) == 0 && tag_end != std::string::npos)
      what = what.substr(tag_end + 2);
    throw Error(source, "not valid JSON: " + what);
  }
}

std::string describe_json(const Json& value) {
  if (value.is_null()) return "null";
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  const char* kind = value.is_number_integer() ? "an integer"
                     : value.is_number_float() ? "a float"
                     : value.is_string()       ? "a string"
                     : value.is_boolean()      ? "a boolean"
                     : value.is_array()        ? "an array"
                                               : "an object";
  return std::string(kind) + " " + text;
}

namespace {

[[noreturn]] void refuse(const Json& value, const JsonPath& at, const char* wanted) {
  at.fail(std::string("expected ") + wanted + ", got " + describe_json(value));
}

}  // namespace

const Json& as_object(const Json& value, const JsonPath& at) {
  if (!value.is_object()) refuse(value, at, "a JSON object");
  return value;
}

const Json& as_array(const Json& value, const JsonPath& at) {
  if (!value.is_array()) refuse(value, at, "an array");
  return value;
}

std::string as_string(const Json& value, const JsonPath& at) {
  if (!value.is_string()) refuse(value, at, "a string");
  return value.get<std::string>();
}

int64_t as_int(const Json& value, const JsonPath& at) {
  if (value.is_number_unsigned()) {
    if (value.get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX))
      return static_cast<int64_t>(value.get<uint64_t>());
  } else if (value.is_number_integer()) {
    return value.get<int64_t>();
  }
  refuse(value, at, "an integer");
}

double as_number(const Json& value, const JsonPath& at) {
  if (!value.is_number()) refuse(value, at, "a number");
  return value.get<double>();
}

bool as_bool(const Json& value, const JsonPath& at) {
  if (!value.is_boolean()) refuse(value, at, "true or false");
  return value.get<bool>();
}

const Json* find_field(const Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

const Json& require_field(const Json& obj, const char* key, const JsonPath& at) {
  as_object(obj, at);
  const auto it = obj.find(key);
  if (it == obj.end()) (at / key).fail("missing");
  return *it;
}

std::string get_string(const Json& obj, const char* key, const JsonPath& at) {
  return as_string(require_field(obj, key, at), at / key);
}

int64_t get_int(const Json& obj, const char* key, const JsonPath& at) {
  return as_int(require_field(obj, key, at), at / key);
}

double get_number(const Json& obj, const char* key, const JsonPath& at) {
  return as_number(require_field(obj, key, at), at / key);
}

const Json& get_array(const Json& obj, const char* key, const JsonPath& at) {
  return as_array(require_field(obj, key, at), at / key);
}

std::string get_string_or(const Json& obj, const char* key, const JsonPath& at,
                          const std::string& fallback) {
  const Json* v = find_field(obj, key);
  return v ? as_string(*v, at / key) : fallback;
}

int64_t get_int_or(const Json& obj, const char* key, const JsonPath& at, int64_t fallback) {
  const Json* v = find_field(obj, key);
  return v ? as_int(*v, at / key) : fallback;
}

double get_number_or(const Json& obj, const char* key, const JsonPath& at, double fallback) {
  const Json* v = find_field(obj, key);
  return v ? as_number(*v, at / key) : fallback;
}

bool get_bool_or(const Json& obj, const char* key, const JsonPath& at, bool fallback) {
  const Json* v = find_field(obj, key);
  return v ? as_bool(*v, at / key) : fallback;
}

}  // namespace greater
