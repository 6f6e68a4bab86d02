#include "greater/demo/training_data.h"

#include <algorithm>

#include "greater/common/error.h"
#include "greater/demo/instruction_grammar.h"

namespace greater::demo {

TokenSequence prompt_ids(const Vocabulary& vocab, const Problem& problem,
                         const Words& instruction) {
  TokenSequence ids{Vocabulary::kBos};
  for (const auto& w : problem.question) ids.push_back(vocab.id(w));
  for (const auto& w : instruction) ids.push_back(vocab.id(w));
  return ids;
}

Words response_words(const Problem& problem, bool careful) {
  Words words = problem.chain;
  words.push_back("answer");
  words.push_back(careful ? problem.answer : problem.careless_answer);
  return words;
}

std::vector<Problem> held_out_problems(TaskFamily family, int count, uint64_t seed) {
  const StepRange range = family_info(family).eval_steps;
  Rng rng = Rng(seed).fork(static_cast<uint64_t>(family) + 1);
  std::vector<Problem> problems;
  std::unordered_set<std::string> seen;
  int64_t attempts = 0;
  while (static_cast<int>(problems.size()) < count) {
    if (++attempts > 100 * static_cast<int64_t>(count) + 1000)
      throw Error("held_out_problems", "cannot find " + std::to_string(count) + " distinct " +
                                           family_info(family).name + " questions");
    const int steps = range.min + static_cast<int>(problems.size()) % (range.max - range.min + 1);
    Problem p = make_problem(family, steps, rng);
    if (seen.insert(join_words(p.question)).second) problems.push_back(std::move(p));
  }
  return problems;
}

TrainingStream::TrainingStream(const Vocabulary& vocab, std::vector<TaskFamily> families,
                               uint64_t seed, const std::vector<Problem>& held_out,
                               std::vector<double> weights)
    : vocab_(vocab), families_(std::move(families)), weights_(std::move(weights)), rng_(seed) {
  if (families_.empty()) throw Error("TrainingStream", "no task family to train on");
  // Checked here, where the weights are used, for the command line and the library alike.
  if (!weights_.empty()) {
    if (weights_.size() != families_.size())
      throw Error("--family-weights", "give one weight per family (" +
                                          std::to_string(families_.size()) + "), got " +
                                          std::to_string(weights_.size()));
    for (double w : weights_) {
      if (!(w >= 0)) throw Error("--family-weights", "weights must not be negative");
      weight_total_ += w;
    }
    if (!(weight_total_ > 0)) throw Error("--family-weights", "the weights sum to zero");
  }
  for (const Problem& p : held_out) held_out_.insert(join_words(p.question));
}

TaskFamily TrainingStream::draw_family() {
  if (weights_.empty()) return families_[rng_.below(families_.size())];
  double u = rng_.uniform() * weight_total_;
  for (size_t i = 0; i < families_.size(); ++i) {
    if (u < weights_[i]) return families_[i];
    u -= weights_[i];
  }
  return families_.back();  // u landed on the total through rounding
}

TrainingExample TrainingStream::next() {
  const TaskFamily family = draw_family();
  const StepRange range = family_info(family).train_steps;
  Problem problem = make_problem(family, rng_.between(range.min, range.max), rng_);
  while (held_out_.count(join_words(problem.question))) {
    ++skipped_;
    problem = make_problem(family, problem.steps, rng_);
  }
  Words instruction = sample_instruction(rng_);
  const bool careful = rng_.uniform() < careful_probability(instruction);

  TrainingExample example{prompt_ids(vocab_, problem, instruction), problem, instruction, careful};
  for (const auto& w : response_words(problem, careful)) example.ids.push_back(vocab_.id(w));
  example.ids.push_back(Vocabulary::kEos);
  return example;
}

std::vector<std::vector<TrainingExample>> TrainingStream::next_batches(int batches,
                                                                       int batch_size) {
  std::vector<TrainingExample> pool;
  pool.reserve(static_cast<size_t>(batches) * batch_size);
  for (int i = 0; i < batches * batch_size; ++i) pool.push_back(next());
  std::stable_sort(pool.begin(), pool.end(),
                   [](const auto& a, const auto& b) { return a.ids.size() < b.ids.size(); });
  std::vector<std::vector<TrainingExample>> out(batches);
  for (int b = 0; b < batches; ++b)
    out[b].assign(std::make_move_iterator(pool.begin() + b * batch_size),
                  std::make_move_iterator(pool.begin() + (b + 1) * batch_size));
  for (int i = batches - 1; i > 0; --i) std::swap(out[i], out[rng_.below(i + 1)]);
  return out;
}

}  // namespace greater::demo
