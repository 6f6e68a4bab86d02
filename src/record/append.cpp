// Appending rows. Every row is packed (and checked against the limits) before the file is
// touched; then the datasets grow and are written, the file is flushed, and only then the
// table's count moves and is flushed: a reader, or a run resumed after a crash, trusts
// `count` and so never sees half a row.
#include "greater/common/error.h"
#include "run_file_impl.h"

namespace greater {

using namespace record;

namespace {

void check_same_length(const std::string& where, const std::string& name, size_t n,
                       const std::string& other, size_t m) {
  if (n != m) {
    throw Error(where, name + " has " + std::to_string(n) + " values but " + other + " has " +
                           std::to_string(m) + "; they must match");
  }
}

void flush_file(const RunFile::Impl& impl) {
  check(H5Fflush(impl.file.get(), H5F_SCOPE_GLOBAL), impl.path, "cannot flush");
}

}  // namespace

void RunFile::append_iteration(const IterationRow& row) {
  QuietHdf5Errors quiet;
  Impl& impl = *impl_;
  const std::string where = impl.where("iterations");
  check_same_length(where, "candidate_gradients", row.candidate_gradients.size(), "candidate_ids",
                    row.candidate_ids.size());
  const std::pair<const char*, const std::vector<double>*> evaluated[] = {
      {"evaluated_mistake_rate", &row.evaluated_mistake_rate},
      {"evaluated_answer_ce", &row.evaluated_answer_ce},
      {"evaluated_prompt_nll", &row.evaluated_prompt_nll},
      {"evaluated_score", &row.evaluated_score}};
  for (const auto& [name, values] : evaluated) {
    check_same_length(where, name, values->size(), "evaluated_ids", row.evaluated_ids.size());
  }
  if (!row.stage_seconds.empty() && row.stage_seconds.size() != stage_names().size()) {
    throw Error(where, "stage_seconds has " + std::to_string(row.stage_seconds.size()) +
                           " values; expected one per stage (" +
                           std::to_string(stage_names().size()) + ") or none");
  }

  RowBlock block(impl.iterations.table, 1, impl.path);
  block.set_int("step", 0, row.step);
  block.set_int("position", 0, row.position);
  block.set_text("prompt", 0, row.prompt);
  block.set_ids("prompt_ids", 0, row.prompt_ids);
  block.set_int("prompt_ids_length", 0, static_cast<int64_t>(row.prompt_ids.size()));
  block.set_ids("candidate_ids", 0, row.candidate_ids);
  block.set_doubles("candidate_gradients", 0, row.candidate_gradients);
  block.set_int("candidate_count", 0, static_cast<int64_t>(row.candidate_ids.size()));
  block.set_ids("evaluated_ids", 0, row.evaluated_ids);
  for (const auto& [name, values] : evaluated) block.set_doubles(name, 0, *values);
  block.set_int("evaluated_count", 0, static_cast<int64_t>(row.evaluated_ids.size()));
  block.set_int("chosen_id", 0, row.chosen_id);
  block.set_double("chosen_score", 0, row.chosen_score);
  block.set_double("train_accuracy", 0, row.train_accuracy);
  block.set_doubles("stage_seconds", 0, row.stage_seconds);
  block.set_int("tokens_generated", 0, row.tokens_generated);
  block.set_ids("next_prompt_ids", 0, row.next_prompt_ids);
  block.set_int("next_prompt_ids_length", 0, static_cast<int64_t>(row.next_prompt_ids.size()));
  block.set_int("next_position", 0, row.next_position);
  block.set_int("initial_length", 0, row.initial_length);

  write_rows(impl.iterations, block, impl.path);
  flush_file(impl);
  write_count(impl.iterations, impl.iterations.rows + 1, impl.path);
  flush_file(impl);
  impl.iterations.rows += 1;
}

void RunFile::append_evaluation(const EvaluationRow& row) {
  QuietHdf5Errors quiet;
  Impl& impl = *impl_;
  const int64_t index = impl.evaluations.rows;
  const int64_t n_chains = static_cast<int64_t>(row.chains.size());

  RowBlock chains(impl.chains.table, n_chains, impl.path);
  for (int64_t i = 0; i < n_chains; ++i) {
    const EvaluatedChain& chain = row.chains[static_cast<size_t>(i)];
    chains.set_int("evaluation", i, index);
    chains.set_int("example_index", i, chain.example_index);
    chains.set_text("chain", i, chain.chain);
    chains.set_text("prediction", i, chain.prediction);
    chains.set_int("correct", i, chain.correct ? 1 : 0);
  }
  RowBlock block(impl.evaluations.table, 1, impl.path);
  block.set_int("step", 0, row.step);
  block.set_text("split", 0, row.split);
  block.set_text("prompt", 0, row.prompt);
  block.set_ids("prompt_ids", 0, row.prompt_ids);
  block.set_int("prompt_ids_length", 0, static_cast<int64_t>(row.prompt_ids.size()));
  block.set_double("parse_accuracy", 0, row.parse_accuracy);
  block.set_double("token_accuracy", 0, row.token_accuracy);
  block.set_int("n", 0, row.n);
  block.set_int("chain_begin", 0, impl.chains.rows);
  block.set_int("chain_count", 0, n_chains);

  // The chains are trusted through their evaluation row, so they go first; a failure before
  // the count leaves them to be overwritten by the next append.
  write_rows(impl.chains, chains, impl.path);
  write_rows(impl.evaluations, block, impl.path);
  flush_file(impl);
  write_count(impl.evaluations, index + 1, impl.path);
  flush_file(impl);
  impl.chains.rows += n_chains;
  impl.evaluations.rows += 1;
}

}  // namespace greater
