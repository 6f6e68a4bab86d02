#define PCRE2_CODE_UNIT_WIDTH 8
#include "pcre_regex.h"

#include <pcre2.h>

#include "greater/common/error.h"
#include "unicode.h"

namespace greater::tok {

struct Regex::Compiled {
  pcre2_code* code = nullptr;
  ~Compiled() { pcre2_code_free(code); }
};

namespace {

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof(buffer));
  return reinterpret_cast<const char*>(buffer);
}

// Match data sized for one pair of offsets, reused per thread.
pcre2_match_data* thread_match_data() {
  struct Holder {
    pcre2_match_data* data = pcre2_match_data_create(1, nullptr);
    ~Holder() { pcre2_match_data_free(data); }
  };
  thread_local Holder holder;
  return holder.data;
}

}  // namespace

Regex::Regex(const std::string& pattern, const std::string& where) : compiled_(new Compiled) {
  int error = 0;
  PCRE2_SIZE error_offset = 0;
  compiled_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                  PCRE2_UTF | PCRE2_UCP, &error, &error_offset, nullptr);
  if (!compiled_->code) {
    throw Error(where, "regex does not compile at offset " + std::to_string(error_offset) + ": " +
                           pcre2_message(error));
  }
  // JIT is an optimisation only: the interpreter gives the same matches where JIT is unavailable.
  pcre2_jit_compile(compiled_->code, PCRE2_JIT_COMPLETE);
}

Regex::~Regex() = default;

void Regex::find_all(const std::string& text, std::vector<ByteRange>& out) const {
  pcre2_match_data* md = thread_match_data();
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  const size_t n = text.size();
  size_t start = 0;
  while (start <= n) {
    // The caller validated the UTF-8 once for the whole input.
    const int rc = pcre2_match(compiled_->code, subject, n, start, PCRE2_NO_UTF_CHECK, md, nullptr);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) throw Error("pcre2_match", pcre2_message(rc));
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
    const size_t first = ov[0], last = ov[1];
    if (last > first) {
      out.emplace_back(first, last);
      start = last;
    } else {
      // An empty match splits nothing; step over one whole character.
      if (first >= n) break;
      start = first + utf8_length(static_cast<unsigned char>(text[first]));
    }
  }
}

bool Regex::matches_fully(const std::string& text) const {
  pcre2_match_data* md = thread_match_data();
  const int rc =
      pcre2_match(compiled_->code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0,
                  PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_NO_UTF_CHECK, md, nullptr);
  return rc >= 0;
}

void find_all_literal(const std::string& text, const std::string& literal,
                      std::vector<ByteRange>& out) {
  if (literal.empty()) return;
  size_t pos = text.find(literal);
  while (pos != std::string::npos) {
    out.emplace_back(pos, pos + literal.size());
    pos = text.find(literal, pos + literal.size());
  }
}

}  // namespace greater::tok
