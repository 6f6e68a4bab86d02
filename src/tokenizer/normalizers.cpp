#include "normalizers.h"

#include <vector>

#include "nfc.h"
#include "pcre_regex.h"
#include "unicode.h"

namespace greater::tok {

namespace {

class Prepend : public Normalizer {
 public:
  explicit Prepend(std::string prefix) : prefix_(std::move(prefix)) {}
  void normalize(std::string& text) const override {
    if (!text.empty()) text.insert(0, prefix_);
  }

 private:
  std::string prefix_;
};

// Replaces every match of a literal or regex with `content`.
class Replace : public Normalizer {
 public:
  Replace(const PatternSpec& pattern, std::string content, const JsonPath& at)
      : literal_(pattern.text), content_(std::move(content)) {
    if (pattern.is_regex) regex_ = std::make_unique<Regex>(pattern.text, (at / "pattern").where());
  }
  void normalize(std::string& text) const override {
    std::vector<ByteRange> matches;
    if (regex_) {
      regex_->find_all(text, matches);
    } else {
      find_all_literal(text, literal_, matches);
    }
    if (matches.empty()) return;
    std::string out;
    out.reserve(text.size() + matches.size() * content_.size());
    size_t prev = 0;
    for (const auto& [first, last] : matches) {
      out.append(text, prev, first - prev);
      out += content_;
      prev = last;
    }
    out.append(text, prev, std::string::npos);
    text.swap(out);
  }

 private:
  std::string literal_;
  std::unique_ptr<Regex> regex_;
  std::string content_;
};

// Strips Unicode whitespace from the left and/or right end.
class Strip : public Normalizer {
 public:
  Strip(bool left, bool right) : left_(left), right_(right) {}
  void normalize(std::string& text) const override {
    size_t begin = 0, end = text.size();
    if (left_) {
      size_t pos = 0;
      while (pos < end) {
        size_t next = pos;
        if (!is_unicode_whitespace(next_code_point(text, next))) break;
        pos = next;
      }
      begin = pos;
    }
    if (right_) {
      size_t pos = begin, keep = begin;
      while (pos < end) {
        if (!is_unicode_whitespace(next_code_point(text, pos))) keep = pos;
      }
      end = keep;
    }
    text = text.substr(begin, end - begin);
  }

 private:
  bool left_, right_;
};

// Unicode canonical composition (Qwen2/Qwen3 files).
class Nfc : public Normalizer {
 public:
  void normalize(std::string& text) const override { text = to_nfc(text); }
};

class Sequence : public Normalizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<Normalizer>> steps) : steps_(std::move(steps)) {}
  void normalize(std::string& text) const override {
    for (const auto& step : steps_) step->normalize(text);
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> steps_;
};

}  // namespace

std::unique_ptr<Normalizer> make_normalizer(const Json& spec, const JsonPath& at) {
  if (spec.is_null()) return nullptr;
  const std::string type = get_type(spec, at);
  if (type == "Prepend") return std::make_unique<Prepend>(get_string(spec, "prepend", at));
  if (type == "Replace") {
    return std::make_unique<Replace>(get_pattern(spec, at), get_string(spec, "content", at), at);
  }
  if (type == "Strip") {
    return std::make_unique<Strip>(get_bool_or(spec, "strip_left", at, true),
                                   get_bool_or(spec, "strip_right", at, true));
  }
  if (type == "NFC") return std::make_unique<Nfc>();
  if (type == "Sequence") {
    const Json& list = get_array(spec, "normalizers", at);
    std::vector<std::unique_ptr<Normalizer>> steps;
    for (size_t i = 0; i < list.size(); ++i) {
      if (auto step = make_normalizer(list[i], (at / "normalizers")[i]))
        steps.push_back(std::move(step));
    }
    return std::make_unique<Sequence>(std::move(steps));
  }
  // NFD/NFKC/NFKD/Lowercase/Precompiled: none of the supported families' files (Llama-2/3,
  // Mistral, Qwen2/3, Gemma, the demo model) uses them.
  (at / "type").fail("normalizer type \"" + type + "\" is not supported");
}

}  // namespace greater::tok
