// The committed job files (jobs/, written by scripts/make_bbh_jobs.py) and presets agree with
// the task table of the library: same files, formats, extractor texts and splits.
#include <gtest/gtest.h>

#include <dirent.h>

#include <set>

#include "greater/common/error.h"
#include "greater/common/file_util.h"
#include "greater/task/extractors.h"
#include "job_options.h"
#include "test_files.h"

namespace greater {
namespace {

// The keys a TOML file sets, read by CLI11's own TOML reader (the one greater_dist uses).
std::set<std::string> keys_of(const std::string& path) {
  std::set<std::string> keys;
  for (const CLI::ConfigItem& item : CLI::ConfigTOML().from_file(path)) keys.insert(item.name);
  return keys;
}

// The options greater_dist reads from `args` (job file, preset, overrides), as it reads them.
JobOptions parse(std::vector<std::string> args) {
  args.insert(args.begin(), "greater_dist");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  JobOptions options;
  int code = 0;
  EXPECT_TRUE(parse_job_options(static_cast<int>(argv.size()), argv.data(), options, &code, true))
      << "exit code " << code;
  return options;
}

std::set<std::string> toml_files_in(const std::string& dir) {
  std::set<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* entry = readdir(d)) {
      const std::string name = entry->d_name;
      if (name.size() > 5 && name.compare(name.size() - 5, 5, ".toml") == 0) names.insert(name);
    }
    closedir(d);
  }
  return names;
}

const std::string kRoot = GREATER_SOURCE_DIR;

struct Layout {
  const char* folder;
  const char* name;
};
const Layout kLayouts[] = {{"llama3", "llama-3"}, {"gemma2", "gemma-2"}};

// The keys every shipped task job sets (FOLIO's also name its dev and test files).
const std::set<std::string> kJobKeys = {
    "model",          "layout",          "data_dir",   "task",     "task_format",
    "answer_format",  "extractor",       "initial_prompt",         "question_suffix",
    "train_size",     "dev_size",        "test_size",  "split_seed", "preset", "run_file"};

std::string job_path(const TaskDefinition& task, const Layout& layout) {
  if (task.format == TaskFormat::BbhJson) {
    return kRoot + "/jobs/bbh/" + layout.folder + "/" + task.name + ".toml";
  }
  return kRoot + "/jobs/" + task.name + "/" + layout.folder + ".toml";
}

TEST(JobFiles, OneFilePerBbhTaskAndLayout) {
  std::set<std::string> expected;
  for (const TaskDefinition& t : bbh_tasks()) expected.insert(t.name + ".toml");
  for (const Layout& layout : kLayouts) {
    EXPECT_EQ(toml_files_in(kRoot + "/jobs/bbh/" + layout.folder), expected) << layout.folder;
  }
}

TEST(JobFiles, AgreeWithTheTaskTable) {
  for (const TaskDefinition& task : paper_tasks()) {
    for (const Layout& layout : kLayouts) {
      const std::string path = job_path(task, layout);
      SCOPED_TRACE(path);
      std::set<std::string> keys = kJobKeys;
      if (!task.dev_file.empty()) keys.insert("dev_task");
      if (!task.test_file.empty()) keys.insert("test_task");
      EXPECT_EQ(keys_of(path), keys);

      const JobOptions job = parse({"--job", path});
      EXPECT_EQ(job.model, "");
      EXPECT_EQ(job.data_dir, "data");  // the shipped copy, from the repository root
      EXPECT_EQ(job.layout, layout.name);
      EXPECT_EQ(job.task, task.file);
      EXPECT_TRUE(file_exists(join_path(kRoot, job.data_path(job.task))));
      EXPECT_EQ(job.dev_task, task.dev_file);
      EXPECT_EQ(job.test_task, task.test_file);
      EXPECT_EQ(parse_task_format(job.task_format), task.format);
      EXPECT_EQ(parse_answer_format(job.answer_format), task.answer_format);
      EXPECT_EQ(job.extractor, extractor_text(task, layout.name));
      EXPECT_EQ(job.initial_prompt,
                "proper logical reasoning and think step by step. Finally give the actual correct "
                "answer.");
      EXPECT_EQ(job.question_suffix, ". Use");
      EXPECT_EQ(job.train_size, task.train_size);
      EXPECT_EQ(job.dev_size, task.dev_size);
      EXPECT_EQ(job.test_size, task.test_size);
      EXPECT_EQ(job.split_seed, 0u);
      EXPECT_EQ(job.preset, "paper");
      EXPECT_TRUE(file_exists(kRoot + "/configs/presets/" + job.preset + ".toml"));
      EXPECT_EQ(job.run_file, std::string("runs/") + layout.folder + "/" + task.name + ".h5");
    }
  }
}

// The SmolLM2 jobs: the same tasks and texts under the chatml layout, with the real model's
// folder, the cpu preset and the small splits a 2-core machine can run.
TEST(JobFiles, SmolLM2JobsAgreeWithTheTaskTable) {
  const std::string folder = kRoot + "/jobs/bbh/smollm2/";
  std::set<std::string> expected;
  for (const TaskDefinition& t : bbh_tasks()) expected.insert(t.name + ".toml");
  EXPECT_EQ(toml_files_in(folder), expected);
  for (const TaskDefinition& task : bbh_tasks()) {
    const std::string path = folder + task.name + ".toml";
    SCOPED_TRACE(path);
    EXPECT_EQ(keys_of(path), kJobKeys);
    const JobOptions job = parse({"--job", path});
    EXPECT_EQ(job.model, "models/smollm2-135m-instruct");
    EXPECT_EQ(job.layout, "chatml");
    EXPECT_EQ(job.data_dir, "data");
    EXPECT_EQ(job.task, task.file);
    EXPECT_EQ(parse_answer_format(job.answer_format), task.answer_format);
    EXPECT_EQ(job.extractor, extractor_text(task, "chatml"));
    EXPECT_EQ(job.question_suffix, ". Use");
    EXPECT_EQ(job.preset, "cpu");
    EXPECT_TRUE(file_exists(kRoot + "/configs/presets/cpu.toml"));
    EXPECT_EQ(job.run_file, "runs/smollm2/" + task.name + ".h5");
  }
}

TEST(Presets, PaperAndFastHoldTheHyperparameters) {
  const std::set<std::string> keys = {"iterations",
                                      "topk",
                                      "topq",
                                      "intersection_size",
                                      "min_pool",
                                      "candidates_evaluated",
                                      "ranking",
                                      "answer_temperature",
                                      "gradient_prompt_weight",
                                      "selection_prompt_weight",
                                      "max_new_tokens",
                                      "period_rule_fraction",
                                      "loss_threshold",
                                      "filler",
                                      "seed",
                                      "micro_batch",
                                      "eval_every"};
  for (const char* preset : {"paper", "fast"}) {
    SCOPED_TRACE(preset);
    EXPECT_EQ(keys_of(kRoot + "/configs/presets/" + preset + ".toml"), keys);
    const OptimizerSettings s = parse({"--preset", preset}).settings;
    const bool fast = std::string(preset) == "fast";
    EXPECT_EQ(s.iterations, fast ? 10 : 125);
    EXPECT_EQ(s.topk, fast ? 10 : 40);
    EXPECT_EQ(s.topq, 6);
    EXPECT_EQ(s.intersection_size, 5);
    EXPECT_EQ(s.min_pool, 6);
    EXPECT_EQ(s.candidates_evaluated, 3);
    EXPECT_EQ(s.ranking, Ranking::Gradient);
    EXPECT_EQ(s.answer_temperature, 0.2);
    EXPECT_EQ(s.gradient_prompt_weight, 0.2);
    EXPECT_EQ(s.selection_prompt_weight, 0.02);
    EXPECT_EQ(s.max_new_tokens, fast ? 256 : 1024);
    EXPECT_EQ(s.period_rule_fraction, 0.5);
    EXPECT_EQ(s.loss_threshold, 0.12);
    EXPECT_EQ(s.filler, "_");
    EXPECT_EQ(s.seed, 1u);
    EXPECT_EQ(s.micro_batch, 8);
    EXPECT_EQ(s.eval_every, 0);
  }
}

}  // namespace
}  // namespace greater
