// One job on one communicator (see job_runner.h).
#include "job_runner.h"

#include <cstdio>
#include <cstring>
#include <iostream>

#include "greater/common/error.h"
#include "greater/common/file_util.h"
#include "greater/dist/mpi_world.h"
#include "greater/model/gguf_model.h"
#include "greater/model/model_tokenizer.h"
#include "greater/model/runtime.h"
#include "greater/optimizer/greater_optimizer.h"
#include "greater/record/run_file.h"

namespace greater {

namespace {

// Everything a job needs, loaded on every rank.
struct Job {
  JobOptions options;
  std::unique_ptr<Transformer> model;
  std::unique_ptr<Tokenizer> tokenizer;
  std::unique_ptr<ChatLayout> layout;
  TaskSplits splits;
  AnswerFormat format = AnswerFormat::Integer;
  SequenceRecipe recipe;
  TokenIds initial_prompt;
  int threads = 1;  // LibTorch intra-op threads of this rank
};

// The prompt a finished run recommends: the one its last test evaluation used (the dev winner).
std::string best_prompt_of(const std::string& run_path) {
  const RunSummary run = read_run_file(run_path);
  for (auto e = run.evaluations.rbegin(); e != run.evaluations.rend(); ++e)
    if (e->split == "test") return e->prompt;
  if (!run.iterations.empty()) return run.iterations.back().prompt;
  throw Error(run_path, "holds no evaluated prompt to start from (prompt_from)");
}

void load_job(Job& job, int local_rank) {
  const JobOptions& o = job.options;
  validate_job_options(o);
  at::Device device = parse_device(o.device);
  // On CPU the thread count changes how LibTorch splits its sums, and so the last bits of the
  // numbers a near-tie is decided on: the default is one thread per rank whatever the number
  // of ranks, so that -n 1, 2 and 4 choose the same tokens. On a GPU the host threads do not
  // touch the arithmetic: the cores are shared among the node's ranks.
  job.threads = set_compute_threads(o.threads > 0 ? o.threads : device.is_cuda() ? 0 : 1);
  // One GPU per rank: "cuda" and "auto" mean the GPU of this rank's local index.
  if (device.is_cuda() && (o.device == "auto" || o.device == "cuda"))
    device = at::Device(at::kCUDA, local_rank);
  job.model = std::make_unique<Transformer>(
      Transformer::load(o.model, device, parse_dtype(o.dtype, device)));
  job.tokenizer = std::make_unique<Tokenizer>(load_tokenizer(o.model));
  job.layout = std::make_unique<ChatLayout>(*job.tokenizer, parse_chat_layout(o.layout),
                                            read_chat_template(o.model));
  job.format = parse_answer_format(o.answer_format);

  const TaskFormat format = parse_task_format(o.task_format);
  const std::string task_path = o.data_path(o.task);
  std::vector<Example> rows = load_task(task_path, format);
  // Splits come from the front of the task file, except those with their own file (FOLIO's
  // dev/test, GSM8K's test), which take the front of that file.
  job.splits = split_task(std::move(rows), o.train_size, o.dev_task.empty() ? o.dev_size : 0,
                          o.test_task.empty() ? o.test_size : 0, o.split_seed, task_path);
  if (!o.dev_task.empty())
    job.splits.dev = split_task(load_task(o.data_path(o.dev_task), format), o.dev_size, 0, 0, 0,
                                o.data_path(o.dev_task))
                         .train;
  if (!o.test_task.empty())
    job.splits.test = split_task(load_task(o.data_path(o.test_task), format), o.test_size, 0, 0, 0,
                                 o.data_path(o.test_task))
                          .train;

  SequenceRecipe& r = job.recipe;
  r.model = job.model.get();
  r.tokenizer = job.tokenizer.get();
  r.layout = job.layout.get();
  r.extractor = o.extractor;
  r.question_suffix = o.question_suffix;
  r.settings = o.settings;
  for (TokenId id : job.layout->stop_ids()) r.chain_stop_ids.push_back(id);
  for (int64_t id : job.model->config().eos_token_ids) r.chain_stop_ids.push_back(id);
  if (o.settings.chain_stops_at_extractor) {
    const auto x = job.tokenizer->encode(o.extractor);
    if (x.empty()) throw Error("option extractor", "encodes to no token");
    r.chain_stop_ids.push_back(x.front());
  }
  std::string prompt_text =
      o.prompt_from.empty() ? o.initial_prompt : best_prompt_of(o.prompt_from);
  // The layout gives the prompt its joining space; a stored prompt may carry one already.
  prompt_text.erase(0, prompt_text.find_first_not_of(' '));
  const auto prompt = job.layout->encode_prompt(prompt_text);
  job.initial_prompt.assign(prompt.begin(), prompt.end());
  if (job.initial_prompt.empty()) throw Error("option initial_prompt", "encodes to no token");
}

// Rank 0 opens or creates the run file and decides where the run starts.
std::unique_ptr<RunFile> open_run_file(const Job& job, int world_size, bool skip_finished,
                                       OptimizerState* state, bool* fresh, bool* already_finished) {
  const JobOptions& o = job.options;
  *state = OptimizerState::from_rows({}, job.initial_prompt);
  *fresh = true;
  if (run_file_exists(o.run_file)) {
    const RunSummary summary = read_run_file(o.run_file);
    if (summary.info.job_config != o.to_toml() && !o.overwrite)
      throw Error(o.run_file,
                  "was written by a different job configuration; use another "
                  "run_file or --overwrite");
    if (summary.status == RunStatus::Finished && !o.overwrite) {
      if (skip_finished) {
        *already_finished = true;
        return nullptr;
      }
      throw Error(o.run_file, "holds a finished run; pass --overwrite to replace it");
    }
    if (o.overwrite) {
      if (std::remove(o.run_file.c_str()) != 0) throw Error(o.run_file, "cannot remove");
    } else {
      auto file = RunFile::open_for_resume(o.run_file);
      *state = OptimizerState::from_rows(file->iterations(), job.initial_prompt);
      *fresh = file->iterations().empty() && file->evaluations().empty();
      std::cout << "resuming " << o.run_file << " at step " << state->next_step << "\n";
      return file;
    }
  }
  const size_t slash = o.run_file.rfind('/');
  if (slash != std::string::npos && slash > 0) make_directories(o.run_file.substr(0, slash));
  RunInfo info;
  info.job_config = o.to_toml();
  info.seed = o.settings.seed;
  info.world_size = world_size;
  info.program_version = GREATER_VERSION;
  info.model = o.model;
  info.task = o.data_path(o.task);
  info.attributes = {
      {"seed_scope",
       "the seed fixes every random choice: candidate pools are drawn from "
       "SplitMix64(seed, step); splits from split_seed; decoding is greedy"},
      {"fixes",
       "prompt NLL uses each example's candidate tokens; sequences built from token "
       "ids; candidates that do not survive decode->encode are dropped; extractor "
       "option lists cover every gold letter"},
      {"layout", o.layout},
      {"prompt_from", o.prompt_from},
      {"initial_prompt_text", job.tokenizer->decode(std::vector<TokenId>(
                                  job.initial_prompt.begin(), job.initial_prompt.end()))},
      {"answer_format", o.answer_format},
      {"device", job.model->device().str()},
      {"dtype", dtype_name(job.model->dtype())},
  };
  return RunFile::create(o.run_file, info);
}

// The state travels from rank 0 as int64s: position, L0, next step, prompt, then history.
void broadcast_state(Communicator& comm, OptimizerState& state) {
  std::vector<int64_t> packed;
  if (comm.rank() == 0) {
    packed = {state.position, state.initial_length, state.next_step,
              static_cast<int64_t>(state.prompt.size())};
    packed.insert(packed.end(), state.prompt.begin(), state.prompt.end());
    for (const auto& [score, prompt] : state.history) {
      int64_t bits;
      std::memcpy(&bits, &score, sizeof bits);
      packed.push_back(bits);
      packed.push_back(prompt.size());
      packed.insert(packed.end(), prompt.begin(), prompt.end());
    }
  }
  std::string bytes(reinterpret_cast<const char*>(packed.data()), packed.size() * sizeof(int64_t));
  comm.broadcast(bytes, 0);
  packed.resize(bytes.size() / sizeof(int64_t));
  std::memcpy(packed.data(), bytes.data(), bytes.size());
  state.position = packed[0];
  state.initial_length = packed[1];
  state.next_step = packed[2];
  size_t at = 4;
  state.prompt.assign(packed.begin() + at, packed.begin() + at + packed[3]);
  at += packed[3];
  state.history.clear();
  while (at < packed.size()) {
    double score;
    std::memcpy(&score, &packed[at], sizeof score);
    const int64_t n = packed[at + 1];
    state.history.emplace_back(score,
                               TokenIds(packed.begin() + at + 2, packed.begin() + at + 2 + n));
    at += 2 + n;
  }
}

// Setup errors are expected (bad files): every rank learns whether any rank failed, the
// lowest failing rank prints its message, and all exit together without MPI_Abort.
bool all_ranks_ok(Communicator& comm, const std::string& error) {
  const std::vector<int64_t> failed = comm.all_gather(std::vector<int64_t>{error.empty() ? 0 : 1});
  for (size_t r = 0; r < failed.size(); ++r) {
    if (!failed[r]) continue;
    if (static_cast<int>(r) == comm.rank())
      std::cerr << "greater_dist: " << error
                << (comm.size() > 1 ? " (rank " + std::to_string(r) + ")" : "") << std::endl;
    return false;
  }
  return true;
}

}  // namespace

JobOutcome run_job(const JobOptions& options, Communicator& comm, int local_rank,
                   bool skip_finished, const std::function<bool()>& stop_requested) {
  Job job;
  job.options = options;
  std::string error;
  try {
    load_job(job, local_rank);
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!all_ranks_ok(comm, error)) return JobOutcome::Failed;

  std::unique_ptr<RunFile> run_file;
  OptimizerState state;
  bool fresh = true, already_finished = false;
  try {
    if (comm.rank() == 0)
      run_file = open_run_file(job, comm.size(), skip_finished, &state, &fresh, &already_finished);
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!all_ranks_ok(comm, error)) return JobOutcome::Failed;

  try {
    std::string flags = {already_finished ? '1' : '0', fresh ? '1' : '0'};
    comm.broadcast(flags, 0);
    if (flags[0] == '1') {
      if (comm.rank() == 0)
        std::cout << options.run_file << ": already finished, skipped" << std::endl;
      return JobOutcome::AlreadyFinished;
    }
    fresh = flags[1] == '1';
    broadcast_state(comm, state);
    if (comm.rank() == 0) {
      std::cout << "job " << (options.job_file.empty() ? "(command line)" : options.job_file)
                << ": " << job.splits.train.size() << " train / " << job.splits.dev.size()
                << " dev / " << job.splits.test.size() << " test examples on " << comm.size()
                << " rank(s) via " << comm.backend() << ", " << job.model->parameter_count()
                << " parameters on " << job.model->device() << ", " << job.threads
                << " thread(s) per rank" << std::endl;
    }
    GreaterOptimizer optimizer(job.recipe, job.splits, job.format, comm, run_file.get());
    if (fresh) optimizer.evaluate_baseline(state.prompt);
    if (!optimizer.optimize(state, stop_requested)) {
      if (run_file) run_file->set_status(RunStatus::Interrupted, "stopped by a signal");
      if (comm.rank() == 0)
        std::cout << options.run_file << ": stopped at step " << state.next_step
                  << "; run the same command to resume" << std::endl;
      return JobOutcome::Interrupted;
    }
    optimizer.evaluate_best(state, state.next_step - 1);
    if (run_file) run_file->set_status(RunStatus::Finished);
    if (comm.rank() == 0) std::cout << "finished: " << options.run_file << std::endl;
    return JobOutcome::Finished;
  } catch (const std::exception& e) {
    // Other ranks may be waiting in a collective: end them all, leaving the file readable.
    if (run_file) {
      try {
        run_file->set_status(RunStatus::Failed, e.what());
      } catch (const std::exception&) {
      }
      run_file.reset();
    }
    MpiWorld::abort_all(options.run_file + ": " + e.what());
  }
}

}  // namespace greater
