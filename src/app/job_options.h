// The options of one greater_dist job: read from a TOML job file (CLI11 config), a preset
// under configs/presets/, and the command line, in increasing precedence.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "greater/optimizer/settings.h"
#include "greater/task/task.h"

namespace greater {

struct JobOptions {
  std::string job_file;
  std::string preset;  // name under configs/presets/ or a path to a .toml file
  std::string model, layout = "plain";
  std::string data_dir;  // joined with relative task paths when set
  std::string task, task_format = "jsonl", dev_task, test_task;
  std::string answer_format = "integer";
  std::string extractor, initial_prompt, question_suffix;
  std::string prompt_from;  // a run file whose best prompt becomes initial_prompt (transfer)
  int64_t train_size = 50, dev_size = 100, test_size = 100;
  uint64_t split_seed = 0;
  std::string run_file;
  // Runtime choices: they do not change the trajectory, so a run may resume with others.
  std::string device = "auto", dtype = "auto";
  int threads = 0;
  bool overwrite = false;
  bool gpu_collectives = true;  // NCCL when every rank has its own GPU; false: MPI
  OptimizerSettings settings;

  // The options that define the run, as TOML text (stored in the run file and compared on
  // resume).
  std::string to_toml() const;
  // Path of a data file after data_dir is applied.
  std::string data_path(const std::string& path) const;
  // The task files and split sizes, paths after data_dir.
  SplitSources split_sources() const;
};

// Declares every option on `app`, bound to `job`.
void add_job_options(CLI::App& app, JobOptions& job);

// Parses job file, preset and command line (in that precedence order, lowest first:
// preset < job file < command line). Returns false after printing help or an error, with
// `exit_code` set.
bool parse_job_options(int argc, char** argv, JobOptions& job, int* exit_code, bool quiet);

// Checks values that CLI11 cannot (required keys, ranges); throws greater::Error naming the
// job file and the key.
void validate_job_options(const JobOptions& job);

}  // namespace greater
