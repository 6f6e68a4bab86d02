// UTF-8 helpers and the GPT-2 byte-level alphabet used by byte-level BPE.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace greater::tok {

constexpr size_t kNoPosition = static_cast<size_t>(-1);

// Byte offset of the first byte that is not part of well-formed UTF-8, or kNoPosition.
size_t find_invalid_utf8(const std::string& s);

// Decodes the code point at s[pos] (s must be valid UTF-8) and advances pos past it.
uint32_t next_code_point(const std::string& s, size_t& pos);

// Length in bytes of the UTF-8 sequence that starts with `lead` (valid input assumed).
inline size_t utf8_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

void append_utf8(std::string& out, uint32_t cp);

// As Rust's String::from_utf8_lossy: every maximal ill-formed subsequence becomes one U+FFFD.
std::string utf8_lossy(const std::string& bytes);

// Rust's char::is_whitespace (Unicode White_Space).
bool is_unicode_whitespace(uint32_t cp);

// Byte -> its printable stand-in in byte-level BPE vocabularies (0x20 -> "Ġ", 0x0A -> "Ċ").
const std::array<std::string, 256>& byte_level_chars();
// The inverse for one code point: the byte, or -1 when cp is not in the alphabet.
int byte_level_byte(uint32_t cp);

}  // namespace greater::tok
