#include "added_vocabulary.h"

#include <algorithm>

#include "pcre_regex.h"
#include "unicode.h"

namespace greater::tok {

namespace {

// Unicode \w, as the single_word check of HF (regex-syntax's is_word_character) sees it.
bool is_word_char(uint32_t cp) {
  static const Regex word(R"(\w)", "added_vocabulary");
  std::string s;
  append_utf8(s, cp);
  return word.matches_fully(s);
}

bool ends_with_word_char(const std::string& text, size_t end) {
  if (end == 0) return false;
  size_t start = end - 1;
  while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
  return is_word_char(next_code_point(text, start));
}

bool starts_with_word_char(const std::string& text, size_t begin) {
  if (begin >= text.size()) return false;
  return is_word_char(next_code_point(text, begin));
}

// Start of the whitespace run that ends at `end`.
size_t whitespace_start_before(const std::string& text, size_t end) {
  size_t pos = end;
  while (pos > 0) {
    size_t start = pos - 1;
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    size_t p = start;
    if (!is_unicode_whitespace(next_code_point(text, p))) break;
    pos = start;
  }
  return pos;
}

// End of the whitespace run that starts at `begin`.
size_t whitespace_end_after(const std::string& text, size_t begin) {
  size_t pos = begin;
  while (pos < text.size()) {
    size_t next = pos;
    if (!is_unicode_whitespace(next_code_point(text, next))) break;
    pos = next;
  }
  return pos;
}

}  // namespace

void AddedVocabulary::Trie::add(const std::string& pattern, int token_index) {
  if (pattern.empty()) return;
  int node = 0;
  for (unsigned char b : pattern) {
    int child = -1;
    for (const auto& [byte, index] : nodes_[node].children) {
      if (byte == b) child = index;
    }
    if (child < 0) {
      child = static_cast<int>(nodes_.size());
      nodes_[node].children.emplace_back(b, child);
      nodes_.emplace_back();
    }
    node = child;
  }
  // Two tokens with the same pattern: the first listed wins, as HF's first-pattern order does.
  if (nodes_[node].token < 0) nodes_[node].token = token_index;
  first_byte_[static_cast<unsigned char>(pattern[0])] = true;
}

std::pair<int, size_t> AddedVocabulary::Trie::longest_at(const std::string& text,
                                                         size_t pos) const {
  std::pair<int, size_t> best{-1, 0};
  int node = 0;
  for (size_t i = pos; i < text.size(); ++i) {
    const unsigned char b = static_cast<unsigned char>(text[i]);
    int child = -1;
    for (const auto& [byte, index] : nodes_[node].children) {
      if (byte == b) {
        child = index;
        break;
      }
    }
    if (child < 0) break;
    node = child;
    if (nodes_[node].token >= 0) best = {nodes_[node].token, i + 1 - pos};
  }
  return best;
}

void AddedVocabulary::build(std::vector<AddedToken> tokens, const Normalizer* normalizer) {
  tokens_ = std::move(tokens);
  for (size_t i = 0; i < tokens_.size(); ++i) {
    const AddedToken& t = tokens_[i];
    if (!t.normalized) {
      raw_.add(t.content, static_cast<int>(i));
    } else {
      std::string pattern = t.content;
      if (normalizer) normalizer->normalize(pattern);
      normalized_.add(pattern, static_cast<int>(i));
    }
  }
}

void AddedVocabulary::split_with(const Trie& trie, const std::string& text, bool at_start,
                                 std::vector<Segment>& out) const {
  size_t done = 0;  // end of the last emitted segment
  size_t pos = 0;
  while (pos < text.size()) {
    if (!trie.may_start(static_cast<unsigned char>(text[pos]))) {
      ++pos;
      continue;
    }
    const auto [index, length] = trie.longest_at(text, pos);
    if (index < 0) {
      ++pos;
      continue;
    }
    const AddedToken& token = tokens_[index];
    size_t start = pos, stop = pos + length;
    pos = stop;
    if (token.single_word &&
        (ends_with_word_char(text, start) || starts_with_word_char(text, stop))) {
      continue;  // glued to a word: this occurrence stays ordinary text
    }
    if (token.lstrip) start = std::max(whitespace_start_before(text, start), done);
    if (token.rstrip) stop = whitespace_end_after(text, stop);
    if (start > done) out.push_back({-1, {text.substr(done, start - done), at_start && done == 0}});
    out.push_back({token.id, {}});
    done = stop;
    pos = stop;
  }
  if (done < text.size()) out.push_back({-1, {text.substr(done), at_start && done == 0}});
}

std::vector<Segment> AddedVocabulary::split(const std::string& text,
                                            const Normalizer* normalizer) const {
  std::vector<Segment> raw;
  split_with(raw_, text, true, raw);
  std::vector<Segment> out;
  for (Segment& s : raw) {
    if (s.id >= 0) {
      out.push_back(std::move(s));
      continue;
    }
    if (normalizer) normalizer->normalize(s.text.text);
    if (normalized_.empty()) {
      out.push_back(std::move(s));
    } else {
      split_with(normalized_, s.text.text, s.text.at_start, out);
    }
  }
  return out;
}

}  // namespace greater::tok
