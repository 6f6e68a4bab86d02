#include "greater/optimizer/proposal.h"

#include <algorithm>
#include <limits>
#include <set>

#include "greater/common/random.h"
#include "greater/model/token_tensor.h"

namespace greater {

static bool letters_and_spaces(const std::string& text) {
  if (text.empty()) return false;
  for (unsigned char c : text)
    if (!(std::isalpha(c) || c == ' ')) return false;
  return true;
}

static bool printable_ascii(const std::string& text) {
  for (unsigned char c : text)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

std::vector<bool> allowed_prompt_tokens(const Tokenizer& tokenizer, int64_t model_vocab) {
  std::vector<bool> allowed(model_vocab, false);
  const int64_t known = std::min<int64_t>(model_vocab, tokenizer.vocab_size());
  for (int64_t id = 0; id < known; ++id) {
    const TokenId token = static_cast<TokenId>(id);
    if (tokenizer.is_special(token)) continue;
    const std::string text = tokenizer.decode({token});
    if (!printable_ascii(text)) continue;
    if (!(letters_and_spaces(text) || text == "." || text == "," || text == " ")) continue;
    allowed[id] = tokenizer.round_trips(token);
  }
  return allowed;
}

std::vector<TokenIds> top_token_lists(const at::Tensor& log_probs, const std::vector<bool>& allowed,
                                      int64_t previous_token, int64_t k_max) {
  const int64_t vocab = log_probs.size(1);
  std::vector<uint8_t> banned_bytes(vocab, 1);
  for (int64_t id = 0; id < vocab && id < static_cast<int64_t>(allowed.size()); ++id)
    banned_bytes[id] = allowed[id] ? 0 : 1;
  if (previous_token >= 0 && previous_token < vocab) banned_bytes[previous_token] = 1;
  const at::Tensor banned =
      at::tensor(banned_bytes, at::kByte).to(log_probs.device()).to(at::kBool).unsqueeze(0);
  const at::Tensor masked =
      log_probs.to(at::kFloat).masked_fill(banned, -std::numeric_limits<float>::infinity());
  const int64_t usable =
      std::min<int64_t>(k_max, std::count(banned_bytes.begin(), banned_bytes.end(), 0));
  // sorted=true and a stable order for ties (lower id first) keep the lists reproducible.
  const at::Tensor top = std::get<1>(masked.topk(usable, -1, true, true)).to(at::kCPU);
  std::vector<TokenIds> lists(log_probs.size(0));
  for (int64_t b = 0; b < top.size(0); ++b) lists[b] = token_ids_of(top[b]);
  return lists;
}

Proposal propose_candidates(const std::vector<TokenIds>& lists, const OptimizerSettings& settings,
                            int64_t step, TokenId current_token) {
  const int64_t examples = lists.size();
  int64_t longest = 0;
  for (const auto& l : lists) longest = std::max<int64_t>(longest, l.size());
  Proposal proposal;
  std::set<TokenId> pool;
  int64_t k = settings.topk;
  for (uint64_t attempt = 0;; ++attempt) {
    SplitMix64 rng(settings.seed, step, 1000 + attempt);
    pool.clear();
    for (int64_t q = 0; q < settings.topq; ++q) {
      const auto group = rng.sample(examples, settings.intersection_size);
      std::set<TokenId> common;
      for (size_t g = 0; g < group.size(); ++g) {
        const auto& list = lists[group[g]];
        std::set<TokenId> top(list.begin(), list.begin() + std::min<int64_t>(k, list.size()));
        if (g == 0) {
          common = std::move(top);
        } else {
          std::set<TokenId> both;
          std::set_intersection(common.begin(), common.end(), top.begin(), top.end(),
                                std::inserter(both, both.end()));
          common = std::move(both);
        }
      }
      pool.insert(common.begin(), common.end());
    }
    if (static_cast<int64_t>(pool.size()) >= settings.min_pool || k >= longest) break;
    k += 2;
  }
  proposal.final_k = k;
  proposal.candidates.assign(pool.begin(), pool.end());
  if (!pool.count(current_token)) proposal.candidates.push_back(current_token);
  return proposal;
}

TokenIds slot_zero_candidates(const TokenIds& candidates, const Tokenizer& tokenizer,
                              const ChatLayout& layout, TokenId current_token) {
  TokenIds out;
  auto add = [&](TokenId id) {
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  };
  for (TokenId id : candidates) {
    if (id == current_token) continue;
    const std::string text = tokenizer.decode({id});
    if (text.empty()) continue;
    if (text[0] == ' ') {
      add(id);
      continue;
    }
    const TokenIds spaced = layout.encode_prompt(text);
    if (spaced.size() == 1) add(spaced[0]);
  }
  if (std::find(candidates.begin(), candidates.end(), current_token) != candidates.end())
    add(current_token);
  return out;
}

}  // namespace greater
