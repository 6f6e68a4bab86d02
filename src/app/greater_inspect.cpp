// greater_inspect: a run file's summary on stdout — status, settings, one line per iteration,
// the evaluations. Safe on a file that is still being written.
//
//   greater_inspect runs/demo-arithmetic.h5 [--prompts] [--config]
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "greater/common/error.h"
#include "greater/record/run_file.h"

using namespace greater;

int main(int argc, char** argv) {
  CLI::App app{"Print the summary of a greater_dist run file"};
  std::string path;
  bool prompts_only = false, show_config = false;
  app.add_option("run_file", path, "HDF5 run file")->required();
  app.add_flag("--prompts", prompts_only, "print only the prompt after each iteration");
  app.add_flag("--config", show_config, "print the job configuration stored in the file");
  CLI11_PARSE(app, argc, argv);
  try {
    const RunSummary run = read_run_file(path);
    if (prompts_only) {
      for (const IterationRow& row : run.iterations) {
        std::cout << row.step;
        for (int32_t id : row.next_prompt_ids) std::cout << ' ' << id;
        std::cout << '\n';
      }
      return 0;
    }
    std::cout << path << ": " << run_status_name(run.status)
              << (run.status_message.empty() ? "" : " (" + run.status_message + ")") << "\n"
              << "model " << run.info.model << ", task " << run.info.task << ", seed "
              << run.info.seed << ", " << run.info.world_size << " rank(s), version "
              << run.info.program_version << "\n";
    if (show_config) std::cout << run.info.job_config;
    if (!run.iterations.empty())
      std::cout << "(steps count from 0; each line shows the prompt the step started from)\n";
    for (const IterationRow& row : run.iterations) {
      double seconds = 0;
      for (double s : row.stage_seconds) seconds += s;
      std::printf("step %4ld pos %3ld score %.4f train_acc %.3f %6.1f s %6ld tok | %s\n",
                  long(row.step), long(row.position), row.chosen_score, row.train_accuracy, seconds,
                  long(row.tokens_generated), row.prompt.c_str());
    }
    for (const EvaluationRow& e : run.evaluations)
      std::printf("eval step %4ld %-5s acc %.3f token-exact %.3f n=%ld | %s\n", long(e.step),
                  e.split.c_str(), e.parse_accuracy, e.token_accuracy, long(e.n), e.prompt.c_str());
    return 0;
  } catch (const Error& e) {
    std::cerr << "greater_inspect: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "greater_inspect: " << path << ": " << e.what() << "\n";
  }
  return 1;
}
