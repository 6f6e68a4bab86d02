#include "pre_tokenizers.h"

#include <algorithm>

#include "pcre_regex.h"
#include "unicode.h"

namespace greater::tok {

namespace {

// How the matches of a split pattern are kept (HF SplitDelimiterBehavior).
enum class Behavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

Behavior parse_behavior(const std::string& name, const JsonPath& at) {
  if (name == "Removed") return Behavior::Removed;
  if (name == "Isolated") return Behavior::Isolated;
  if (name == "MergedWithPrevious") return Behavior::MergedWithPrevious;
  if (name == "MergedWithNext") return Behavior::MergedWithNext;
  if (name == "Contiguous") return Behavior::Contiguous;
  at.fail("unknown split behavior \"" + name + "\"");
}

struct Span {
  size_t first, last;
  bool is_match;
};

// Splits `text` at `matches` (sorted, non-overlapping) as the behavior says; appends to `out`.
void split_piece(const Piece& piece, const std::vector<ByteRange>& matches, Behavior behavior,
                 bool invert, std::vector<Piece>& out) {
  const std::string& text = piece.text;
  std::vector<Span> spans;
  size_t prev = 0;
  for (const auto& [first, last] : matches) {
    if (first > prev) spans.push_back({prev, first, invert});
    spans.push_back({first, last, !invert});
    prev = last;
  }
  if (prev < text.size()) spans.push_back({prev, text.size(), invert});

  std::vector<Span> kept;
  switch (behavior) {
    case Behavior::Removed:
      for (const Span& s : spans)
        if (!s.is_match) kept.push_back(s);
      break;
    case Behavior::Isolated:
      kept = spans;
      break;
    case Behavior::MergedWithPrevious: {
      bool previous_match = false;
      for (const Span& s : spans) {
        if (s.is_match && !previous_match && !kept.empty()) {
          kept.back().last = s.last;
        } else {
          kept.push_back(s);
        }
        previous_match = s.is_match;
      }
      break;
    }
    case Behavior::MergedWithNext: {
      bool previous_match = false;
      for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
        if (it->is_match && !previous_match && !kept.empty()) {
          kept.back().first = it->first;
        } else {
          kept.push_back(*it);
        }
        previous_match = it->is_match;
      }
      std::reverse(kept.begin(), kept.end());
      break;
    }
    case Behavior::Contiguous: {
      bool previous_match = false;
      for (const Span& s : spans) {
        if (s.is_match == previous_match && !kept.empty()) {
          kept.back().last = s.last;
        } else {
          kept.push_back(s);
        }
        previous_match = s.is_match;
      }
      break;
    }
  }
  for (const Span& s : kept) {
    if (s.last > s.first)
      out.push_back({text.substr(s.first, s.last - s.first), piece.at_start && s.first == 0});
  }
}

// Split by a literal or a regex.
class Split : public PreTokenizer {
 public:
  Split(const PatternSpec& pattern, Behavior behavior, bool invert, const JsonPath& at)
      : literal_(pattern.text), behavior_(behavior), invert_(invert) {
    if (pattern.is_regex) regex_ = std::make_unique<Regex>(pattern.text, (at / "pattern").where());
  }
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    std::vector<Piece> out;
    std::vector<ByteRange> matches;
    for (const Piece& p : pieces) {
      matches.clear();
      if (regex_) {
        regex_->find_all(p.text, matches);
      } else {
        find_all_literal(p.text, literal_, matches);
      }
      split_piece(p, matches, behavior_, invert_, out);
    }
    pieces.swap(out);
  }

 private:
  std::string literal_;
  std::unique_ptr<Regex> regex_;
  Behavior behavior_;
  bool invert_;
};

// GPT-2's split pattern, used by ByteLevel when use_regex is true.
constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// Maps every byte to the GPT-2 alphabet, after the optional prefix space and regex split.
class ByteLevel : public PreTokenizer {
 public:
  ByteLevel(bool add_prefix_space, bool use_regex, const JsonPath& at)
      : add_prefix_space_(add_prefix_space) {
    if (use_regex) regex_ = std::make_unique<Regex>(kGpt2Pattern, at.where());
  }
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    std::vector<Piece> split;
    std::vector<ByteRange> matches;
    for (Piece& p : pieces) {
      if (add_prefix_space_ && (p.text.empty() || p.text[0] != ' ')) p.text.insert(0, " ");
      if (regex_) {
        matches.clear();
        regex_->find_all(p.text, matches);
        split_piece(p, matches, Behavior::Isolated, false, split);
      } else if (!p.text.empty()) {
        split.push_back(std::move(p));
      }
    }
    const auto& chars = byte_level_chars();
    for (Piece& p : split) {
      std::string mapped;
      mapped.reserve(p.text.size() * 2);
      for (unsigned char b : p.text) mapped += chars[b];
      p.text.swap(mapped);
    }
    pieces.swap(split);
  }

 private:
  bool add_prefix_space_;
  std::unique_ptr<Regex> regex_;
};

// Splits on Unicode whitespace, dropping it.
class WhitespaceSplit : public PreTokenizer {
 public:
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    std::vector<Piece> out;
    for (const Piece& p : pieces) {
      size_t pos = 0, word = kNoPosition;
      while (pos < p.text.size()) {
        const size_t here = pos;
        const bool space = is_unicode_whitespace(next_code_point(p.text, pos));
        if (space && word != kNoPosition) {
          out.push_back({p.text.substr(word, here - word), p.at_start && word == 0});
          word = kNoPosition;
        } else if (!space && word == kNoPosition) {
          word = here;
        }
      }
      if (word != kNoPosition) out.push_back({p.text.substr(word), p.at_start && word == 0});
    }
    pieces.swap(out);
  }
};

// Keeps the matches of a regex and drops the rest (HF Whitespace: \w+|[^\w\s]+).
class KeepMatches : public PreTokenizer {
 public:
  KeepMatches(const char* pattern, const JsonPath& at) : regex_(pattern, at.where()) {}
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    std::vector<Piece> out;
    std::vector<ByteRange> matches;
    for (const Piece& p : pieces) {
      matches.clear();
      regex_.find_all(p.text, matches);
      split_piece(p, matches, Behavior::Removed, true, out);
    }
    pieces.swap(out);
  }

 private:
  Regex regex_;
};

// SentencePiece-style: spaces become the replacement character ("▁"), optionally prepended,
// optionally split before each replacement.
class Metaspace : public PreTokenizer {
 public:
  enum class Prepend { Always, First, Never };
  Metaspace(std::string replacement, Prepend prepend, bool split)
      : replacement_(std::move(replacement)), prepend_(prepend), split_(split) {}
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    std::vector<Piece> out;
    std::vector<ByteRange> matches;
    for (Piece& p : pieces) {
      std::string text;
      for (char c : p.text) {
        if (c == ' ') {
          text += replacement_;
        } else {
          text += c;
        }
      }
      const bool starts = text.compare(0, replacement_.size(), replacement_) == 0;
      if (!starts && (prepend_ == Prepend::Always || (prepend_ == Prepend::First && p.at_start))) {
        text.insert(0, replacement_);
      }
      Piece replaced{std::move(text), p.at_start};
      if (split_) {
        matches.clear();
        find_all_literal(replaced.text, replacement_, matches);
        split_piece(replaced, matches, Behavior::MergedWithNext, false, out);
      } else if (!replaced.text.empty()) {
        out.push_back(std::move(replaced));
      }
    }
    pieces.swap(out);
  }

 private:
  std::string replacement_;
  Prepend prepend_;
  bool split_;
};

class Sequence : public PreTokenizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<PreTokenizer>> steps) : steps_(std::move(steps)) {}
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    for (const auto& step : steps_) step->pre_tokenize(pieces);
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> steps_;
};

std::unique_ptr<PreTokenizer> make_metaspace(const Json& spec, const JsonPath& at) {
  const std::string replacement = get_string_or(spec, "replacement", at, "\xE2\x96\x81");
  Metaspace::Prepend prepend = Metaspace::Prepend::Always;
  if (const Json* scheme = find_field(spec, "prepend_scheme")) {
    const std::string s = as_string(*scheme, at / "prepend_scheme");
    if (s == "always") {
      prepend = Metaspace::Prepend::Always;
    } else if (s == "first") {
      prepend = Metaspace::Prepend::First;
    } else if (s == "never") {
      prepend = Metaspace::Prepend::Never;
    } else {
      (at / "prepend_scheme").fail("expected \"always\", \"first\" or \"never\"");
    }
  } else if (!get_bool_or(spec, "add_prefix_space", at, true)) {
    prepend = Metaspace::Prepend::Never;
  }
  return std::make_unique<Metaspace>(replacement, prepend, get_bool_or(spec, "split", at, true));
}

}  // namespace

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const Json& spec, const JsonPath& at) {
  if (spec.is_null()) return nullptr;
  const std::string type = get_type(spec, at);
  if (type == "Split") {
    return std::make_unique<Split>(
        get_pattern(spec, at), parse_behavior(get_string(spec, "behavior", at), at / "behavior"),
        get_bool_or(spec, "invert", at, false), at);
  }
  if (type == "ByteLevel") {
    return std::make_unique<ByteLevel>(get_bool_or(spec, "add_prefix_space", at, true),
                                       get_bool_or(spec, "use_regex", at, true), at);
  }
  if (type == "WhitespaceSplit") return std::make_unique<WhitespaceSplit>();
  if (type == "Whitespace") return std::make_unique<KeepMatches>(R"(\w+|[^\w\s]+)", at);
  if (type == "Metaspace") return make_metaspace(spec, at);
  if (type == "Digits") {
    const bool individual = get_bool_or(spec, "individual_digits", at, false);
    return std::make_unique<Split>(PatternSpec{individual ? R"(\p{N})" : R"(\p{N}+)", true},
                                   Behavior::Isolated, false, at);
  }
  if (type == "Punctuation") {
    const std::string behavior = get_string_or(spec, "behavior", at, "Isolated");
    return std::make_unique<Split>(
        PatternSpec{R"([\p{P}\x{21}-\x{2F}\x{3A}-\x{40}\x{5B}-\x{60}\x{7B}-\x{7E}])", true},
        parse_behavior(behavior, at / "behavior"), false, at);
  }
  if (type == "Sequence") {
    const Json& list = get_array(spec, "pretokenizers", at);
    std::vector<std::unique_ptr<PreTokenizer>> steps;
    for (size_t i = 0; i < list.size(); ++i) {
      if (auto step = make_pre_tokenizer(list[i], (at / "pretokenizers")[i]))
        steps.push_back(std::move(step));
    }
    return std::make_unique<Sequence>(std::move(steps));
  }
  (at / "type").fail("pre_tokenizer type \"" + type + "\" is not supported");
}

}  // namespace greater::tok
