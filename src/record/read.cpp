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
  return read_rows(file, iteration_table(read_info(file, where).limits), 0, rows, where);
}

std::vector<EvaluationRow> read_evaluations(hid_t file, int64_t rows, bool with_chains,
                                            const std::string& where) {
  const RunFileLimits limits = read_info(file, where).limits;
  const std::vector<StoredEvaluation> stored =
      read_rows(file, evaluation_table(limits), 0, rows, where);
  std::vector<EvaluationRow> result;
  for (const StoredEvaluation& e : stored) result.push_back(e.row);
  if (!with_chains || rows == 0) return result;

  const int64_t chain_rows = stored.back().chain_begin + stored.back().chain_count;
  std::vector<StoredChain> chains = read_rows(file, chain_table(limits), 0, chain_rows, where);
  for (size_t r = 0; r < result.size(); ++r) {
    for (int64_t k = stored[r].chain_begin; k < stored[r].chain_begin + stored[r].chain_count;
         ++k) {
      const size_t i = static_cast<size_t>(k);
      if (k < 0 || k >= chain_rows || chains[i].evaluation != static_cast<int64_t>(r)) {
        throw Error(where + ":" + chain_table(limits).table.group,
                    "row " + std::to_string(k) + " does not belong to evaluation " +
                        std::to_string(r) + "; the file is damaged");
      }
      result[r].chains.push_back(std::move(chains[i].chain));
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
