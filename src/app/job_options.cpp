#include "job_options.h"

#include "cli_checks.h"

#include <iostream>
#include <sstream>

#include "greater/common/error.h"
#include "greater/common/file_util.h"
#include "greater/dist/communicator.h"

namespace greater {

namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string preset_path(const std::string& preset) {
  const bool is_file = preset.find('/') != std::string::npos ||
                       (preset.size() > 5 && preset.compare(preset.size() - 5, 5, ".toml") == 0);
  if (is_file) return preset;
  return std::string(GREATER_SOURCE_DIR) + "/configs/presets/" + preset + ".toml";
}


}  // namespace

void add_job_options(CLI::App& app, JobOptions& j) {
  OptimizerSettings& s = j.settings;
  // A later value wins, so scripts can append overrides to a command line.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--preset", j.preset, "preset under configs/presets (paper, fast) or a file");
  app.add_option("--model", j.model,
                 "model folder (config.json, safetensors, tokenizer.json), a .gguf file or a "
                 "folder holding one");
  app.add_option("--layout", j.layout, "chat layout: llama-3, gemma-2, chatml, plain")
      ->check(CLI::IsMember({"llama-3", "gemma-2", "chatml", "plain"}));
  app.add_option("--data_dir,--data-dir", j.data_dir, "folder that relative task paths start from");
  app.add_option("--task", j.task, "task file (train split, and dev/test unless given)");
  app.add_option("--task_format,--task-format", j.task_format, "bbh, gsm8k, folio or jsonl")
      ->check(CLI::IsMember({"bbh", "gsm8k", "folio", "jsonl"}));
  app.add_option("--dev_task,--dev-task", j.dev_task, "separate dev task file (e.g. FOLIO)");
  app.add_option("--test_task,--test-task", j.test_task, "separate test task file");
  app.add_option("--answer_format,--answer-format", j.answer_format,
                 "letter, yes_no, true_false, valid_invalid, integer, free_text")
      ->check(CLI::IsMember(
          {"letter", "yes_no", "true_false", "valid_invalid", "integer", "free_text"}));
  app.add_option("--extractor", j.extractor, "text appended after the reasoning chain");
  app.add_option("--initial_prompt,--initial-prompt", j.initial_prompt, "prompt to start from");
  app.add_option("--prompt_from,--prompt-from", j.prompt_from,
                 "start from the best prompt of this run file (with --iterations 0: a transfer "
                 "evaluation on this job's model and task)");
  app.add_option("--question_suffix,--question-suffix", j.question_suffix,
                 "text appended to every question (the reference uses \". Use\")");
  app.add_option("--train_size,--train-size", j.train_size, "train examples (the first rows)");
  app.add_option("--dev_size,--dev-size", j.dev_size, "dev examples (-1: all remaining)");
  app.add_option("--test_size,--test-size", j.test_size, "test examples (-1: all remaining)");
  app.add_option("--split_seed,--split-seed", j.split_seed,
                 "shuffle rows before splitting (0: file order)");
  app.add_option("--run_file,--run-file", j.run_file, "HDF5 run file to write or resume");
  app.add_option("--device", j.device, "cpu, cuda, cuda:N or auto");
  app.add_option("--dtype", j.dtype, "float32, bfloat16, float16 or auto");
  app.add_option("--threads", j.threads,
                 "LibTorch intra-op threads per rank (0: 1 on CPU, so that any number of ranks "
                 "chooses the same tokens; cores / local ranks on a GPU)");
  app.add_flag("--overwrite", j.overwrite, "replace a finished run file");
  app.add_flag(std::string("!--no-") + kNcclBackend, j.gpu_collectives,
               "use MPI for the reductions even when NCCL could run");

  app.add_option("--iterations", s.iterations, "coordinate steps")->check(kNonNegativeInteger);
  app.add_option("--topk", s.topk, "initial per-example top-k")->check(kPositiveInteger);
  app.add_option("--topq", s.topq, "intersections unioned")->check(kPositiveInteger);
  app.add_option("--intersection_size,--intersection-size", s.intersection_size,
                 "examples per intersection")
      ->check(kPositiveInteger);
  app.add_option("--min_pool,--min-pool", s.min_pool, "smallest candidate pool")
      ->check(kPositiveInteger);
  app.add_option("--topk_max,--topk-max", s.topk_max, "largest k")->check(kPositiveInteger);
  app.add_option("--candidates_evaluated,--candidates-evaluated", s.candidates_evaluated,
                 "candidates scored on the train set")
      ->check(kPositiveInteger);
  app.add_option_function<std::string>(
         "--ranking",
         [&s](const std::string& name) { s.ranking = parse_ranking(name); },
         "how the candidates to evaluate are picked from the pool: gradient (GReaTer), random "
         "(seeded draw, the ablation baseline) or no_reasoning (gradient without the chain)")
      ->check(CLI::IsMember({"gradient", "random", "no_reasoning"}))
      ->default_str(ranking_name(s.ranking));
  app.add_option("--answer_temperature,--answer-temperature", s.answer_temperature,
                 "temperature on answer logits")
      ->check(kPositiveNumber);
  app.add_option("--gradient_prompt_weight,--gradient-prompt-weight", s.gradient_prompt_weight,
                 "prompt NLL weight in the gradient loss");
  app.add_option("--selection_prompt_weight,--selection-prompt-weight", s.selection_prompt_weight,
                 "prompt NLL weight in the selection score");
  app.add_option("--max_new_tokens,--max-new-tokens", s.max_new_tokens, "chain length limit")
      ->check(kPositiveInteger);
  app.add_option("--max_answer_tokens,--max-answer-tokens", s.max_answer_tokens,
                 "answer tokens generated at evaluation")
      ->check(kPositiveInteger);
  app.add_option("--period_rule_fraction,--period-rule-fraction", s.period_rule_fraction,
                 "a '.' candidate is accepted when pos >= this * initial length");
  app.add_option("--loss_threshold,--loss-threshold", s.loss_threshold,
                 "a chosen score below this restarts the sweep from the current prompt "
                 "(position 0, new initial length; the reference's 0.12); 0: never")
      ->check(kNonNegativeNumber);
  app.add_option("--filler", s.filler, "token appended when a sweep ends without '.'");
  app.add_option("--chain_stops_at_extractor,--chain-stops-at-extractor",
                 s.chain_stops_at_extractor, "end chains at the extractor's first token");
  app.add_option("--seed", s.seed, "seed of every random choice");
  app.add_option("--micro_batch,--micro-batch", s.micro_batch, "examples per batch")
      ->check(kPositiveInteger);
  app.add_option("--eval_every,--eval-every", s.eval_every,
                 "evaluate every K iterations (0: end only)")
      ->check(kNonNegativeInteger);
  app.add_option("--eval_top_prompts,--eval-top-prompts", s.eval_top_prompts,
                 "best prompts compared on dev")
      ->check(kPositiveInteger);
  app.add_option("--eval_chains_saved,--eval-chains-saved", s.eval_chains_saved,
                 "reasoning chains stored per evaluation")
      ->check(kNonNegativeInteger);
}

bool parse_job_options(int argc, char** argv, JobOptions& job, int* exit_code, bool quiet) {
  // Pass 1: only where the job file and preset are.
  {
    CLI::App scout;
    scout.allow_extras();
    scout.allow_config_extras(true);
    scout.set_help_flag();
    scout.set_config("--job", "", "job file (TOML)");
    scout.add_option("--preset", job.preset);
    try {
      scout.parse(argc, argv);
    } catch (const CLI::ParseError&) {
      // Reported by the full parse below.
    }
  }
  // Pass 2: the preset's values become the starting point.
  if (!job.preset.empty()) {
    const std::string path = preset_path(job.preset);
    if (!file_exists(path)) {
      if (!quiet)
        std::cerr << "greater_dist: preset " << job.preset << ": no file " << path << "\n";
      *exit_code = 2;
      return false;
    }
    CLI::App preset;
    add_job_options(preset, job);
    preset.set_config("--preset-file", path, "", true);
    preset.allow_config_extras(CLI::config_extras_mode::error);
    try {
      preset.parse(std::vector<std::string>{});
    } catch (const CLI::ParseError& e) {
      if (!quiet) std::cerr << "greater_dist: " << path << ": " << e.what() << "\n";
      *exit_code = 2;
      return false;
    }
  }
  // Pass 3: job file, then the command line.
  CLI::App app{"greater_dist: GReaTer prompt optimization, sharded over MPI ranks"};
  app.set_config("--job", "", "job file (TOML); every option may also be a key in it");
  app.allow_config_extras(CLI::config_extras_mode::error);  // a misspelt key is an error
  add_job_options(app, job);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    *exit_code = quiet ? (e.get_exit_code() == 0 ? 0 : 2) : app.exit(e);
    if (*exit_code != 0) *exit_code = 2;
    return false;
  }
  job.job_file = app.get_option("--job")->as<std::string>();
  return true;
}

void validate_job_options(const JobOptions& j) {
  const std::string where = j.job_file.empty() ? "command line" : j.job_file;
  auto need = [&](const std::string& value, const std::string& key) {
    if (value.empty())
      throw Error(where + ": " + key, "missing (set it in the job file or as --" + key + ")");
  };
  need(j.model, "model");
  need(j.task, "task");
  if (j.prompt_from.empty()) need(j.initial_prompt, "initial_prompt");
  need(j.extractor, "extractor");
  need(j.run_file, "run_file");
  if (j.train_size <= 0) throw Error(where + ": train_size", "must be positive");
  if (j.settings.intersection_size > j.train_size)
    throw Error(where + ": intersection_size", "larger than train_size");
}

std::string JobOptions::data_path(const std::string& path) const {
  if (path.empty() || path[0] == '/' || data_dir.empty()) return path;
  return join_path(data_dir, path);
}

SplitSources JobOptions::split_sources() const {
  SplitSources s;
  s.task = data_path(task);
  s.dev_task = data_path(dev_task);
  s.test_task = data_path(test_task);
  s.format = parse_task_format(task_format);
  s.train_size = train_size;
  s.dev_size = dev_size;
  s.test_size = test_size;
  s.split_seed = split_seed;
  return s;
}

std::string JobOptions::to_toml() const {
  const OptimizerSettings& s = settings;
  std::ostringstream t;
  t << "model = " << quoted(model) << "\nlayout = " << quoted(layout)
    << "\ndata_dir = " << quoted(data_dir) << "\ntask = " << quoted(task)
    << "\ntask_format = " << quoted(task_format) << "\ndev_task = " << quoted(dev_task)
    << "\ntest_task = " << quoted(test_task) << "\nanswer_format = " << quoted(answer_format)
    << "\nextractor = " << quoted(extractor) << "\ninitial_prompt = " << quoted(initial_prompt)
    << "\nprompt_from = " << quoted(prompt_from)
    << "\nquestion_suffix = " << quoted(question_suffix) << "\ntrain_size = " << train_size
    << "\ndev_size = " << dev_size << "\ntest_size = " << test_size
    << "\nsplit_seed = " << split_seed << "\nrun_file = " << quoted(run_file)
    << "\niterations = " << s.iterations << "\ntopk = " << s.topk << "\ntopq = " << s.topq
    << "\nintersection_size = " << s.intersection_size << "\nmin_pool = " << s.min_pool
    << "\ntopk_max = " << s.topk_max << "\ncandidates_evaluated = " << s.candidates_evaluated
    << "\nranking = " << quoted(ranking_name(s.ranking))
    << "\nanswer_temperature = " << s.answer_temperature
    << "\ngradient_prompt_weight = " << s.gradient_prompt_weight
    << "\nselection_prompt_weight = " << s.selection_prompt_weight
    << "\nmax_new_tokens = " << s.max_new_tokens << "\nmax_answer_tokens = " << s.max_answer_tokens
    << "\nperiod_rule_fraction = " << s.period_rule_fraction
    << "\nloss_threshold = " << s.loss_threshold << "\nfiller = " << quoted(s.filler)
    << "\nchain_stops_at_extractor = " << (s.chain_stops_at_extractor ? "true" : "false")
    << "\nseed = " << s.seed << "\nmicro_batch = " << s.micro_batch
    << "\neval_every = " << s.eval_every << "\neval_top_prompts = " << s.eval_top_prompts
    << "\neval_chains_saved = " << s.eval_chains_saved << "\n";
  return t.str();
}

}  // namespace greater
