// One job on one communicator (see job_runner.h): the modules wired together.
#include "job_runner.h"

#include <algorithm>
#include <iostream>

#include "greater/common/error.h"
#include "greater/dist/messages.h"
#include "greater/model/gguf_model.h"
#include "greater/model/model_tokenizer.h"
#include "greater/model/runtime.h"
#include "greater/optimizer/greater_optimizer.h"
#include "greater/record/open_run.h"

namespace greater {

namespace {

// Everything a job needs, loaded on every rank.
struct Job {
  std::unique_ptr<Transformer> model;
  std::unique_ptr<Tokenizer> tokenizer;
  std::unique_ptr<ChatLayout> layout;
  TaskSplits splits;
  AnswerFormat format = AnswerFormat::Integer;
  SequenceRecipe recipe;
  TokenIds initial_prompt;
  int threads = 1;  // LibTorch intra-op threads of this rank
};

void load_job(const JobOptions& o, const MpiWorld& world, Job& job) {
  validate_job_options(o);
  at::Device device = parse_device(o.device);
  // On CPU the thread count changes how LibTorch splits its sums, and so the last bits of the
  // numbers a near-tie is decided on: the default is one thread per rank whatever the number
  // of ranks, so that -n 1, 2 and 4 choose the same tokens. On a GPU the host threads do not
  // touch the arithmetic: the cores are shared among the node's ranks.
  job.threads =
      set_compute_threads(o.threads > 0 ? o.threads : device.is_cuda() ? 0 : 1, world.local_size());
  // One GPU per rank: "cuda" and "auto" mean the GPU of this rank's local index.
  if (device.is_cuda() && (o.device == "auto" || o.device == "cuda"))
    device = at::Device(at::kCUDA, world.local_rank());
  job.model = std::make_unique<Transformer>(
      Transformer::load(o.model, device, parse_dtype(o.dtype, device)));
  job.tokenizer = std::make_unique<Tokenizer>(load_tokenizer(o.model));
  job.layout = std::make_unique<ChatLayout>(*job.tokenizer, parse_chat_layout(o.layout),
                                            read_chat_template(o.model));
  job.splits = load_splits(o.split_sources());
  job.format = parse_answer_format(o.answer_format);
  job.recipe = make_recipe(*job.model, *job.tokenizer, *job.layout, o.extractor,
                           o.question_suffix, o.settings);
  std::string prompt_text =
      o.prompt_from.empty() ? o.initial_prompt : recommended_prompt(o.prompt_from);
  // The layout gives the prompt its joining space; a stored prompt may carry one already.
  prompt_text.erase(0, prompt_text.find_first_not_of(' '));
  job.initial_prompt = job.layout->encode_prompt(prompt_text);
  if (job.initial_prompt.empty()) throw Error("option initial_prompt", "encodes to no token");
}

// Widths of the run file's padded rows, from what this job can produce, so that no row of a
// valid job is refused after its work is done (a resumed run keeps its file's widths, and its
// configuration cannot change). Prompts grow by at most one token per step (the filler at a
// sweep's end). A pool is a union of topq intersections of top-k lists (k <= topk_max) plus the
// current token. Text gets 16 bytes per token, as the defaults (128 tokens, 2048 bytes) do.
RunFileLimits limits_of(const OptimizerSettings& s, int64_t prompt_tokens, int64_t vocab_size) {
  constexpr int64_t kBytesPerToken = 16;
  RunFileLimits limits;
  limits.max_prompt_tokens = std::max(limits.max_prompt_tokens, prompt_tokens + s.iterations);
  limits.max_text_bytes =
      std::max(limits.max_text_bytes, kBytesPerToken * limits.max_prompt_tokens);
  limits.max_candidates =
      std::max(limits.max_candidates, std::min(s.topq * s.topk_max, vocab_size) + 1);
  limits.max_evaluated = std::max(limits.max_evaluated, s.candidates_evaluated);
  limits.max_chain_bytes =
      std::max(limits.max_chain_bytes, kBytesPerToken * (s.max_new_tokens + s.max_answer_tokens));
  return limits;
}

RunInfo run_info_of(const JobOptions& o, const Job& job, int world_size) {
  RunInfo info;
  info.limits = limits_of(o.settings, static_cast<int64_t>(job.initial_prompt.size()),
                          job.model->config().vocab_size);
  info.job_config = o.to_toml();
  info.seed = o.settings.seed;
  info.world_size = world_size;
  info.program_version = GREATER_VERSION;
  info.model = o.model;
  info.task = o.data_path(o.task);
  info.attributes = algorithm_notes();
  info.attributes.insert({
      {"layout", o.layout},
      {"prompt_from", o.prompt_from},
      {"initial_prompt_text", job.tokenizer->decode(job.initial_prompt)},
      {"answer_format", o.answer_format},
      {"device", job.model->device().str()},
      {"dtype", dtype_name(job.model->dtype())},
  });
  return info;
}

// Setup errors are expected (bad files): every rank learns whether any rank failed, the
// lowest failing rank prints its message, and all return together instead of aborting.
bool all_ranks_ok(Communicator& comm, const std::function<void()>& step) {
  std::string error;
  try {
    step();
  } catch (const std::exception& e) {
    error = e.what();
  }
  const std::vector<int64_t> failed = all_gather_values(comm, std::vector<int64_t>{!error.empty()});
  for (size_t r = 0; r < failed.size(); ++r) {
    if (!failed[r]) continue;
    if (static_cast<int>(r) == comm.rank())
      std::cerr << "greater_dist: " << error
                << (comm.size() > 1 ? " (rank " + std::to_string(r) + ")" : "") << std::endl;
    return false;
  }
  return true;
}

void print_job_line(const JobOptions& o, const Job& job, const Communicator& comm) {
  std::cout << "job " << (o.job_file.empty() ? "(command line)" : o.job_file) << ": "
            << job.splits.train.size() << " train / " << job.splits.dev.size() << " dev / "
            << job.splits.test.size() << " test examples on " << comm.size() << " rank(s) via "
            << comm.backend() << ", " << job.model->parameter_count() << " parameters on "
            << job.model->device() << ", " << job.threads << " thread(s) per rank" << std::endl;
}

}  // namespace

JobOutcome run_job(const JobOptions& options, Communicator& comm, const MpiWorld& world,
                   bool skip_finished, const std::function<bool()>& stop_requested) {
  const bool root = comm.rank() == 0;
  Job job;
  if (!all_ranks_ok(comm, [&] { load_job(options, world, job); })) return JobOutcome::Failed;
  RunOpening opening;  // rank 0 alone holds the run file
  if (!all_ranks_ok(comm, [&] {
        if (root)
          opening = open_run(options.run_file, run_info_of(options, job, comm.size()),
                             options.overwrite, skip_finished);
      }))
    return JobOutcome::Failed;
  RunFile* run_file = opening.file.get();
  try {
    struct Start {
      bool already_finished, fresh;
    } start = {opening.already_finished, opening.fresh};
    broadcast_value(comm, start);
    if (start.already_finished) {
      if (root) std::cout << options.run_file << ": already finished, skipped" << std::endl;
      return JobOutcome::AlreadyFinished;
    }
    OptimizerState state = OptimizerState::from_rows(opening.iterations, job.initial_prompt);
    if (opening.resumed)
      std::cout << "resuming " << options.run_file << " at step " << state.next_step << "\n";
    broadcast_state(comm, state);
    if (root) print_job_line(options, job, comm);
    GreaterOptimizer optimizer(job.recipe, job.splits, job.format, comm, run_file);
    if (start.fresh) optimizer.evaluate_baseline(state.prompt);
    if (!optimizer.optimize(state, stop_requested)) {
      if (run_file) run_file->finish(RunStatus::Interrupted, "stopped by a signal");
      if (root)
        std::cout << options.run_file << ": stopped at step " << state.next_step
                  << "; run the same command to resume" << std::endl;
      return JobOutcome::Interrupted;
    }
    optimizer.evaluate_best(state, state.next_step - 1);
    if (run_file) run_file->finish(RunStatus::Finished);
    if (root) std::cout << "finished: " << options.run_file << std::endl;
    return JobOutcome::Finished;
  } catch (const std::exception& e) {
    // Other ranks may be waiting in a collective: end them all, leaving the file readable.
    if (run_file) {
      try {
        run_file->set_status(RunStatus::Failed, e.what());
      } catch (const std::exception&) {
      }
      opening.file.reset();
    }
    MpiWorld::abort_all(options.run_file + ": " + e.what());
  }
}

}  // namespace greater
