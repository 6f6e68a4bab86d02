// Decoders as HF tokenizers implements them (decoders/*.rs), each a step on the token list.
#include "decoders.h"

#include "pcre_regex.h"
#include "unicode.h"

namespace greater::tok {

namespace {

// GPT-2 alphabet back to bytes; a token with a character outside the alphabet (an added token
// such as "<|eot_id|>" is inside it) keeps its own bytes. Output is one lossy-UTF-8 string.
class ByteLevel : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::string bytes;
    for (const std::string& t : tokens) {
      std::string mapped;
      bool all_mapped = true;
      size_t pos = 0;
      while (pos < t.size()) {
        const int b = byte_level_byte(next_code_point(t, pos));
        if (b < 0) {
          all_mapped = false;
          break;
        }
        mapped += static_cast<char>(b);
      }
      bytes += all_mapped ? mapped : t;
    }
    tokens.assign(1, utf8_lossy(bytes));
  }
};

class Replace : public Decoder {
 public:
  Replace(const PatternSpec& pattern, std::string content, const JsonPath& at)
      : literal_(pattern.text), content_(std::move(content)) {
    if (pattern.is_regex) regex_ = std::make_unique<Regex>(pattern.text, (at / "pattern").where());
  }
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::vector<ByteRange> matches;
    for (std::string& t : tokens) {
      matches.clear();
      if (regex_) {
        regex_->find_all(t, matches);
      } else {
        find_all_literal(t, literal_, matches);
      }
      if (matches.empty()) continue;
      std::string out;
      size_t prev = 0;
      for (const auto& [first, last] : matches) {
        out.append(t, prev, first - prev);
        out += content_;
        prev = last;
      }
      out.append(t, prev, std::string::npos);
      t.swap(out);
    }
  }

 private:
  std::string literal_;
  std::unique_ptr<Regex> regex_;
  std::string content_;
};

// Runs of <0xNN> tokens become their bytes when those form valid UTF-8, else one U+FFFD per byte.
class ByteFallback : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::vector<std::string> out;
    std::string pending;
    auto flush = [&] {
      if (pending.empty()) return;
      if (find_invalid_utf8(pending) == kNoPosition) {
        out.push_back(pending);
      } else {
        for (size_t i = 0; i < pending.size(); ++i) out.emplace_back("\xEF\xBF\xBD");
      }
      pending.clear();
    };
    for (std::string& t : tokens) {
      int byte = -1;
      if (t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>') byte = parse_hex(t[3], t[4]);
      if (byte >= 0) {
        pending += static_cast<char>(byte);
      } else {
        flush();
        out.push_back(std::move(t));
      }
    }
    flush();
    tokens.swap(out);
  }

 private:
  static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  }
  static int parse_hex(char hi, char lo) {
    const int h = hex_digit(hi), l = hex_digit(lo);
    return h < 0 || l < 0 ? -1 : h * 16 + l;
  }
};

class Fuse : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::string all;
    for (const std::string& t : tokens) all += t;
    tokens.assign(1, all);
  }
};

// Removes up to `start` leading and `stop` trailing `content` characters from each token.
class Strip : public Decoder {
 public:
  Strip(uint32_t content, size_t start, size_t stop)
      : content_(content), start_(start), stop_(stop) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (std::string& t : tokens) {
      std::vector<size_t> bounds;  // byte offset of each character, then the end
      for (size_t pos = 0; pos < t.size();) {
        bounds.push_back(pos);
        next_code_point(t, pos);
      }
      const size_t n = bounds.size();
      bounds.push_back(t.size());
      auto char_at = [&](size_t i) {
        size_t p = bounds[i];
        return next_code_point(t, p);
      };
      size_t first = 0;
      while (first < start_ && first < n && char_at(first) == content_) ++first;
      size_t last = n;
      for (size_t k = 0; k < stop_ && last > first && char_at(last - 1) == content_; ++k) --last;
      t = t.substr(bounds[first], bounds[last] - bounds[first]);
    }
  }

 private:
  uint32_t content_;
  size_t start_, stop_;
};

// "▁" back to spaces; in the first token the replacement characters are dropped when a prefix
// was prepended at encoding time (HF decoders/metaspace.rs).
class Metaspace : public Decoder {
 public:
  Metaspace(std::string replacement, bool drop_in_first)
      : replacement_(std::move(replacement)), drop_in_first_(drop_in_first) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string out;
      const std::string& t = tokens[i];
      for (size_t pos = 0; pos < t.size();) {
        if (t.compare(pos, replacement_.size(), replacement_) == 0) {
          if (!(i == 0 && drop_in_first_)) out += ' ';
          pos += replacement_.size();
        } else {
          out += t[pos++];
        }
      }
      tokens[i].swap(out);
    }
  }

 private:
  std::string replacement_;
  bool drop_in_first_;
};

// Word-end suffix ("</w>") becomes a space, except at the very end.
class BpeSuffix : public Decoder {
 public:
  explicit BpeSuffix(std::string suffix) : suffix_(std::move(suffix)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      const std::string with = i + 1 == tokens.size() ? "" : " ";
      std::string& t = tokens[i];
      std::string out;
      size_t prev = 0, pos;
      while (!suffix_.empty() && (pos = t.find(suffix_, prev)) != std::string::npos) {
        out.append(t, prev, pos - prev);
        out += with;
        prev = pos + suffix_.size();
      }
      out.append(t, prev, std::string::npos);
      t.swap(out);
    }
  }

 private:
  std::string suffix_;
};

class Sequence : public Decoder {
 public:
  explicit Sequence(std::vector<std::unique_ptr<Decoder>> steps) : steps_(std::move(steps)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (const auto& step : steps_) step->decode_chain(tokens);
  }

 private:
  std::vector<std::unique_ptr<Decoder>> steps_;
};

uint32_t single_char(const std::string& s, const JsonPath& at) {
  if (s.empty() || find_invalid_utf8(s) != kNoPosition) at.fail("expected one character");
  size_t pos = 0;
  const uint32_t cp = next_code_point(s, pos);
  if (pos != s.size()) at.fail("expected one character, got \"" + s + "\"");
  return cp;
}

size_t non_negative(const Json& spec, const char* key, const JsonPath& at) {
  const int64_t v = get_int_or(spec, key, at, 0);
  if (v < 0) (at / key).fail("expected a non-negative integer");
  return static_cast<size_t>(v);
}

}  // namespace

std::unique_ptr<Decoder> make_decoder(const Json& spec, const JsonPath& at) {
  if (spec.is_null()) return nullptr;
  const std::string type = get_type(spec, at);
  if (type == "ByteLevel") return std::make_unique<ByteLevel>();
  if (type == "Replace") {
    return std::make_unique<Replace>(get_pattern(spec, at), get_string(spec, "content", at), at);
  }
  if (type == "ByteFallback") return std::make_unique<ByteFallback>();
  if (type == "Fuse") return std::make_unique<Fuse>();
  if (type == "Strip") {
    return std::make_unique<Strip>(single_char(get_string(spec, "content", at), at / "content"),
                                   non_negative(spec, "start", at), non_negative(spec, "stop", at));
  }
  if (type == "Metaspace") {
    bool prepends = get_bool_or(spec, "add_prefix_space", at, true);
    if (const Json* scheme = find_field(spec, "prepend_scheme")) {
      prepends = as_string(*scheme, at / "prepend_scheme") != "never";
    }
    return std::make_unique<Metaspace>(get_string_or(spec, "replacement", at, "\xE2\x96\x81"),
                                       prepends);
  }
  if (type == "BPEDecoder")
    return std::make_unique<BpeSuffix>(get_string_or(spec, "suffix", at, "</w>"));
  if (type == "Sequence") {
    const Json& list = get_array(spec, "decoders", at);
    std::vector<std::unique_ptr<Decoder>> steps;
    for (size_t i = 0; i < list.size(); ++i) {
      if (auto step = make_decoder(list[i], (at / "decoders")[i])) steps.push_back(std::move(step));
    }
    return std::make_unique<Sequence>(std::move(steps));
  }
  (at / "type").fail("decoder type \"" + type + "\" is not supported");
}

}  // namespace greater::tok
