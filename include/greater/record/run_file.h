// The HDF5 run file: one file per job, written by rank 0 only, readable by h5py and h5dump
// while it is being written (SWMR). It holds the job's configuration, every iteration, the
// evaluations, and what a resumed run needs. Layout: docs/RUN_FILE.md.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "greater/common/token_id.h"

namespace greater {

// Fixed capacities of the per-iteration datasets (SWMR cannot grow anything but the first
// dimension, and variable-length types are not SWMR-safe, so rows are padded; ids with -1,
// numbers with NaN, strings with NUL).
struct RunFileLimits {
  int64_t max_prompt_tokens = 128;
  int64_t max_candidates = 256;
  int64_t max_evaluated = 16;
  int64_t max_text_bytes = 2048;    // prompt text
  int64_t max_chain_bytes = 16384;  // one reasoning chain's text at evaluations
};

struct RunInfo {
  std::string job_config;  // the full job configuration as TOML text
  uint64_t seed = 0;
  int world_size = 1;
  std::string program_version;
  std::string model;  // model folder as given
  std::string task;   // task file as given
  std::map<std::string, std::string> attributes;  // more root attributes (settings, fixes)
  RunFileLimits limits;
};

// Names of the timed stages, in the order of IterationRow::stage_seconds.
const std::vector<std::string>& stage_names();  // chains, propose, gradient, select

struct IterationRow {
  int64_t step = 0;
  int64_t position = 0;           // the prompt position optimized in this iteration
  std::string prompt;             // prompt text before the change
  TokenIds prompt_ids;
  TokenIds candidate_ids;                   // the proposal pool C
  std::vector<double> candidate_gradients;  // normalized gradient score of each, lower = better
  TokenIds evaluated_ids;                   // candidates evaluated on the train set, in order
  std::vector<double> evaluated_mistake_rate, evaluated_answer_ce, evaluated_prompt_nll,
      evaluated_score;
  TokenId chosen_id = -1;
  double chosen_score = 0.0;
  double train_accuracy = 0.0;  // 1 - mistake rate of the chosen candidate
  std::vector<double> stage_seconds;
  int64_t tokens_generated = 0;
  // State after this iteration, from which a resumed run continues.
  TokenIds next_prompt_ids;
  int64_t next_position = 0;
  int64_t initial_length = 0;  // L0 of the '.' rule
};

struct EvaluatedChain {
  int64_t example_index = 0;
  std::string chain;       // generated reasoning text
  std::string prediction;  // the answer text generated after the extractor
  bool correct = false;    // parse-based
};

struct EvaluationRow {
  int64_t step = 0;   // iteration after which it ran (-1 for the initial prompt)
  std::string split;  // "train", "dev", "test"
  std::string prompt;
  TokenIds prompt_ids;
  double parse_accuracy = 0.0;
  double token_accuracy = 0.0;
  int64_t n = 0;
  std::vector<EvaluatedChain> chains;  // stored in group evaluations/chains
};

enum class RunStatus { Running, Finished, Failed, Interrupted };
std::string run_status_name(RunStatus status);
// Inverse of run_status_name; throws greater::Error(where, ...) for an unknown name.
RunStatus run_status_from_name(const std::string& name, const std::string& where = "");

class RunFile {
 public:
  // Creates a new file (fails if one exists) with all groups and datasets, writes the root
  // attributes, status "running", and starts SWMR writing.
  static std::unique_ptr<RunFile> create(const std::string& path, const RunInfo& info);
  // Opens an existing unfinished file for appending (clears a stale SWMR/open flag left by a
  // killed writer); rows beyond the last complete iteration are dropped. Errors name the file.
  static std::unique_ptr<RunFile> open_for_resume(const std::string& path);

  ~RunFile();  // flushes and closes; never changes the status

  // Appends one row to every iteration dataset, then flushes; a reader sees whole rows only.
  void append_iteration(const IterationRow& row);
  void append_evaluation(const EvaluationRow& row);
  void set_status(RunStatus status, const std::string& message = "");
  // The end of a run, or a clean stop: cuts every dataset to its table's count, so that a
  // plain read sees only real rows, then sets the status. Appending after it still works.
  void finish(RunStatus status, const std::string& message = "");
  void flush();

  const std::string& path() const;
  const RunInfo& info() const;
  std::vector<IterationRow> iterations() const;
  std::vector<EvaluationRow> evaluations() const;  // without chains
  std::vector<EvaluationRow> evaluations(bool with_chains) const;

  struct Impl;

 private:
  explicit RunFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Read-only look at a run file, safe while another process writes it.
struct RunSummary {
  RunInfo info;
  RunStatus status = RunStatus::Running;
  std::string status_message;
  std::vector<IterationRow> iterations;
  std::vector<EvaluationRow> evaluations;
};
RunSummary read_run_file(const std::string& path);
RunSummary read_run_file(const std::string& path, bool with_chains);
bool run_file_exists(const std::string& path);

}  // namespace greater
