// Reading a run file back: the root attributes, and the rows its counts vouch for. Works on
// the writer's own handle, on a file another process is writing (SWMR read), and on a file
// left by a writer that died (read-only, ignoring its stale "open for write" flags).
#include <chrono>
#include <cmath>
#include <thread>

#include "greater/common/error.h"
#include "greater/common/file_util.h"
#include "run_file_impl.h"

namespace greater::record {

RunInfo read_info(hid_t file, const std::string& where) {
  if (!has_attr(file, "format") ||
      read_text_attr(file, "format", where) != "greater-dist run file") {
    throw Error(where, "not a greater-dist run file (no root attribute format)");
  }
  int64_t version = read_int64_attr(file, "format_version", where);
  if (version > kFormatVersion) {
    throw Error(where, "run file format version " + std::to_string(version) +
                           " is newer than this program reads (" + std::to_string(kFormatVersion) +
                           ")");
  }
  RunInfo info;
  info.job_config = read_text_attr(file, "job_config", where);
  info.seed = read_uint64_attr(file, "seed", where);
  info.world_size = static_cast<int>(read_int64_attr(file, "world_size", where));
  info.program_version = read_text_attr(file, "program_version", where);
  info.model = read_text_attr(file, "model", where);
  info.task = read_text_attr(file, "task", where);
  info.limits.max_prompt_tokens = read_int64_attr(file, "limit_max_prompt_tokens", where);
  info.limits.max_candidates = read_int64_attr(file, "limit_max_candidates", where);
  info.limits.max_evaluated = read_int64_attr(file, "limit_max_evaluated", where);
  info.limits.max_text_bytes = read_int64_attr(file, "limit_max_text_bytes", where);
  info.limits.max_chain_bytes = read_int64_attr(file, "limit_max_chain_bytes", where);
  const std::vector<std::string>& reserved = reserved_root_attributes();
  for (const std::string& name : attr_names(file, where)) {
    bool is_reserved = false;
    for (const std::string& r : reserved) is_reserved = is_reserved || r == name;
    if (!is_reserved) info.attributes[name] = read_text_attr(file, name, where);
  }
  return info;
}

std::vector<IterationRow> read_iterations(hid_t file, int64_t rows, const std::string& where) {
  TableReader t(file, "iterations", 0, rows, where);
  auto step = t.ints("step");
  auto position = t.ints("position");
  auto prompt = t.texts("prompt");
  auto prompt_ids = t.id_rows("prompt_ids", t.ints("prompt_ids_length"));
  auto candidate_count = t.ints("candidate_count");
  auto candidate_ids = t.id_rows("candidate_ids", candidate_count);
  auto candidate_gradients = t.double_rows("candidate_gradients", candidate_count);
  auto evaluated_count = t.ints("evaluated_count");
  auto evaluated_ids = t.id_rows("evaluated_ids", evaluated_count);
  auto mistake_rate = t.double_rows("evaluated_mistake_rate", evaluated_count);
  auto answer_ce = t.double_rows("evaluated_answer_ce", evaluated_count);
  auto prompt_nll = t.double_rows("evaluated_prompt_nll", evaluated_count);
  auto score = t.double_rows("evaluated_score", evaluated_count);
  auto chosen_id = t.ints("chosen_id");
  auto chosen_score = t.doubles("chosen_score");
  auto train_accuracy = t.doubles("train_accuracy");
  auto stage_seconds = t.double_rows("stage_seconds", {});
  auto tokens_generated = t.ints("tokens_generated");
  auto next_prompt_ids = t.id_rows("next_prompt_ids", t.ints("next_prompt_ids_length"));
  auto next_position = t.ints("next_position");
  auto initial_length = t.ints("initial_length");

  std::vector<IterationRow> result(static_cast<size_t>(rows));
  for (size_t r = 0; r < result.size(); ++r) {
    IterationRow& row = result[r];
    row.step = step[r];
    row.position = position[r];
    row.prompt = std::move(prompt[r]);
    row.prompt_ids = std::move(prompt_ids[r]);
    row.candidate_ids = std::move(candidate_ids[r]);
    row.candidate_gradients = std::move(candidate_gradients[r]);
    row.evaluated_ids = std::move(evaluated_ids[r]);
    row.evaluated_mistake_rate = std::move(mistake_rate[r]);
    row.evaluated_answer_ce = std::move(answer_ce[r]);
    row.evaluated_prompt_nll = std::move(prompt_nll[r]);
    row.evaluated_score = std::move(score[r]);
    row.chosen_id = static_cast<int32_t>(chosen_id[r]);
    row.chosen_score = chosen_score[r];
    row.train_accuracy = train_accuracy[r];
    // A row appended without timings holds NaN in every stage: give it back empty.
    bool measured = false;
    for (double s : stage_seconds[r]) measured = measured || !std::isnan(s);
    if (measured) row.stage_seconds = std::move(stage_seconds[r]);
    row.tokens_generated = tokens_generated[r];
    row.next_prompt_ids = std::move(next_prompt_ids[r]);
    row.next_position = next_position[r];
    row.initial_length = initial_length[r];
  }
  return result;
}

std::vector<EvaluationRow> read_evaluations(hid_t file, int64_t rows, bool with_chains,
                                            const std::string& where) {
  TableReader t(file, "evaluations", 0, rows, where);
  auto step = t.ints("step");
  auto split = t.texts("split");
  auto prompt = t.texts("prompt");
  auto prompt_ids = t.id_rows("prompt_ids", t.ints("prompt_ids_length"));
  auto parse_accuracy = t.doubles("parse_accuracy");
  auto token_accuracy = t.doubles("token_accuracy");
  auto n = t.ints("n");
  auto chain_begin = t.ints("chain_begin");
  auto chain_count = t.ints("chain_count");

  std::vector<EvaluationRow> result(static_cast<size_t>(rows));
  for (size_t r = 0; r < result.size(); ++r) {
    EvaluationRow& row = result[r];
    row.step = step[r];
    row.split = std::move(split[r]);
    row.prompt = std::move(prompt[r]);
    row.prompt_ids = std::move(prompt_ids[r]);
    row.parse_accuracy = parse_accuracy[r];
    row.token_accuracy = token_accuracy[r];
    row.n = n[r];
  }
  if (!with_chains || rows == 0) return result;

  int64_t chain_rows = chain_begin.back() + chain_count.back();
  TableReader c(file, "evaluations/chains", 0, chain_rows, where);
  auto evaluation = c.ints("evaluation");
  auto example_index = c.ints("example_index");
  auto chain = c.texts("chain");
  auto prediction = c.texts("prediction");
  auto correct = c.bools("correct");
  for (size_t r = 0; r < result.size(); ++r) {
    for (int64_t k = chain_begin[r]; k < chain_begin[r] + chain_count[r]; ++k) {
      size_t i = static_cast<size_t>(k);
      if (k < 0 || k >= chain_rows || evaluation[i] != static_cast<int64_t>(r)) {
        throw Error(where + ":evaluations/chains", "row " + std::to_string(k) +
                                                       " does not belong to evaluation " +
                                                       std::to_string(r) + "; the file is damaged");
      }
      result[r].chains.push_back(EvaluatedChain{example_index[i], std::move(chain[i]),
                                                std::move(prediction[i]),
                                                static_cast<bool>(correct[i])});
    }
  }
  return result;
}

// A read-only handle on a run file, whoever else has it open. SWMR read first: it is what a
// live writer's file needs, and it also opens a file whose SWMR writer died (both of its
// write flags are still set). A file whose plain writer died (only the write flag set, e.g.
// killed while a resume truncated it) opens with the flags ignored in memory, file unchanged.
Hid open_read_only(const std::string& path) {
  Hid fapl = run_file_access(false, path);
  // A SWMR reader retries a block whose checksum fails (the writer may be writing it), sleeping
  // 1 ns, 2 ns, 4 ns, ...: HDF5's default of 100 tries never ends on a block that stays bad.
  // 22 tries wait about 4 ms; read_run_file retries the whole read on top of that.
  check(H5Pset_metadata_read_attempts(fapl.get(), 22), path, "cannot set read attempts");
  hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, fapl.get());
  if (file >= 0) return Hid(file);
  std::string reason = hdf5_reason();
  Hid clearing = run_file_access(true, path);
  file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, clearing.get());
  if (file >= 0) return Hid(file);
  throw Error(path, "cannot open the run file for reading: " + reason);
}

}  // namespace greater::record

namespace greater {

using namespace record;

std::vector<IterationRow> RunFile::iterations() const {
  QuietHdf5Errors quiet;
  return read_iterations(impl_->file.get(), impl_->iterations.rows, impl_->path);
}

std::vector<EvaluationRow> RunFile::evaluations() const { return evaluations(false); }

std::vector<EvaluationRow> RunFile::evaluations(bool with_chains) const {
  QuietHdf5Errors quiet;
  return read_evaluations(impl_->file.get(), impl_->evaluations.rows, with_chains, impl_->path);
}

RunSummary read_run_file(const std::string& path) { return read_run_file(path, false); }

namespace {

RunSummary read_run_file_once(const std::string& path, bool with_chains) {
  Hid file = open_read_only(path);
  RunSummary summary;
  summary.info = read_info(file.get(), path);
  summary.status = run_status_from_name(read_text_attr(file.get(), "status", path), path);
  summary.status_message = read_text_attr(file.get(), "status_message", path);
  summary.iterations =
      read_iterations(file.get(), read_count(file.get(), "iterations", path), path);
  summary.evaluations =
      read_evaluations(file.get(), read_count(file.get(), "evaluations", path), with_chains, path);
  return summary;
}

}  // namespace

RunSummary read_run_file(const std::string& path, bool with_chains) {
  QuietHdf5Errors quiet;
  if (!file_exists(path)) throw Error(path, "no such run file");
  // A read racing the writer's flush can meet a block in the middle of being rewritten; a
  // fresh open a moment later sees it whole.
  for (int attempt = 1;; ++attempt) {
    try {
      return read_run_file_once(path, with_chains);
    } catch (const Error&) {
      if (attempt == 10) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

bool run_file_exists(const std::string& path) { return file_exists(path); }

}  // namespace greater
