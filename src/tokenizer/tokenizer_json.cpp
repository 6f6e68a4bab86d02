// tokenizer.json -> Tokenizer::Impl, validating every field it uses.
#include <algorithm>

#include "greater/common/error.h"
#include "pipeline.h"

namespace greater::tok {

namespace {

std::unique_ptr<Model> make_model(const Json& spec, const JsonPath& at) {
  if (!spec.is_object()) at.fail("expected an object");
  std::string type = get_string_or(spec, "type", at, "");
  // Files written by old versions of HF tokenizers leave out the type of a BPE model.
  if (type.empty() && find_field(spec, "merges")) type = "BPE";
  if (type == "BPE") return make_bpe_model(spec, at);
  if (type == "WordLevel") return make_word_level_model(spec, at);
  if (type.empty()) (at / "type").fail("missing");
  (at / "type").fail("unknown model type \"" + type + "\" (supported: BPE, WordLevel)");
}

std::vector<AddedToken> read_added_tokens(const Json& root, const JsonPath& at) {
  std::vector<AddedToken> out;
  const Json* list = find_field(root, "added_tokens");
  if (!list) return out;
  if (!list->is_array()) (at / "added_tokens").fail("expected an array");
  for (size_t i = 0; i < list->size(); ++i) {
    const Json& t = (*list)[i];
    const JsonPath t_at = (at / "added_tokens")[i];
    AddedToken token;
    const int64_t id = as_int(require_field(t, "id", t_at), t_at / "id");
    if (id < 0 || id > INT32_MAX) (t_at / "id").fail("expected a non-negative token id");
    token.id = static_cast<TokenId>(id);
    token.content = get_string(t, "content", t_at);
    if (token.content.empty()) (t_at / "content").fail("empty token");
    token.special = get_bool_or(t, "special", t_at, false);
    token.single_word = get_bool_or(t, "single_word", t_at, false);
    token.lstrip = get_bool_or(t, "lstrip", t_at, false);
    token.rstrip = get_bool_or(t, "rstrip", t_at, false);
    token.normalized = get_bool_or(t, "normalized", t_at, !token.special);
    out.push_back(std::move(token));
  }
  return out;
}

}  // namespace

Pipeline load_tokenizer_json(const std::string& json_text, const std::string& source) {
  const Json root = parse_json(json_text, source);
  const JsonPath at(source);
  as_object(root, at);

  Pipeline p;
  p.source = source;
  p.normalizer = make_normalizer(root.value("normalizer", Json()), at / "normalizer");
  p.pre_tokenizer = make_pre_tokenizer(root.value("pre_tokenizer", Json()), at / "pre_tokenizer");
  p.model = make_model(require_field(root, "model", at), at / "model");
  p.decoder = make_decoder(root.value("decoder", Json()), at / "decoder");
  p.affixes = read_post_processor(root.value("post_processor", Json()), at / "post_processor");

  std::vector<AddedToken> added = read_added_tokens(root, at);

  TokenId max_id = -1;
  for (const auto& [token, id] : p.model->vocab()) max_id = std::max(max_id, id);
  for (const AddedToken& t : added) max_id = std::max(max_id, t.id);
  p.id_to_token.assign(static_cast<size_t>(max_id) + 1, std::string());
  p.special.assign(static_cast<size_t>(max_id) + 1, 0);
  for (const auto& [token, id] : p.model->vocab()) p.id_to_token[id] = token;
  // An added token's content wins over the model's string for the same id, as in HF.
  for (const AddedToken& t : added) {
    p.id_to_token[t.id] = t.content;
    p.special[t.id] = t.special;
    p.added_ids.emplace(t.content, t.id);
  }
  for (size_t i = 0; i < p.affixes.prefix.size() + p.affixes.suffix.size(); ++i) {
    const TokenId id = i < p.affixes.prefix.size() ? p.affixes.prefix[i]
                                                   : p.affixes.suffix[i - p.affixes.prefix.size()];
    if (id > max_id)
      (at / "post_processor")
          .fail("adds token id " + std::to_string(id) + ", which is not in the vocabulary");
  }
  p.added.build(std::move(added), p.normalizer.get());
  return p;
}

}  // namespace greater::tok
