#include "greater/optimizer/greater_optimizer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <numeric>
#include <sstream>

#include "greater/common/error.h"
#include "greater/common/random.h"
#include "greater/optimizer/proposal.h"

namespace greater {

namespace {

using Clock = std::chrono::steady_clock;

// SplitMix64 purpose of the random ranking's draws (the proposal uses 1000 + attempt).
constexpr uint64_t kRandomRankingPurpose = 2000;
double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::vector<TokenId> narrow(const TokenIds& ids) { return {ids.begin(), ids.end()}; }

// Sums per-example values gathered in example order, `width` values per example, in that
// order: the same additions in the same order whatever the number of ranks.
std::vector<double> sum_in_example_order(const std::vector<double>& gathered, size_t width) {
  std::vector<double> total(width, 0.0);
  for (size_t i = 0; i < gathered.size(); ++i) total[i % width] += gathered[i];
  return total;
}

double mean_in_example_order(const std::vector<double>& gathered) {
  if (gathered.empty()) return 0.0;
  return sum_in_example_order(gathered, 1)[0] / gathered.size();
}

// Decisions travel from rank 0 as int64 lists inside a byte string.
void broadcast_ids(Communicator& comm, std::vector<int64_t>& ids) {
  std::string bytes;
  if (comm.rank() == 0)
    bytes.assign(reinterpret_cast<const char*>(ids.data()), ids.size() * sizeof(int64_t));
  comm.broadcast(bytes, 0);
  ids.resize(bytes.size() / sizeof(int64_t));
  std::copy(bytes.data(), bytes.data() + bytes.size(), reinterpret_cast<char*>(ids.data()));
}

std::string format_duration(double seconds) {
  const int64_t s = static_cast<int64_t>(std::llround(seconds));
  char buffer[32];
  if (s >= 3600)
    std::snprintf(buffer, sizeof buffer, "%ldh%02ldm", long(s / 3600), long(s % 3600 / 60));
  else
    std::snprintf(buffer, sizeof buffer, "%ldm%02lds", long(s / 60), long(s % 60));
  return buffer;
}

TokenIds without_trailing(const TokenIds& prompt, int64_t filler) {
  TokenIds out = prompt;
  while (out.size() > 1 && out.back() == filler) out.pop_back();
  return out;
}

}  // namespace

OptimizerState OptimizerState::from_rows(const std::vector<IterationRow>& rows,
                                         const TokenIds& initial) {
  OptimizerState state;
  state.prompt = initial;
  state.initial_length = initial.size();
  for (const IterationRow& row : rows) {
    state.prompt.assign(row.next_prompt_ids.begin(), row.next_prompt_ids.end());
    state.position = row.next_position;
    state.initial_length = row.initial_length;
    state.next_step = row.step + 1;
    state.history.emplace_back(row.chosen_score, state.prompt);
  }
  return state;
}

GreaterOptimizer::GreaterOptimizer(const SequenceRecipe& recipe, const TaskSplits& splits,
                                   AnswerFormat format, Communicator& comm, RunFile* run_file)
    : recipe_(recipe),
      splits_(splits),
      format_(format),
      comm_(comm),
      run_file_(run_file),
      shard_(recipe, my_micro_batches(splits.train, recipe.settings.micro_batch, comm.rank(),
                                      comm.size())) {
  allowed_ = allowed_prompt_tokens(*recipe.tokenizer, recipe.model->config().vocab_size);
  const auto filler = recipe.tokenizer->encode(recipe.settings.filler);
  if (filler.empty())
    throw Error("option filler", "'" + recipe.settings.filler + "' encodes to no token");
  filler_id_ = filler.back();
}

std::string GreaterOptimizer::text_of(const TokenIds& ids) const {
  return recipe_.tokenizer->decode(narrow(ids));
}

IterationRow GreaterOptimizer::iterate(OptimizerState& state) {
  TokenIds& prompt = state.prompt;
  IterationRow row;
  row.step = state.next_step;
  if (state.position >= static_cast<int64_t>(prompt.size())) state.position = prompt.size() - 1;
  const int64_t pos = state.position;
  row.position = pos;
  row.prompt = text_of(prompt);
  row.prompt_ids.assign(prompt.begin(), prompt.end());
  int64_t generated = 0;

  // 1 chains for the current prompt (free when the last iteration chose these chains).
  observe("start");
  auto t = Clock::now();
  generated += shard_.ensure_chains(prompt, pos);
  row.stage_seconds.push_back(seconds_since(t));
  observe("chains");
  stop_point();

  // 2 propose candidates for the slot, 3 rank them by gradient, 4 evaluate the best few.
  t = Clock::now();
  const std::vector<int64_t> candidates = propose(prompt, pos, row.step);
  row.stage_seconds.push_back(seconds_since(t));
  observe("proposal");
  t = Clock::now();
  const std::vector<int64_t> ranked = rank_candidates(prompt, pos, candidates, row);
  row.stage_seconds.push_back(seconds_since(t));
  observe("gradient");
  stop_point();
  t = Clock::now();
  const bool period_rule = pos >= recipe_.settings.period_rule_fraction * state.initial_length;
  const int64_t choice = select(prompt, pos, ranked, period_rule, row, &generated);
  prompt[pos] = choice;
  shard_.keep_only(prompt);
  row.stage_seconds.push_back(seconds_since(t));
  observe("selection");

  // Next position: sweep left to right; at the end wrap after a '.', else grow by the filler.
  const int64_t length = prompt.size();
  state.position = pos + 1;
  if (state.position >= length) {
    if (text_of({choice}).find('.') != std::string::npos) {
      state.position = 0;
    } else {
      prompt.push_back(filler_id_);
    }
  }
  // Inner restart (docs/ALGORITHM_NOTES.md): a chosen score below the threshold ends the
  // reference's inner run, and a fresh one starts from the current prompt: position 0, L0 its
  // length. The history of prompts is kept (the reference's top-10 list is reset).
  if (row.chosen_score < recipe_.settings.loss_threshold) {
    state.position = 0;
    state.initial_length = prompt.size();
  }
  state.history.emplace_back(row.chosen_score, prompt);
  state.next_step = row.step + 1;
  row.next_prompt_ids.assign(prompt.begin(), prompt.end());
  row.next_position = state.position;
  row.initial_length = state.initial_length;

  std::vector<double> total = {static_cast<double>(generated)};
  comm_.all_reduce_sum(total);
  row.tokens_generated = static_cast<int64_t>(total[0]);
  return row;
}

std::vector<int64_t> GreaterOptimizer::propose(const TokenIds& prompt, int64_t pos, int64_t step) {
  // Every example's top tokens at the slot, gathered in example order; rank 0 forms the
  // seeded pool and broadcasts it.
  const int64_t previous = pos > 0 ? prompt[pos - 1] : prompt.back();
  std::vector<int64_t> packed;
  for (const auto& list :
       shard_.slot_top_lists(prompt, pos, allowed_, previous, recipe_.settings.topk_max)) {
    packed.push_back(list.size());
    packed.insert(packed.end(), list.begin(), list.end());
  }
  const std::vector<int64_t> gathered = comm_.all_gather(packed);
  std::vector<int64_t> candidates;
  if (comm_.rank() == 0) {
    std::vector<std::vector<int64_t>> lists;
    for (size_t at = 0; at < gathered.size(); at += 1 + gathered[at])
      lists.emplace_back(gathered.begin() + at + 1, gathered.begin() + at + 1 + gathered[at]);
    candidates = propose_candidates(lists, recipe_.settings, step, prompt[pos]).candidates;
    if (pos == 0)
      candidates = slot_zero_candidates(candidates, *recipe_.tokenizer, *recipe_.layout, prompt[0]);
  }
  broadcast_ids(comm_, candidates);
  return candidates;
}

std::vector<int64_t> GreaterOptimizer::rank_candidates(const TokenIds& prompt, int64_t pos,
                                                       const std::vector<int64_t>& candidates,
                                                       IterationRow& row) {
  const Ranking ranking = recipe_.settings.ranking;
  row.candidate_ids.assign(candidates.begin(), candidates.end());
  if (ranking == Ranking::Random) {
    // The ablation baseline: the pool in an order drawn from the job's seed and the step (a
    // stream of its own, so the proposal's draws are those of a gradient run). Every rank
    // holds the same pool and draws the same order. No gradient: its column holds NaN.
    row.candidate_gradients.assign(candidates.size(), NAN);
    SplitMix64 rng(recipe_.settings.seed, row.step, kRandomRankingPurpose);
    std::vector<int64_t> ranked;
    for (int64_t i : rng.sample(candidates.size(), candidates.size()))
      ranked.push_back(candidates[i]);
    return ranked;
  }
  // Σ_i ⟨E[c], ∂L_i/∂e_pos⟩ summed in example order, normalized once; most negative first.
  // no_reasoning takes the gradient on sequences without the chain.
  const std::vector<double> local =
      shard_.gradient_scores(prompt, pos, candidates, ranking != Ranking::NoReasoning);
  std::vector<double> scores = sum_in_example_order(comm_.all_gather(local), candidates.size());
  const double norm =
      std::sqrt(std::inner_product(scores.begin(), scores.end(), scores.begin(), 0.0));
  if (norm > 0)
    for (double& v : scores) v /= norm;
  row.candidate_gradients = scores;
  std::vector<size_t> order(candidates.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  std::vector<int64_t> ranked;
  for (size_t i : order) ranked.push_back(candidates[i]);
  return ranked;
}

int64_t GreaterOptimizer::select(const TokenIds& prompt, int64_t pos,
                                 const std::vector<int64_t>& ranked, bool period_rule,
                                 IterationRow& row, int64_t* generated) {
  // The best few by gradient, each scored on the train set with its own chains. A '.'
  // candidate past the threshold is accepted once reached and ends the evaluation.
  const OptimizerSettings& s = recipe_.settings;
  auto forced_by_period = [&](int64_t id) {
    return period_rule && text_of({id}).find('.') != std::string::npos;
  };
  // The candidates evaluated: the best few, up to the first one the '.' rule accepts.
  std::vector<TokenIds> trials;
  for (size_t r = 0; r < ranked.size() && r < static_cast<size_t>(s.candidates_evaluated); ++r) {
    trials.push_back(prompt);
    trials.back()[pos] = ranked[r];
    if (forced_by_period(ranked[r])) break;
  }
  const std::vector<SelectionTerms> all_terms = shard_.selection_terms(trials, pos, generated);
  stop_point();
  double best = INFINITY;
  int64_t choice = prompt[pos];
  for (size_t r = 0; r < trials.size(); ++r) {
    const SelectionTerms& terms = all_terms[r];
    const double mistakes = mean_in_example_order(comm_.all_gather(terms.mistake));
    const double answer_ce = mean_in_example_order(comm_.all_gather(terms.answer_ce));
    const double prompt_nll = mean_in_example_order(comm_.all_gather(terms.prompt_nll));
    const double score = mistakes + s.selection_prompt_weight * prompt_nll;
    row.evaluated_ids.push_back(ranked[r]);
    row.evaluated_mistake_rate.push_back(mistakes);
    row.evaluated_answer_ce.push_back(answer_ce);
    row.evaluated_prompt_nll.push_back(prompt_nll);
    row.evaluated_score.push_back(score);
    const bool forced = forced_by_period(ranked[r]);
    if (score <= best || forced) {  // ties go to the later candidate
      best = score;
      choice = ranked[r];
      row.train_accuracy = 1.0 - mistakes;
    }
    if (forced) break;
  }
  // Rank 0 decides; the others take its word (they computed the same numbers).
  std::vector<int64_t> decision = {choice};
  broadcast_ids(comm_, decision);
  row.chosen_id = decision[0];
  row.chosen_score = best;
  return decision[0];
}

void GreaterOptimizer::stop_point() {
  // Every rank votes; one request stops all of them at the same point.
  std::vector<double> stop = {stop_requested_ && stop_requested_() ? 1.0 : 0.0};
  comm_.all_reduce_sum(stop);
  if (stop[0] > 0) throw StopRequested();
}

bool GreaterOptimizer::optimize(OptimizerState& state,
                                const std::function<bool()>& stop_requested) {
  const int64_t total = recipe_.settings.iterations;
  stop_requested_ = stop_requested;
  while (state.next_step < total) {
    const auto start = Clock::now();
    IterationRow row;
    // An iteration stopped half-way is abandoned: nothing of it is recorded, and the state it
    // started from is what a resumed run continues from.
    const OptimizerState before = state;
    try {
      stop_point();
      row = iterate(state);
    } catch (const StopRequested&) {
      state = before;
      return false;
    }
    if (run_file_) run_file_->append_iteration(row);
    const double seconds = seconds_since(start);
    iteration_seconds_ += seconds;
    ++iterations_timed_;
    const double eta = iteration_seconds_ / iterations_timed_ * (total - state.next_step);
    print_progress(row, seconds, eta);

    const int64_t every = recipe_.settings.eval_every;
    if (every > 0 && state.next_step % every == 0 && state.next_step < total)
      evaluate_best(state, row.step);
  }
  return true;
}

void GreaterOptimizer::print_progress(const IterationRow& row, double seconds,
                                      double eta_seconds) const {
  if (comm_.rank() != 0) return;
  std::ostringstream line;
  line.setf(std::ios::fixed);
  line.precision(4);
  line << "step " << row.step + 1 << "/" << recipe_.settings.iterations << "  pos " << row.position
       << "  score " << row.chosen_score;
  line.precision(3);
  line << "  train_acc " << row.train_accuracy;
  line.precision(1);
  line << "  " << seconds << " s  ETA " << format_duration(eta_seconds) << "  | "
       << text_of(TokenIds(row.next_prompt_ids.begin(), row.next_prompt_ids.end()));
  std::cout << line.str() << std::endl;
}

PromptEvaluation GreaterOptimizer::evaluate_and_record(const TokenIds& prompt,
                                                       const std::vector<Example>& split,
                                                       const std::string& split_name,
                                                       int64_t step) {
  PromptEvaluation result = evaluate_prompt(recipe_, split, prompt, format_, comm_);
  if (run_file_) {
    EvaluationRow row;
    row.step = step;
    row.split = split_name;
    row.prompt = text_of(prompt);
    row.prompt_ids.assign(prompt.begin(), prompt.end());
    row.parse_accuracy = result.parse_accuracy;
    row.token_accuracy = result.token_accuracy;
    row.n = result.n;
    const size_t keep = std::min<size_t>(result.chains.size(), recipe_.settings.eval_chains_saved);
    row.chains.assign(result.chains.begin(), result.chains.begin() + keep);
    run_file_->append_evaluation(row);
  }
  if (comm_.rank() == 0) {
    std::printf("eval %-5s step %ld  acc %.3f (token-exact %.3f, n=%ld)  | %s\n",
                split_name.c_str(), long(step), result.parse_accuracy, result.token_accuracy,
                long(result.n), text_of(prompt).c_str());
    std::fflush(stdout);
  }
  return result;
}

void GreaterOptimizer::evaluate_baseline(const TokenIds& prompt) {
  if (!splits_.dev.empty()) evaluate_and_record(prompt, splits_.dev, "dev", -1);
  if (!splits_.test.empty()) evaluate_and_record(prompt, splits_.test, "test", -1);
}

void GreaterOptimizer::evaluate_best(const OptimizerState& state, int64_t step) {
  // The distinct prompts with the lowest selection scores (trailing fillers removed).
  std::vector<std::pair<double, TokenIds>> ranked;
  for (const auto& [score, prompt] : state.history) {
    const TokenIds clean = without_trailing(prompt, filler_id_);
    if (std::none_of(ranked.begin(), ranked.end(),
                     [&](const auto& r) { return r.second == clean; }))
      ranked.emplace_back(score, clean);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  if (static_cast<int64_t>(ranked.size()) > recipe_.settings.eval_top_prompts)
    ranked.resize(recipe_.settings.eval_top_prompts);
  if (ranked.empty()) return;

  TokenIds winner = ranked.front().second;
  if (!splits_.dev.empty() && ranked.size() > 1) {
    double best_accuracy = -1.0;
    for (const auto& [score, prompt] : ranked) {
      const double accuracy = evaluate_and_record(prompt, splits_.dev, "dev", step).parse_accuracy;
      if (accuracy > best_accuracy) best_accuracy = accuracy, winner = prompt;
    }
  }
  if (!splits_.test.empty()) evaluate_and_record(winner, splits_.test, "test", step);
}

}  // namespace greater
