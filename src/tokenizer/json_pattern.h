// The field forms every tokenizer.json component shares: its "type" and its "pattern".
#pragma once

#include <string>

#include "greater/common/json_fields.h"

namespace greater::tok {

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
