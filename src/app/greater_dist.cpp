// greater_dist: GReaTer prompt optimization, train examples sharded over MPI ranks.
//
//   mpirun -n 2 greater_dist --job jobs/demo/arithmetic.toml [--option value ...]
//   mpirun -n 8 greater_dist --jobs jobs/bbh/llama3/*.toml --ranks-per-job 2 [--option ...]
//
// With --jobs the world is split into groups of --ranks-per-job ranks; each group takes the
// next job from a shared queue until none is left; options after the job list apply to every
// job. Finished run files are skipped, unfinished ones resumed; world rank 0 prints a summary.
// SIGTERM and SIGUSR1 stop every job at its next iteration boundary with the run file
// flushed; the exit code is then 75 (EX_TEMPFAIL): run the same command again to resume.
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "greater/common/error.h"
#include "greater/dist/job_queue.h"
#include "greater/dist/messages.h"
#include "greater/dist/mpi_world.h"
#include "greater/record/run_file.h"
#include "job_runner.h"

using namespace greater;

namespace {

constexpr int kExitInterrupted = 75;
volatile std::sig_atomic_t g_stop_signal = 0;
void on_stop_signal(int signal) { g_stop_signal = signal; }
bool stop_requested() { return g_stop_signal != 0; }

// --jobs FILE... and --ranks-per-job N are taken out of argv; the rest is common to all jobs.
struct Launch {
  std::vector<std::string> job_files;
  int ranks_per_job = 1;
  std::vector<std::string> common_args;
  bool multi = false;
};

Launch parse_launch(int argc, char** argv) {
  Launch launch;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--jobs") {
      launch.multi = true;
      while (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0)
        launch.job_files.push_back(argv[++i]);
    } else if (arg == "--ranks-per-job" || arg == "--ranks_per_job") {
      if (i + 1 >= argc) throw Error(arg, "needs a number");
      launch.ranks_per_job = std::atoi(argv[++i]);
      if (launch.ranks_per_job < 1) throw Error(arg, "must be at least 1");
    } else {
      launch.common_args.push_back(arg);
    }
  }
  return launch;
}

bool parse_for_job(const Launch& launch, const std::string& job_file, char* program,
                   JobOptions& options, int* exit_code, bool quiet) {
  std::vector<std::string> args = {program};
  if (!job_file.empty()) args.insert(args.end(), {"--job", job_file});
  args.insert(args.end(), launch.common_args.begin(), launch.common_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return parse_job_options(argv.size(), argv.data(), options, exit_code, quiet);
}

int exit_code_of(JobOutcome outcome) {
  switch (outcome) {
    case JobOutcome::Finished:
    case JobOutcome::AlreadyFinished:
      return 0;
    case JobOutcome::Interrupted:
      return kExitInterrupted;
    case JobOutcome::Failed:
      return 1;
  }
  return 1;
}

// The end-of-launch table: one line per job from its run file.
void print_summary(const std::vector<std::string>& job_files,
                   const std::vector<std::string>& run_files) {
  std::printf("\n%-40s %-11s %9s %9s  %s\n", "job", "status", "test@0", "test@end", "best prompt");
  for (size_t j = 0; j < job_files.size(); ++j) {
    std::string status = "missing", prompt;
    double first = NAN, last = NAN;
    try {
      const RunSummary run = read_run_file(run_files[j]);
      status = run_status_name(run.status);
      for (const EvaluationRow& e : run.evaluations) {
        if (e.split != "test") continue;
        if (e.step < 0)
          first = e.parse_accuracy;
        else
          last = e.parse_accuracy, prompt = e.prompt;
      }
    } catch (const std::exception&) {
    }
    std::printf("%-40s %-11s %9.3f %9.3f  %s\n", job_files[j].c_str(), status.c_str(), first, last,
                prompt.c_str());
  }
  std::fflush(stdout);
}

// With --jobs, one communicator serves every job of a group, so the transport is chosen
// before any job is read: by the options common to all jobs (the command line).
bool gpu_collectives_for_launch(const Launch& launch, char* program) {
  JobOptions common;
  int code = 0;
  return parse_for_job(launch, "", program, common, &code, true) ? common.gpu_collectives : true;
}

int run_multi(MpiWorld& world, const Launch& launch, char* program) {
  if (world.size() % launch.ranks_per_job != 0 && world.rank() == 0)
    std::cerr << "greater_dist: note: " << world.size() << " ranks do not divide into groups of "
              << launch.ranks_per_job << "; the last group is smaller\n";
  int group = 0;
  std::unique_ptr<Communicator> comm;
  try {
    comm = world.group_communicator(launch.ranks_per_job, &group,
                                    gpu_collectives_for_launch(launch, program));
  } catch (const std::exception& e) {
    MpiWorld::abort_all(e.what());
  }
  JobQueue queue(launch.job_files.size());
  std::vector<std::string> run_files(launch.job_files.size());
  int worst = 0;
  for (;;) {
    // Rank 0 of the group takes the next job for all of it. A stopped launch takes no new job
    // (kStopped); a drained queue answers -1.
    constexpr int64_t kStopped = -2;
    int64_t index = comm->rank() != 0 ? 0 : stop_requested() ? kStopped : queue.take();
    broadcast_value(*comm, index);
    if (index == kStopped) worst = std::max(worst, kExitInterrupted);
    if (index < 0) break;
    JobOptions options;
    int code = 0;
    if (!parse_for_job(launch, launch.job_files[index], program, options, &code,
                       comm->rank() != 0)) {
      worst = std::max(worst, code ? code : 1);
      continue;
    }
    if (comm->rank() == 0)
      std::cout << "[group " << group << "] job " << launch.job_files[index] << std::endl;
    const JobOutcome outcome = run_job(options, *comm, world, true, stop_requested);
    worst = std::max(worst, exit_code_of(outcome));
    if (outcome == JobOutcome::Interrupted) break;
  }
  // Everyone's worst outcome, and the run file of every job for the summary.
  const int global = world.max_over_world(worst);
  if (world.rank() == 0) {
    for (size_t j = 0; j < launch.job_files.size(); ++j) {
      JobOptions options;
      int code = 0;
      if (parse_for_job(launch, launch.job_files[j], program, options, &code, true))
        run_files[j] = options.run_file;
    }
    print_summary(launch.job_files, run_files);
  }
  return global;
}

}  // namespace

int main(int argc, char** argv) {
  // First of all: SLURM's --signal may arrive while MPI or the model is still starting.
  std::signal(SIGTERM, on_stop_signal);
  std::signal(SIGUSR1, on_stop_signal);
  MpiWorld world(&argc, &argv);
  Launch launch;
  try {
    launch = parse_launch(argc, argv);
  } catch (const Error& e) {
    if (world.rank() == 0) std::cerr << "greater_dist: " << e.what() << "\n";
    return 2;
  }
  if (launch.multi) {
    if (launch.job_files.empty()) {
      if (world.rank() == 0) std::cerr << "greater_dist: --jobs needs at least one job file\n";
      return 2;
    }
    return run_multi(world, launch, argv[0]);
  }

  JobOptions options;
  int exit_code = 0;
  if (!parse_for_job(launch, "", argv[0], options, &exit_code, world.rank() != 0)) return exit_code;
  std::unique_ptr<Communicator> comm;
  try {
    comm = world.world_communicator(options.gpu_collectives);
  } catch (const std::exception& e) {
    MpiWorld::abort_all(e.what());
  }
  return exit_code_of(run_job(options, *comm, world, false, stop_requested));
}
