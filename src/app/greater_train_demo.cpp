// greater_train_demo: trains the shipped demo model (models/demo-reasoner) or writes its task
// files. See models/demo-reasoner/README.md for what the model is and why.
//
//   scripts/train_demo_model.sh                                   the shipped model's stages
//   greater_train_demo --out DIR                                  one stage (~20 min, 2 cores)
//   greater_train_demo --init DIR --out DIR2 --lr 5e-4 ...        continue from DIR's weights
//   greater_train_demo --smoke --out /tmp/demo-smoke              seconds, for CI
//   greater_train_demo --write-tasks models/demo-reasoner/tasks --count 500
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli_checks.h"
#include "greater/common/error.h"
#include "greater/common/file_util.h"
#include "greater/demo/evaluator.h"
#include "greater/demo/instruction_grammar.h"
#include "greater/demo/model_card.h"
#include "greater/demo/model_folder_files.h"
#include "greater/demo/trainer.h"
#include "greater/demo/training_data.h"
#include "greater/demo/training_stages.h"
#include "greater/model/runtime.h"

using namespace greater;
using namespace greater::demo;

namespace {

struct Options {
  TrainOptions train;
  std::string out, families = "arithmetic,tracking", write_tasks;
  int threads = 0;
  bool smoke = false;
};

std::string command_line(int argc, char** argv) {
  std::string command = "greater_train_demo";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool plain = arg.find_first_of(" \t'\"$\\") == std::string::npos && !arg.empty();
    command += " " + (plain ? arg : "'" + arg + "'");
  }
  return command;
}

int write_tasks(const Options& o) {
  for (const auto& path :
       write_task_files(o.write_tasks, o.train.families, o.train.task_count, o.train.task_seed))
    std::cout << path << ": " << o.train.task_count << " questions\n";
  return 0;
}

int train(const Options& o, const std::string& command) {
  const int threads = set_compute_threads(o.threads);
  const Vocabulary& vocab = Vocabulary::demo();
  make_folders(o.out);
  std::cout << "threads " << threads << ", output " << o.out << std::endl;

  // Read before training: a bad record in the --init folder should not cost a training run.
  std::vector<TrainingStage> earlier;
  if (!o.train.init.empty()) {
    earlier = read_training_stages(o.train.init);
    if (earlier.empty())
      earlier.push_back({"(weights of " + o.train.init + ", which records no training)", 0, 0, 0});
  }
  const TrainResult trained = train_demo_model(o.train, vocab, std::cout);
  trained.model.save(o.out);
  write_file_atomic(join_path(o.out, "tokenizer.json"), wordlevel_tokenizer_json(vocab));
  write_task_files(join_path(o.out, "tasks"), o.train.families, o.train.task_count,
                   o.train.task_seed);

  // The acceptance table: every held-out question of every family.
  std::vector<std::vector<Problem>> held_out;
  for (TaskFamily f : o.train.families)
    held_out.push_back(held_out_problems(f, o.train.task_count, o.train.task_seed));
  ModelCardFacts facts;
  facts.command = command;
  facts.options = o.train;
  facts.parameters = trained.model.parameter_count();
  facts.tokens = trained.tokens;
  facts.seconds = trained.seconds;
  facts.threads = threads;
  facts.final_loss = trained.final_loss;
  facts.accuracy =
      accuracy_table(trained.model, vocab, o.train.families, held_out, report_instructions());
  for (const auto& row : facts.accuracy)
    std::cout << "held-out " << row.family << " \"" << row.instruction << "\": accuracy "
              << row.result.accuracy() << " (" << row.result.correct << "/" << row.result.total
              << "), step by step " << row.result.step_by_step_rate() << "\n";
  facts.earlier_stages = earlier;
  std::vector<TrainingStage> stages = earlier;
  stages.push_back({command, trained.tokens, trained.seconds, threads});
  write_training_stages(o.out, stages);
  write_file_atomic(join_path(o.out, "README.md"), model_card(facts));
  std::cout << "wrote " << o.out << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Train greater-dist's demo model, or write its task files"};
  Options o;
  TrainOptions& t = o.train;
  auto* out = app.add_option("--out", o.out, "model folder to write");
  app.add_option("--init", t.init,
                 "continue from this model folder's weights (a later training stage)")
      ->check(CLI::ExistingDirectory);
  app.add_option("--seed", t.seed, "seed of the weights and the training data");
  app.add_option("--steps", t.steps, "optimizer steps")->check(kPositiveInteger);
  app.add_option("--batch", t.batch, "sequences per step")->check(kPositiveInteger);
  app.add_option("--lr", t.lr, "peak learning rate")->check(kPositiveNumber);
  app.add_option("--warmup", t.warmup, "linear warm-up steps")->check(kNonNegativeInteger);
  app.add_option("--layers", t.layers, "transformer layers")->check(kPositiveInteger);
  app.add_option("--hidden", t.hidden, "hidden size (a multiple of 32)")
      ->check(kPositiveInteger);
  app.add_option("--ffn", t.ffn, "MLP size (0: 3 x hidden)")->check(kNonNegativeInteger);
  app.add_option("--threads", o.threads, "intra-op threads (0: all cores)");
  app.add_option("--eval-every", t.eval_every, "steps between held-out evaluations (0: none)")
      ->check(kNonNegativeInteger);
  app.add_option("--eval-questions", t.eval_questions, "questions per family in those")
      ->check(kPositiveInteger);
  app.add_option("--log-every", t.log_every, "steps between progress lines")
      ->check(kPositiveInteger);
  app.add_option("--families", o.families, "task families, comma-separated: arithmetic,tracking");
  app.add_option("--family-weights", t.family_weights,
                 "relative share of each family in training, comma-separated, in --families "
                 "order (default: equal)")
      ->delimiter(',');
  app.add_option("--count", t.task_count, "held-out questions per family (task files)")
      ->check(kPositiveInteger);
  app.add_option("--task-seed", t.task_seed, "seed of the held-out questions");
  auto* tasks = app.add_option("--write-tasks", o.write_tasks,
                               "only write <DIR>/<family>.jsonl task files and exit");
  app.add_flag("--smoke", o.smoke, "a tiny run of a few seconds (CI); explicit options win");
  tasks->excludes(out);
  CLI11_PARSE(app, argc, argv);

  try {
    t.families = parse_families(o.families, "--families");
    if (!o.write_tasks.empty()) return write_tasks(o);
    if (o.out.empty()) throw Error("--out", "give the model folder to write (or --write-tasks)");
    if (o.smoke) {
      auto unless_given = [&](const char* name, auto& field, auto value) {
        if (app.count(name) == 0) field = value;
      };
      unless_given("--steps", t.steps, int64_t{80});
      unless_given("--batch", t.batch, 16);
      unless_given("--layers", t.layers, 1);
      unless_given("--hidden", t.hidden, 64);
      unless_given("--warmup", t.warmup, int64_t{10});
      unless_given("--eval-every", t.eval_every, int64_t{40});
      unless_given("--eval-questions", t.eval_questions, 10);
      unless_given("--log-every", t.log_every, int64_t{10});
      unless_given("--count", t.task_count, 20);
    }
    return train(o, command_line(argc, argv));
  } catch (const Error& e) {
    std::cerr << "greater_train_demo: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "greater_train_demo: internal error: " << e.what() << "\n";
  }
  return 1;
}
