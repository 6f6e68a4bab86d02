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
#include "greater/dist/messages.h"
#include "greater/optimizer/proposal.h"

namespace greater {

namespace {

using Clock = std::chrono::steady_clock;

// SplitMix64 purpose of the random ranking's draws (the proposal uses 1000 + attempt).
constexpr uint64_t kRandomRankingPurpose = 2000;
double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

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

std::string format_duration(double seconds) {
  const int64_t s = static_cast<int64_t>(std::llround(seconds));
  char buffer[32];
  if (s >= 3600)
    std::snprintf(buffer, sizeof buffer, "%ldh%02ldm", long(s / 3600), long(s % 3600 / 60));
  else
    std::snprintf(buffer, sizeof buffer, "%ldm%02lds", long(s / 60), long(s % 60));
  return buffer;
}

}  // namespace

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

std::string GreaterOptimizer::text_of(const TokenIds& ids) const { return recipe_.text(ids); }

template <typename Stage>
auto GreaterOptimizer::timed(const char* name, Stage&& stage) {
  const auto start = Clock::now();
  auto result = stage();
  stage_seconds_.push_back(seconds_since(start));
  observe(name);
  return result;
}

IterationRow GreaterOptimizer::iterate(OptimizerState& state) {
  const OptimizerState before = state;
  const int64_t pos = std::min<int64_t>(state.position, state.prompt.size() - 1);
  const TokenIds& prompt = state.prompt;
  const OptimizerSettings& s = recipe_.settings;
  stage_seconds_.clear();
  observe("start");

  // 1 chains for the current prompt (free when the last iteration chose these chains),
  // 2 propose candidates for the slot, 3 rank them by gradient, 4 score the best few on the
  // train set and choose. Stop requests are honoured between the expensive stages.
  const int64_t chain_tokens = timed("chains", [&] { return shard_.ensure_chains(prompt, pos); });
  stop_point();
  const TokenIds pool = timed("proposal", [&] { return propose(prompt, pos, before.next_step); });
  const GradientRanking ranking =
      timed("gradient", [&] { return rank_candidates(prompt, pos, pool, before.next_step); });
  stop_point();
  const bool period_rule = period_rule_applies(pos, before.initial_length, s.period_rule_fraction);
  const Selection selection = timed("selection", [&] {
    const Trials trials = score_trials(prompt, pos, ranking.ranked, period_rule);
    stop_point();
    return choose(trials, prompt[pos], period_rule);
  });

  advance(state, pos, selection.choice, has_period(selection.choice), filler_id_);
  // Inner restart (docs/ALGORITHM_NOTES.md): a chosen score below the threshold ends the
  // reference's inner run, and a fresh one starts from the current prompt: position 0, L0 its
  // length. The history of prompts is kept (the reference's top-10 list is reset).
  if (selection.score < s.loss_threshold) {
    state.position = 0;
    state.initial_length = state.prompt.size();
  }
  shard_.keep_only(state.prompt);
  const int64_t generated = chain_tokens + selection.tokens_generated;
  return iteration_row(before, pos, ranking, selection, generated, state);
}

IterationRow GreaterOptimizer::iteration_row(const OptimizerState& before, int64_t pos,
                                             const GradientRanking& ranking,
                                             const Selection& selection, int64_t generated,
                                             OptimizerState& after) {
  IterationRow row;
  row.step = before.next_step;
  row.position = pos;
  row.prompt = text_of(before.prompt);
  row.prompt_ids = before.prompt;
  row.candidate_ids = ranking.candidates;
  row.candidate_gradients = ranking.scores;
  for (const CandidateScore& c : selection.evaluated) {
    row.evaluated_ids.push_back(c.id);
    row.evaluated_mistake_rate.push_back(c.mistake_rate);
    row.evaluated_answer_ce.push_back(c.answer_ce);
    row.evaluated_prompt_nll.push_back(c.prompt_nll);
    row.evaluated_score.push_back(c.score);
  }
  row.chosen_id = selection.choice;
  row.chosen_score = selection.score;
  row.train_accuracy = selection.train_accuracy;
  row.stage_seconds = stage_seconds_;
  // The tokens every rank generated (for the record; nothing is decided by it).
  std::vector<double> total = {static_cast<double>(generated)};
  comm_.all_reduce_sum(total);
  row.tokens_generated = static_cast<int64_t>(total[0]);
  row.next_prompt_ids = after.prompt;
  row.next_position = after.position;
  row.initial_length = after.initial_length;
  after.history.emplace_back(selection.score, after.prompt);
  return row;
}

TokenIds GreaterOptimizer::propose(const TokenIds& prompt, int64_t pos, int64_t step) {
  // Every example's top tokens at the slot, gathered in example order; rank 0 forms the
  // seeded pool and broadcasts it.
  const TokenId previous = pos > 0 ? prompt[pos - 1] : prompt.back();
  const std::vector<TokenIds> lists = all_gather_lists(
      comm_, shard_.slot_top_lists(prompt, pos, allowed_, previous, recipe_.settings.topk_max));
  TokenIds candidates;
  if (comm_.rank() == 0) {
    candidates = propose_candidates(lists, recipe_.settings, step, prompt[pos]).candidates;
    if (pos == 0)
      candidates = slot_zero_candidates(candidates, *recipe_.tokenizer, *recipe_.layout, prompt[0]);
  }
  broadcast_values(comm_, candidates);
  return candidates;
}

GreaterOptimizer::GradientRanking GreaterOptimizer::rank_candidates(const TokenIds& prompt,
                                                                    int64_t pos,
                                                                    const TokenIds& candidates,
                                                                    int64_t step) {
  const Ranking ranking = recipe_.settings.ranking;
  GradientRanking r;
  r.candidates = candidates;
  if (ranking == Ranking::Random) {
    // The ablation baseline: the pool in an order drawn from the job's seed and the step (a
    // stream of its own, so the proposal's draws are those of a gradient run). Every rank
    // holds the same pool and draws the same order. No gradient: its column holds NaN.
    r.scores.assign(candidates.size(), NAN);
    SplitMix64 rng(recipe_.settings.seed, step, kRandomRankingPurpose);
    for (int64_t i : rng.sample(candidates.size(), candidates.size()))
      r.ranked.push_back(candidates[i]);
    return r;
  }
  // Σ_i ⟨E[c], ∂L_i/∂e_pos⟩ summed in example order, normalized once; most negative first.
  // no_reasoning takes the gradient on sequences without the chain.
  const std::vector<double> local =
      shard_.gradient_scores(prompt, pos, candidates, ranking != Ranking::NoReasoning);
  r.scores = sum_in_example_order(comm_.all_gather(local), candidates.size());
  const double norm =
      std::sqrt(std::inner_product(r.scores.begin(), r.scores.end(), r.scores.begin(), 0.0));
  if (norm > 0)
    for (double& v : r.scores) v /= norm;
  std::vector<size_t> order(candidates.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return r.scores[a] < r.scores[b]; });
  for (size_t i : order) r.ranked.push_back(candidates[i]);
  return r;
}

bool GreaterOptimizer::has_period(TokenId id) const {
  return text_of({id}).find('.') != std::string::npos;
}

bool GreaterOptimizer::ends_selection(TokenId id, bool period_rule) const {
  return period_rule && has_period(id);
}

GreaterOptimizer::Trials GreaterOptimizer::score_trials(const TokenIds& prompt, int64_t pos,
                                                        const TokenIds& ranked, bool period_rule) {
  // The best few by gradient, each scored on this rank's examples with its own chains, up to
  // the first one the '.' rule accepts.
  Trials trials;
  std::vector<TokenIds> prompts;
  for (size_t r = 0;
       r < ranked.size() && r < static_cast<size_t>(recipe_.settings.candidates_evaluated); ++r) {
    prompts.push_back(prompt);
    prompts.back()[pos] = ranked[r];
    trials.ids.push_back(ranked[r]);
    if (ends_selection(ranked[r], period_rule)) break;
  }
  trials.terms = shard_.selection_terms(prompts, pos, &trials.tokens_generated);
  return trials;
}

GreaterOptimizer::Selection GreaterOptimizer::choose(const Trials& trials, TokenId current,
                                                     bool period_rule) {
  // Each trial's terms gathered over the ranks in example order; the lowest score wins, and a
  // '.' candidate past the threshold is accepted once reached.
  const OptimizerSettings& s = recipe_.settings;
  Selection selection;
  selection.tokens_generated = trials.tokens_generated;
  double best = INFINITY;
  TokenId choice = current;
  for (size_t r = 0; r < trials.ids.size(); ++r) {
    const SelectionTerms& terms = trials.terms[r];
    CandidateScore c;
    c.id = trials.ids[r];
    c.mistake_rate = mean_in_example_order(comm_.all_gather(terms.mistake));
    c.answer_ce = mean_in_example_order(comm_.all_gather(terms.answer_ce));
    c.prompt_nll = mean_in_example_order(comm_.all_gather(terms.prompt_nll));
    c.score = c.mistake_rate + s.selection_prompt_weight * c.prompt_nll;
    selection.evaluated.push_back(c);
    const bool forced = ends_selection(c.id, period_rule);
    if (c.score <= best || forced) {  // ties go to the later candidate
      best = c.score;
      choice = c.id;
      selection.train_accuracy = 1.0 - c.mistake_rate;
    }
    if (forced) break;
  }
  // Rank 0 decides; the others take its word (they computed the same numbers).
  broadcast_value(comm_, choice);
  selection.choice = choice;
  selection.score = best;
  return selection;
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
  if (comm_.rank() == 0 && state.next_step < total)
    std::cout << "(steps count from 0; each line shows the prompt the step started from)"
              << std::endl;
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
  // Steps count from 0, as the run file's iterations/step and greater_inspect do; the prompt is
  // the one the step started from (the run file's iterations/prompt).
  line << "step " << row.step << "/" << recipe_.settings.iterations << "  pos " << row.position
       << "  score " << row.chosen_score;
  line.precision(3);
  line << "  train_acc " << row.train_accuracy;
  line.precision(1);
  line << "  " << seconds << " s  ETA " << format_duration(eta_seconds) << "  | " << row.prompt;
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
    row.prompt_ids = prompt;
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
  const auto ranked = best_prompts(state.history, filler_id_, recipe_.settings.eval_top_prompts);
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
