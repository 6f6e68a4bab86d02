#include "greater/optimizer/optimizer_state.h"

#include <algorithm>

#include "greater/dist/messages.h"

namespace greater {

OptimizerState OptimizerState::from_rows(const std::vector<IterationRow>& rows,
                                         const TokenIds& initial) {
  OptimizerState state;
  state.prompt = initial;
  state.initial_length = initial.size();
  for (const IterationRow& row : rows) {
    state.prompt = row.next_prompt_ids;
    state.position = row.next_position;
    state.initial_length = row.initial_length;
    state.next_step = row.step + 1;
    state.history.emplace_back(row.chosen_score, state.prompt);
  }
  return state;
}

bool period_rule_applies(int64_t pos, int64_t initial_length, double fraction) {
  return pos >= fraction * initial_length;
}

void advance(OptimizerState& state, int64_t pos, TokenId choice, bool choice_has_period,
             TokenId filler) {
  TokenIds& prompt = state.prompt;
  prompt[pos] = choice;
  state.position = pos + 1;
  if (state.position >= static_cast<int64_t>(prompt.size())) {
    if (choice_has_period) {
      state.position = 0;
    } else {
      prompt.push_back(filler);
    }
  }
  state.next_step += 1;
}

std::vector<std::pair<double, TokenIds>> best_prompts(
    const std::vector<std::pair<double, TokenIds>>& history, TokenId filler, int64_t top) {
  std::vector<std::pair<double, TokenIds>> ranked;
  for (const auto& [score, prompt] : history) {
    TokenIds clean = prompt;
    while (clean.size() > 1 && clean.back() == filler) clean.pop_back();
    // A prompt reached twice ranks by its lower score, as it would in the reference's list,
    // which keeps both entries.
    auto seen = std::find_if(ranked.begin(), ranked.end(),
                             [&](const auto& r) { return r.second == clean; });
    if (seen == ranked.end())
      ranked.emplace_back(score, clean);
    else
      seen->first = std::min(seen->first, score);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  if (static_cast<int64_t>(ranked.size()) > top) ranked.resize(top);
  return ranked;
}

void broadcast_state(Communicator& comm, OptimizerState& state) {
  struct Counters {
    int64_t position, initial_length, next_step;
  };
  Counters counters = {state.position, state.initial_length, state.next_step};
  broadcast_value(comm, counters);
  state.position = counters.position;
  state.initial_length = counters.initial_length;
  state.next_step = counters.next_step;

  std::vector<double> scores;
  std::vector<TokenIds> prompts = {state.prompt};
  for (const auto& [score, prompt] : state.history) {
    scores.push_back(score);
    prompts.push_back(prompt);
  }
  broadcast_values(comm, scores);
  broadcast_lists(comm, prompts);
  state.prompt = prompts.at(0);
  state.history.clear();
  for (size_t i = 0; i < scores.size(); ++i) state.history.emplace_back(scores[i], prompts[i + 1]);
}

}  // namespace greater
