// The GReaTer iteration (ALGORITHM.md §1.4 with the fixes of §0), sharded over the ranks of
// one job. Rank 0 makes every decision and broadcasts it; only rank 0 holds the run file.
#pragma once

#include <functional>
#include <vector>

#include "greater/dist/communicator.h"
#include "greater/optimizer/evaluation.h"
#include "greater/optimizer/train_shard.h"
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
  IterationRow iterate(OptimizerState& state);
  // The stages of one iteration (ALGORITHM.md §1.4 B, C, D).
  std::vector<int64_t> propose(const TokenIds& prompt, int64_t pos, int64_t step);
  // The pool in evaluation order, by settings.ranking (gradient, random or no_reasoning).
  std::vector<int64_t> rank_candidates(const TokenIds& prompt, int64_t pos,
                                       const std::vector<int64_t>& candidates, IterationRow& row);
  int64_t select(const TokenIds& prompt, int64_t pos, const std::vector<int64_t>& ranked,
                 bool period_rule, IterationRow& row, int64_t* generated);
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
  int64_t filler_id_ = -1;
  double iteration_seconds_ = 0.0;  // sum over iterations run by this process (for the ETA)
  int64_t iterations_timed_ = 0;
};

}  // namespace greater
