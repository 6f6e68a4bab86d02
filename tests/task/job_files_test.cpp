// The committed job files (jobs/, written by scripts/make_bbh_jobs.py) and presets agree with
// the task table of the library: same files, formats, extractor texts and splits.
#include <gtest/gtest.h>

#include <dirent.h>

#include <map>
#include <set>

#include "greater/common/error.h"
#include "greater/common/file_util.h"
#include "greater/task/extractors.h"
#include "test_files.h"

namespace greater {
namespace {

// The TOML these files use: `key = "basic string"` or `key = number`, comments, blank lines.
// Values come back decoded (strings) or as written (numbers).
std::map<std::string, std::string> read_flat_toml(const std::string& path) {
  std::map<std::string, std::string> out;
  const std::string text = read_file(path);
  size_t start = 0;
  for (int line_no = 1; start < text.size(); ++line_no) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    const std::string where = path + ": line " + std::to_string(line_no);
    const size_t first = line.find_first_not_of(' ');
    if (first == std::string::npos || line[first] == '#') continue;
    const size_t eq = line.find(" = ");
    if (eq == std::string::npos) throw Error(where, "expected key = value");
    const std::string key = line.substr(first, eq - first);
    size_t i = eq + 3;
    std::string value;
    if (line[i] == '"') {
      for (++i; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] != '\\') {
          value += line[i];
          continue;
        }
        const char esc = line.at(++i);
        if (esc == 'n')
          value += '\n';
        else if (esc == 't')
          value += '\t';
        else if (esc == '"' || esc == '\\')
          value += esc;
        else
          throw Error(where, "escape not handled by this test reader");
      }
      if (i >= line.size()) throw Error(where, "unclosed string");
      ++i;
    } else {
      while (i < line.size() && line[i] != ' ' && line[i] != '#') value += line[i++];
    }
    const size_t rest = line.find_first_not_of(' ', i);
    if (rest != std::string::npos && line[rest] != '#') throw Error(where, "text after the value");
    if (!out.emplace(key, value).second) throw Error(where, "duplicate key " + key);
  }
  return out;
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
      const auto job = read_flat_toml(path);
      std::set<std::string> keys = {"model",      "layout",         "data_dir",
                                    "task",       "task_format",    "answer_format",
                                    "extractor",  "initial_prompt", "question_suffix",
                                    "train_size", "dev_size",       "test_size",
                                    "split_seed", "preset",         "run_file"};
      if (!task.dev_file.empty()) keys.insert("dev_task");
      if (!task.test_file.empty()) keys.insert("test_task");
      std::set<std::string> found;
      for (const auto& [key, value] : job) found.insert(key);
      EXPECT_EQ(found, keys);

      EXPECT_EQ(job.at("model"), "");
      EXPECT_EQ(job.at("data_dir"), "data");  // the shipped copy, from the repository root
      EXPECT_EQ(job.at("layout"), layout.name);
      EXPECT_EQ(job.at("task"), task.file);
      EXPECT_TRUE(file_exists(join_path(kRoot, join_path(job.at("data_dir"), job.at("task")))));
      if (!task.dev_file.empty()) {
        EXPECT_EQ(job.at("dev_task"), task.dev_file);
      }
      if (!task.test_file.empty()) {
        EXPECT_EQ(job.at("test_task"), task.test_file);
      }
      EXPECT_EQ(parse_task_format(job.at("task_format")), task.format);
      EXPECT_EQ(parse_answer_format(job.at("answer_format")), task.answer_format);
      EXPECT_EQ(job.at("extractor"), extractor_text(task, layout.name));
      EXPECT_EQ(job.at("initial_prompt"),
                "proper logical reasoning and think step by step. Finally give the actual correct "
                "answer.");
      EXPECT_EQ(job.at("question_suffix"), ". Use");
      EXPECT_EQ(job.at("train_size"), std::to_string(task.train_size));
      EXPECT_EQ(job.at("dev_size"), std::to_string(task.dev_size));
      EXPECT_EQ(job.at("test_size"), std::to_string(task.test_size));
      EXPECT_EQ(job.at("split_seed"), "0");
      EXPECT_EQ(job.at("preset"), "paper");
      EXPECT_TRUE(file_exists(kRoot + "/configs/presets/" + job.at("preset") + ".toml"));
      EXPECT_EQ(job.at("run_file"), std::string("runs/") + layout.folder + "/" + task.name + ".h5");
    }
  }
}

TEST(Presets, PaperAndFastHoldTheHyperparameters) {
  const std::map<std::string, std::string> paper = {{"iterations", "125"},
                                                    {"topk", "40"},
                                                    {"topq", "6"},
                                                    {"intersection_size", "5"},
                                                    {"min_pool", "6"},
                                                    {"candidates_evaluated", "3"},
                                                    {"ranking", "gradient"},
                                                    {"answer_temperature", "0.2"},
                                                    {"gradient_prompt_weight", "0.2"},
                                                    {"selection_prompt_weight", "0.02"},
                                                    {"max_new_tokens", "1024"},
                                                    {"period_rule_fraction", "0.5"},
                                                    {"loss_threshold", "0.12"},
                                                    {"filler", "_"},
                                                    {"seed", "1"},
                                                    {"micro_batch", "8"},
                                                    {"eval_every", "0"}};
  EXPECT_EQ(read_flat_toml(kRoot + "/configs/presets/paper.toml"), paper);
  auto fast = paper;
  fast["iterations"] = "10";
  fast["max_new_tokens"] = "256";
  fast["topk"] = "10";
  EXPECT_EQ(read_flat_toml(kRoot + "/configs/presets/fast.toml"), fast);
}

}  // namespace
}  // namespace greater
