// Where a run stands between iterations: the prompt, the slot optimized next, L0 of the '.'
// rule, the next step, and every (score, prompt) so far. Identical on every rank.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "greater/dist/communicator.h"
#include "greater/model/generation.h"
#include "greater/record/run_file.h"

namespace greater {

struct OptimizerState {
  TokenIds prompt;
  int64_t position = 0;        // slot optimized next
  int64_t initial_length = 0;  // L0 of the '.' rule
  int64_t next_step = 0;
  std::vector<std::pair<double, TokenIds>> history;  // (score, prompt) after each step

  // Rebuilt from a run file's complete iterations (for resuming).
  static OptimizerState from_rows(const std::vector<IterationRow>& rows, const TokenIds& initial);
};

// The '.' rule (docs/ALGORITHM.md §3, step 4): from slot `pos` on, a candidate containing '.'
// is accepted when reached, once pos >= fraction · L0.
bool period_rule_applies(int64_t pos, int64_t initial_length, double fraction);

// Step 5 of docs/ALGORITHM.md §3: puts `choice` at `pos`, moves to the next slot and counts the
// step. At the end of the prompt the sweep wraps to 0 after a token containing '.', else the
// prompt grows by `filler`, which becomes the next slot.
void advance(OptimizerState& state, int64_t pos, TokenId choice, bool choice_has_period,
             TokenId filler);

// The prompts compared on dev (docs/ALGORITHM.md §7): the distinct prompts of `history` with
// trailing fillers removed, each at its lowest score, lowest first (earlier first on ties), at
// most `top`.
std::vector<std::pair<double, TokenIds>> best_prompts(
    const std::vector<std::pair<double, TokenIds>>& history, TokenId filler, int64_t top);

// Collective: rank 0's state on every rank (only rank 0 reads the run file it resumes from).
void broadcast_state(Communicator& comm, OptimizerState& state);

}  // namespace greater
