// WordLevel: each pre-token is looked up whole (the demo model's word vocabulary).
#include "greater/common/error.h"
#include "models.h"

namespace greater::tok {

namespace {

class WordLevel : public Model {
 public:
  WordLevel(Vocab vocab, TokenId unk_id, std::string source)
      : vocab_(std::move(vocab)), unk_id_(unk_id), source_(std::move(source)) {}

  void tokenize(const std::string& word, TokenIds& out) const override {
    if (word.empty()) return;
    const TokenId id = vocab_.find(word);
    if (id >= 0) {
      out.push_back(id);
    } else if (unk_id_ >= 0) {
      out.push_back(unk_id_);
    } else {
      throw Error(source_, "encode: \"" + word +
                               "\" is not in the WordLevel vocabulary and there is no unk_token");
    }
  }
  const Vocab& vocab() const override { return vocab_; }

 private:
  Vocab vocab_;
  TokenId unk_id_;
  std::string source_;
};

}  // namespace

std::unique_ptr<Model> make_word_level_model(const Json& spec, const JsonPath& at) {
  Vocab vocab = read_vocab(spec, at);
  TokenId unk_id = -1;
  const std::string unk = get_string_or(spec, "unk_token", at, "");
  if (!unk.empty()) {
    unk_id = vocab.find(unk);
    if (unk_id < 0) (at / "unk_token").fail("\"" + unk + "\" is not in model.vocab");
  }
  return std::make_unique<WordLevel>(std::move(vocab), unk_id, at.source());
}

}  // namespace greater::tok
