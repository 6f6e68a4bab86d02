// tokenizer.json "post_processor": what encode(..., add_special_tokens=true) adds around the
// ids of a single sequence. Only single sequences are encoded in this project, so the processor
// reduces to a fixed prefix and suffix of ids.
#pragma once

#include <vector>

#include "greater/tokenizer/tokenizer.h"
#include "json_pattern.h"

namespace greater::tok {

struct SpecialAffixes {
  TokenIds prefix;
  TokenIds suffix;
};

// Reads ByteLevel (adds nothing), TemplateProcessing, BertProcessing, RobertaProcessing and
// Sequence; null adds nothing.
SpecialAffixes read_post_processor(const Json& spec, const JsonPath& at);

}  // namespace greater::tok
