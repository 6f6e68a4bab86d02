// Checked access to JSON fields; errors say where ("navigate.json: examples[12].target").
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "greater/common/error.h"

namespace greater::task_detail {

// Parses JSON text; a syntax error names `where` and nlohmann's line and column.
inline nlohmann::json parse_json(const std::string& text, const std::string& where) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    const size_t tag_end = what.find("] ");  // drop "[json.exception.parse_error.101] "
    if (what.rfind("[json.exception", 0) == 0 && tag_end != std::string::npos) {
      what = what.substr(tag_end + 2);
    }
    throw Error(where, "invalid JSON: " + what);
  }
}

// obj[key] as a string; `where` names obj ("navigate.json: examples[12]").
inline std::string string_field(const nlohmann::json& obj, const char* key,
                                const std::string& where, const char* separator = ".") {
  if (!obj.is_object()) throw Error(where, std::string("not an object (") + obj.type_name() + ")");
  const auto it = obj.find(key);
  if (it == obj.end()) throw Error(where + separator + key, "missing");
  if (!it->is_string()) {
    throw Error(where + separator + key, std::string("not a string (") + it->type_name() + ")");
  }
  return it->get<std::string>();
}

}  // namespace greater::task_detail
