// Appending rows. Every row is packed (and checked against the limits) before the file is
// touched; then the datasets grow and are written, the file is flushed, and only then the
// table's count moves and is flushed: a reader, or a run resumed after a crash, trusts
// `count` and so never sees half a row.
#include "greater/common/error.h"
#include "run_file_impl.h"

namespace greater {

using namespace record;

namespace {

void flush_file(const RunFile::Impl& impl) {
  check(H5Fflush(impl.file.get(), H5F_SCOPE_GLOBAL), impl.path, "cannot flush");
}

}  // namespace

void RunFile::append_iteration(const IterationRow& row) {
  QuietHdf5Errors quiet;
  Impl& impl = *impl_;
  const RowBlock block = pack_rows(iteration_table(impl.info.limits), {row}, impl.path);
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
  std::vector<StoredChain> chain_rows;
  for (const EvaluatedChain& chain : row.chains) chain_rows.push_back({index, chain});
  StoredEvaluation stored{row, impl.chains.rows, n_chains};
  stored.row.chains.clear();
  const RowBlock chains = pack_rows(chain_table(impl.info.limits), chain_rows, impl.path);
  const RowBlock block = pack_rows(evaluation_table(impl.info.limits), {stored}, impl.path);

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
