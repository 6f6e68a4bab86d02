// The public Tokenizer: encode = added tokens -> normalizer -> pre-tokenizer -> model ->
// post-processor; decode = ids -> token strings -> decoder.
#include "greater/tokenizer/tokenizer.h"

#include "greater/common/error.h"
#include "greater/common/file_util.h"
#include "pipeline.h"
#include "unicode.h"

namespace greater {

struct Tokenizer::Impl {
  tok::Pipeline p;
};

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Tokenizer Tokenizer::from_file(const std::string& path) {
  return Tokenizer(
      std::unique_ptr<Impl>(new Impl{tok::load_tokenizer_json(read_file(path), path)}));
}

Tokenizer Tokenizer::from_json(const std::string& json_text, const std::string& source) {
  return Tokenizer(std::unique_ptr<Impl>(new Impl{tok::load_tokenizer_json(json_text, source)}));
}

TokenIds Tokenizer::encode(const std::string& text, bool add_special_tokens) const {
  const tok::Pipeline& m = impl_->p;
  const size_t bad = tok::find_invalid_utf8(text);
  if (bad != tok::kNoPosition) {
    throw Error(m.source, "encode: input is not valid UTF-8 (byte " + std::to_string(bad) + ")");
  }
  TokenIds ids;
  if (add_special_tokens) ids = m.affixes.prefix;
  std::vector<tok::Piece> pieces;
  for (tok::Segment& segment : m.added.split(text, m.normalizer.get())) {
    if (segment.id >= 0) {
      ids.push_back(segment.id);
      continue;
    }
    pieces.clear();
    pieces.push_back(std::move(segment.text));
    if (m.pre_tokenizer) m.pre_tokenizer->pre_tokenize(pieces);
    for (const tok::Piece& p : pieces) m.model->tokenize(p.text, ids);
  }
  if (add_special_tokens) ids.insert(ids.end(), m.affixes.suffix.begin(), m.affixes.suffix.end());
  return ids;
}

std::string Tokenizer::decode(const TokenIds& ids, bool skip_special) const {
  const tok::Pipeline& m = impl_->p;
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (TokenId id : ids) {
    if (id < 0 || static_cast<size_t>(id) >= m.id_to_token.size() || m.id_to_token[id].empty()) {
      throw Error(m.source, "decode: token id " + std::to_string(id) + " is not in the vocabulary");
    }
    if (skip_special && m.special[id]) continue;
    tokens.push_back(m.id_to_token[id]);
  }
  if (m.decoder) {
    m.decoder->decode_chain(tokens);
    std::string text;
    for (const std::string& t : tokens) text += t;
    return text;
  }
  std::string text;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) text += ' ';
    text += tokens[i];
  }
  return text;
}

bool Tokenizer::round_trips(TokenId id) const {
  if (id_to_token(id).empty()) return false;
  const TokenIds again = encode(decode({id}));
  return again.size() == 1 && again[0] == id;
}

int64_t Tokenizer::vocab_size() const { return static_cast<int64_t>(impl_->p.id_to_token.size()); }

TokenId Tokenizer::token_to_id(const std::string& token) const {
  auto added = impl_->p.added_ids.find(token);
  if (added != impl_->p.added_ids.end()) return added->second;
  return impl_->p.model->vocab().find(token);
}

std::string Tokenizer::id_to_token(TokenId id) const {
  if (id < 0 || static_cast<size_t>(id) >= impl_->p.id_to_token.size()) return std::string();
  return impl_->p.id_to_token[id];
}

bool Tokenizer::is_special(TokenId id) const {
  return id >= 0 && static_cast<size_t>(id) < impl_->p.special.size() && impl_->p.special[id];
}

const TokenIds& Tokenizer::prefix_special_ids() const { return impl_->p.affixes.prefix; }
const TokenIds& Tokenizer::suffix_special_ids() const { return impl_->p.affixes.suffix; }

}  // namespace greater
