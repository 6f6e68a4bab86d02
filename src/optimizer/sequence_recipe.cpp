#include "greater/common/error.h"
#include "greater/optimizer/example_batch.h"

namespace greater {

SequenceRecipe make_recipe(const Transformer& model, const Tokenizer& tokenizer,
                           const ChatLayout& layout, const std::string& extractor,
                           const std::string& question_suffix,
                           const OptimizerSettings& settings) {
  SequenceRecipe r;
  r.model = &model;
  r.tokenizer = &tokenizer;
  r.layout = &layout;
  r.extractor = extractor;
  r.question_suffix = question_suffix;
  r.settings = settings;
  r.chain_stop_ids = layout.stop_ids();
  for (int64_t id : model.config().eos_token_ids)
    r.chain_stop_ids.push_back(checked_token_id(id, "config.json: eos_token_id"));
  if (settings.chain_stops_at_extractor) {
    const auto x = tokenizer.encode(extractor);
    if (x.empty()) throw Error("option extractor", "encodes to no token");
    r.chain_stop_ids.push_back(x.front());
  }
  return r;
}

}  // namespace greater
