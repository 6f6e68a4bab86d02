// Candidate proposal (docs/ALGORITHM.md §6, step 2): per-example top-k next tokens at the optimized slot,
// then a seeded union of intersections over random groups of examples.
#pragma once

#include <ATen/ATen.h>

#include <vector>

#include "greater/optimizer/settings.h"
#include "greater/tokenizer/chat_layout.h"
#include "greater/tokenizer/tokenizer.h"

namespace greater {

// Which ids may be proposed for a prompt: decode is printable ASCII made of letters and
// spaces only, or exactly ".", "," or " "; not a special token; and decode→encode gives the
// id back (so prompts never re-tokenize differently). Sized to the model's vocabulary.
std::vector<bool> allowed_prompt_tokens(const Tokenizer& tokenizer, int64_t model_vocab);

// log_probs: [B, V] next-token log-probabilities at the slot, one row per example.
// Returns each row's `k_max` best allowed ids, best first; `previous_token` (the prompt token
// before the slot) is never proposed.
std::vector<TokenIds> top_token_lists(const at::Tensor& log_probs, const std::vector<bool>& allowed,
                                      int64_t previous_token, int64_t k_max);

struct Proposal {
  TokenIds candidates;              // ascending ids, then the current token if not among them
  int64_t final_k = 0;              // k after growth
};

// The union of `topq` intersections of the top-k lists of `intersection_size` examples drawn
// without replacement; k grows by 2 until the union has `min_pool` ids (or k reaches the list
// length). `lists` are all examples' lists in example order; the draw is seeded by
// (seed, step), so every rank and every world size gets the same pool.
Proposal propose_candidates(const std::vector<TokenIds>& lists, const OptimizerSettings& settings,
                            int64_t step, TokenId current_token);

// Slot 0 as the reference re-tokenizes it: it writes "{question}. Use {prompt}" with the
// prompt's own leading space replaced by one space, so a candidate whose text lacks a leading
// space ("think") reads as " think". Each such candidate becomes the id of
// layout.encode_prompt(its text) when that is one token, and is dropped otherwise; candidates
// with a leading space are kept. Order is kept, duplicates after the first are dropped, and
// `current_token` is kept when it was there.
TokenIds slot_zero_candidates(const TokenIds& candidates, const Tokenizer& tokenizer,
                              const ChatLayout& layout, TokenId current_token);

}  // namespace greater
