// The GReaTer iteration (docs/ALGORITHM.md §6, with the decisions of §9), sharded over the ranks of
// one job. Rank 0 makes every decision and broadcasts it; only rank 0 holds the run file.
#pragma once

#include <functional>
#include <vector>

#include "greater/dist/communicator.h"
#include "greater/optimizer/evaluation.h"
#include "greater/optimizer/optimizer_state.h"
#include "greater/optimizer/train_shard.h"
#include "greater/record/run_file.h"

namespace greater {

class GreaterOptimizer {
 public:
  // `run_file` is null on every rank but 0. `stop_requested` is polled by every rank between
  // the stages of an iteration; the ranks agree before stopping, and a stopped iteration is
  // abandoned (the run resumes from the last recorded one).
  GreaterOptimizer(const SequenceRecipe& recipe, const TaskSplits& splits, AnswerFormat format,
                   Communicator& comm, RunFile* run_file);

  // Runs iterations until settings.iterations; false when stopped early by a request.
  bool optimize(OptimizerState& state, const std::function<bool()>& stop_requested);

  // The initial prompt on dev and test (the baseline), recorded with step -1.
  void evaluate_baseline(const TokenIds& prompt);
  // The best prompts so far on dev, the winner on test, recorded with `step`.
  void evaluate_best(const OptimizerState& state, int64_t step);

  // Called with "start" when an iteration begins and with each stage's name ("chains",
  // "proposal", "gradient", "selection") when it ends; for benchmarks.
  void set_stage_observer(std::function<void(const char* stage)> observer) {
    observer_ = std::move(observer);
  }

 private:
  struct StopRequested {};
  // Collective: throws StopRequested on every rank when any rank was asked to stop.
  void stop_point();
  void observe(const char* stage) const {
    if (observer_) observer_(stage);
  }
  // What the stages hand on, by name.
  struct GradientRanking {
    TokenIds candidates;         // the pool, as proposed
    std::vector<double> scores;  // normalized gradient score of each, lower = better (NaN: random)
    TokenIds ranked;             // the pool, best score first
  };
  struct CandidateScore {
    TokenId id = -1;
    double mistake_rate = 0, answer_ce = 0, prompt_nll = 0, score = 0;
  };
  struct Trials {
    TokenIds ids;                       // the candidates tried, best gradient first
    std::vector<SelectionTerms> terms;  // this rank's per-example terms, one per id
    int64_t tokens_generated = 0;       // by this rank
  };
  struct Selection {
    std::vector<CandidateScore> evaluated;  // in evaluation order
    TokenId choice = -1;
    double score = 0;              // the choice's
    double train_accuracy = 0;     // 1 - the choice's mistake rate
    int64_t tokens_generated = 0;  // by this rank
  };

  // One iteration: the stages, then the state's advance, then the record row, built once.
  IterationRow iterate(OptimizerState& state);
  template <typename Stage>
  auto timed(const char* name, Stage&& stage);
  // The stages of one iteration (docs/ALGORITHM.md §3, steps 2 to 4).
  TokenIds propose(const TokenIds& prompt, int64_t pos, int64_t step);
  // The pool in evaluation order, by settings.ranking (gradient, random or no_reasoning).
  GradientRanking rank_candidates(const TokenIds& prompt, int64_t pos, const TokenIds& candidates,
                                  int64_t step);
  // Selection, in two halves: this rank's terms for the candidates tried, then the choice.
  Trials score_trials(const TokenIds& prompt, int64_t pos, const TokenIds& ranked,
                      bool period_rule);
  Selection choose(const Trials& trials, TokenId current, bool period_rule);
  // Whether the token's text holds a '.' (the sweep's end and the period rule test this).
  bool has_period(TokenId id) const;
  // A '.' candidate under the period rule: accepted once reached, and the last one tried.
  bool ends_selection(TokenId id, bool period_rule) const;
  IterationRow iteration_row(const OptimizerState& before, int64_t pos,
                             const GradientRanking& ranking, const Selection& selection,
                             int64_t generated, OptimizerState& after);
  PromptEvaluation evaluate_and_record(const TokenIds& prompt, const std::vector<Example>& split,
                                       const std::string& split_name, int64_t step);
  std::string text_of(const TokenIds& ids) const;
  void print_progress(const IterationRow& row, double seconds, double eta_seconds) const;

  const SequenceRecipe& recipe_;
  const TaskSplits& splits_;
  AnswerFormat format_;
  Communicator& comm_;
  RunFile* run_file_;
  TrainShard shard_;
  std::function<bool()> stop_requested_;
  std::function<void(const char*)> observer_;
  std::vector<bool> allowed_;
  TokenId filler_id_ = -1;
  std::vector<double> stage_seconds_;  // of the iteration under way
  double iteration_seconds_ = 0.0;     // sum over iterations run by this process (for the ETA)
  int64_t iterations_timed_ = 0;
};

}  // namespace greater
