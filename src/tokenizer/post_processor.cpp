#include "post_processor.h"

namespace greater::tok {

namespace {

// The "single" template: special tokens before $A form the prefix, those after it the suffix.
SpecialAffixes read_template(const Json& spec, const JsonPath& at) {
  const Json& single = get_array(spec, "single", at);
  const Json* specials = find_field(spec, "special_tokens");
  SpecialAffixes out;
  bool seen_sequence = false;
  for (size_t i = 0; i < single.size(); ++i) {
    const JsonPath item_at = (at / "single")[i];
    const Json& item = single[i];
    if (find_field(item, "Sequence")) {
      seen_sequence = true;
      continue;
    }
    const Json& piece = require_field(item, "SpecialToken", item_at);
    const std::string name = get_string(piece, "id", item_at / "SpecialToken");
    const Json* entry = specials ? find_field(*specials, name.c_str()) : nullptr;
    if (!entry)
      (at / "special_tokens")
          .fail("no entry for \"" + name + "\" used by single[" + std::to_string(i) + "]");
    const JsonPath entry_at = at / "special_tokens" / name;
    const Json& ids = get_array(*entry, "ids", entry_at);
    for (size_t k = 0; k < ids.size(); ++k) {
      const int64_t id = as_int(ids[k], (entry_at / "ids")[k]);
      if (id < 0 || id > INT32_MAX) (entry_at / "ids")[k].fail("expected a token id");
      (seen_sequence ? out.suffix : out.prefix).push_back(static_cast<TokenId>(id));
    }
  }
  if (!seen_sequence) (at / "single").fail("template has no {\"Sequence\": {\"id\": \"A\"}}");
  return out;
}

TokenId pair_id(const Json& spec, const char* key, const JsonPath& at) {
  const Json& v = require_field(spec, key, at);
  if (!v.is_array() || v.size() != 2 || !v[1].is_number_integer())
    (at / key).fail("expected [\"token\", id]");
  return static_cast<TokenId>(v[1].get<int64_t>());
}

}  // namespace

SpecialAffixes read_post_processor(const Json& spec, const JsonPath& at) {
  if (spec.is_null()) return {};
  const std::string type = get_type(spec, at);
  if (type == "ByteLevel") return {};
  if (type == "TemplateProcessing") return read_template(spec, at);
  if (type == "BertProcessing" || type == "RobertaProcessing") {
    return {{pair_id(spec, "cls", at)}, {pair_id(spec, "sep", at)}};
  }
  if (type == "Sequence") {
    // Each processor wraps the result of the previous one.
    const Json& list = get_array(spec, "processors", at);
    SpecialAffixes out;
    for (size_t i = 0; i < list.size(); ++i) {
      const SpecialAffixes step = read_post_processor(list[i], (at / "processors")[i]);
      out.prefix.insert(out.prefix.begin(), step.prefix.begin(), step.prefix.end());
      out.suffix.insert(out.suffix.end(), step.suffix.begin(), step.suffix.end());
    }
    return out;
  }
  (at / "type").fail("post_processor type \"" + type + "\" is not supported");
}

}  // namespace greater::tok
