// Unicode canonical composition (NFC), as the NFC normalizer of tokenizer.json (Qwen2/Qwen3)
// applies it: canonical decomposition, canonical ordering of combining marks, then canonical
// composition (Unicode Standard Annex #15). Tables: nfc_tables.inc (make_nfc_tables.py).
#pragma once

#include <string>

namespace greater::tok {

// `text` must be valid UTF-8. Pure ASCII is returned unchanged without work.
std::string to_nfc(const std::string& text);

}  // namespace greater::tok
