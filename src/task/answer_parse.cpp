// Parse-based answers (docs/ALGORITHM.md §8): what a model's text states, normalized
// so that it can be compared with the gold answer parsed the same way.
#include <cctype>

#include "greater/task/task.h"

namespace greater {

namespace {

bool is_ascii_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// MCQ: skip `$`, `*`, whitespace, parentheses, quotes and backticks; the next character must
// be a letter A–R standing alone ("B)", "C.", "D$"), so that words ("Answer", the free-text
// gold rows) do not read as options.
std::string parse_letter(const std::string& text) {
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '$' || c == '*' || c == '(' || c == ')' || c == '\'' || c == '"' || c == '`' ||
        std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else {
      break;
    }
  }
  if (i == text.size() || text[i] < 'A' || text[i] > 'R') return "";
  if (i + 1 < text.size() && is_ascii_letter(text[i + 1])) return "";
  return std::string(1, text[i]);
}

// Binary words: the first alphabetic word, lowercased; only the format's two words count, so
// "invalid" never reads as "valid" and "not" is no answer.
std::string parse_word(const std::string& text, const char* first, const char* second) {
  size_t i = 0;
  while (i < text.size() && !is_ascii_letter(text[i])) ++i;
  std::string word;
  while (i < text.size() && is_ascii_letter(text[i])) {
    word += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
    ++i;
  }
  return word == first || word == second ? word : "";
}

// Integers: drop `$`, `*` and `,`, then the first run of digits with a '-' (or U+2212 minus)
// right before it; leading zeros removed, "-0" -> "0". Decimals stop at the point ("12.5" ->
// "12"). Kept as text, so any length compares exactly.
std::string parse_integer(const std::string& text) {
  std::string s;
  for (char c : text) {
    if (c != '$' && c != '*' && c != ',') s += c;
  }
  size_t i = 0;
  while (i < s.size() && !is_digit(s[i])) ++i;
  if (i == s.size()) return "";
  bool negative = false;
  if (i >= 1 && s[i - 1] == '-') negative = true;
  if (i >= 3 && s.compare(i - 3, 3, "\xe2\x88\x92") == 0) negative = true;
  size_t end = i;
  while (end < s.size() && is_digit(s[end])) ++end;
  while (i + 1 < end && s[i] == '0') ++i;
  std::string digits = s.substr(i, end - i);
  if (digits == "0") negative = false;
  return negative ? "-" + digits : digits;
}

// Free text: the first line, trimmed, lowercased.
std::string parse_free_text(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  size_t begin = 0, end = line.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(line[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(line[end - 1]))) --end;
  std::string out;
  for (size_t i = begin; i < end; ++i) {
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(line[i])));
  }
  return out;
}

}  // namespace

std::string parse_answer(AnswerFormat format, const std::string& text) {
  switch (format) {
    case AnswerFormat::Letter:
      return parse_letter(text);
    case AnswerFormat::YesNo:
      return parse_word(text, "yes", "no");
    case AnswerFormat::TrueFalse:
      return parse_word(text, "true", "false");
    case AnswerFormat::ValidInvalid:
      return parse_word(text, "valid", "invalid");
    case AnswerFormat::Integer:
      return parse_integer(text);
    case AnswerFormat::FreeText:
      return parse_free_text(text);
  }
  return "";
}

bool answer_is_correct(AnswerFormat format, const std::string& text, const std::string& gold) {
  const std::string expected = parse_answer(format, gold);
  return !expected.empty() && parse_answer(format, text) == expected;
}

}  // namespace greater
