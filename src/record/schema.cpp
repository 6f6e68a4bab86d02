// The layout of a run file and its creation: root attributes, the iteration and evaluation
// tables, then SWMR writing. Everything a writer will ever touch is created here, because a
// SWMR writer may not add objects or attributes later.
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "greater/common/error.h"
#include "greater/common/file_util.h"
#include "run_file_impl.h"

namespace greater {

const std::vector<std::string>& stage_names() {
  static const std::vector<std::string> names = {"chains", "propose", "gradient", "select"};
  return names;
}

std::string run_status_name(RunStatus status) {
  switch (status) {
    case RunStatus::Running:
      return "running";
    case RunStatus::Finished:
      return "finished";
    case RunStatus::Failed:
      return "failed";
    case RunStatus::Interrupted:
      return "interrupted";
  }
  return "unknown";
}

RunStatus run_status_from_name(const std::string& name, const std::string& where) {
  for (RunStatus status :
       {RunStatus::Running, RunStatus::Finished, RunStatus::Failed, RunStatus::Interrupted}) {
    if (run_status_name(status) == name) return status;
  }
  throw Error(where, "unknown run status '" + name +
                         "' (expected running, finished, failed or interrupted)");
}

}  // namespace greater

namespace greater::record {

const std::vector<std::string>& reserved_root_attributes() {
  static const std::vector<std::string> names = {"format",
                                                 "format_version",
                                                 "created",
                                                 "job_config",
                                                 "seed",
                                                 "world_size",
                                                 "program_version",
                                                 "model",
                                                 "task",
                                                 "status",
                                                 "status_message",
                                                 "resume_count",
                                                 "limit_max_prompt_tokens",
                                                 "limit_max_candidates",
                                                 "limit_max_evaluated",
                                                 "limit_max_text_bytes",
                                                 "limit_max_chain_bytes"};
  return names;
}

namespace {

// File type of a column (little-endian, as h5py and every reader expect).
Hid file_type(const Column& column) {
  switch (column.type) {
    case ColumnType::Int32:
      return Hid(H5Tcopy(H5T_STD_I32LE));
    case ColumnType::Int64:
      return Hid(H5Tcopy(H5T_STD_I64LE));
    case ColumnType::Float64:
      return Hid(H5Tcopy(H5T_IEEE_F64LE));
    case ColumnType::Text:
      return fixed_text_type(static_cast<size_t>(column.width));
    case ColumnType::Bool:
      return bool_type();
  }
  return Hid();
}

// About 16 KiB per chunk: small enough that one appended row rewrites little, large enough
// that a long run is not millions of chunks.
hsize_t rows_per_chunk(const Column& column) {
  bool two_d = column.type != ColumnType::Text && column.width > 0;
  size_t row_bytes = element_bytes(column) * (two_d ? static_cast<size_t>(column.width) : 1);
  size_t rows = 16384 / (row_bytes == 0 ? 1 : row_bytes);
  return static_cast<hsize_t>(rows < 1 ? 1 : (rows > 1024 ? 1024 : rows));
}

void create_column(hid_t group, const Column& column, const std::string& where) {
  bool two_d = column.type != ColumnType::Text && column.width > 0;
  int rank = two_d ? 2 : 1;
  hsize_t dims[2] = {0, static_cast<hsize_t>(column.width)};
  hsize_t max_dims[2] = {H5S_UNLIMITED, static_cast<hsize_t>(column.width)};
  hsize_t chunk[2] = {rows_per_chunk(column), static_cast<hsize_t>(column.width)};
  Hid space(check_id(H5Screate_simple(rank, dims, max_dims), where, "cannot make a dataspace"));
  Hid dcpl(H5Pcreate(H5P_DATASET_CREATE));
  check(H5Pset_chunk(dcpl.get(), rank, chunk), where, "cannot chunk " + column.name);
  // Chunks are allocated (and filled) when a dataset grows, so an append that fits the capacity
  // writes raw data only: no object header, chunk index or end-of-file change that a kill -9
  // could catch half written.
  check(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY), where, "cannot set allocation");
  check(H5Pset_obj_track_times(dcpl.get(), false), where, "cannot turn off object times");
  Hid type = file_type(column);
  int32_t fill32 = static_cast<int32_t>(column.fill);
  int64_t fill64 = column.fill;
  double nan = std::nan("");
  int8_t fill_bool = 0;
  switch (column.type) {
    case ColumnType::Int32:
      H5Pset_fill_value(dcpl.get(), H5T_NATIVE_INT32, &fill32);
      break;
    case ColumnType::Int64:
      H5Pset_fill_value(dcpl.get(), H5T_NATIVE_INT64, &fill64);
      break;
    case ColumnType::Float64:
      H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &nan);
      break;
    case ColumnType::Bool:
      H5Pset_fill_value(dcpl.get(), type.get(), &fill_bool);
      break;
    case ColumnType::Text:
      break;  // the default fill is all NUL
  }
  Hid dataset(check_id(H5Dcreate2(group, column.name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                                  dcpl.get(), H5P_DEFAULT),
                       where, "cannot create dataset " + column.name));
  // Readers such as analysis/runfile.py learn the layout from the file itself.
  if (!column.length_column.empty())
    write_text_attr(dataset.get(), "valid_length", column.length_column, where);
  if (!column.labels_name.empty())
    write_text_list_attr(dataset.get(), column.labels_name, column.labels, where);
}

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

void check_info(const std::string& path, const RunInfo& info) {
  const RunFileLimits& limits = info.limits;
  const std::pair<const char*, int64_t> fields[] = {{"max_prompt_tokens", limits.max_prompt_tokens},
                                                    {"max_candidates", limits.max_candidates},
                                                    {"max_evaluated", limits.max_evaluated},
                                                    {"max_text_bytes", limits.max_text_bytes},
                                                    {"max_chain_bytes", limits.max_chain_bytes}};
  for (const auto& [name, value] : fields) {
    if (value < 1 || value > (int64_t{1} << 24)) {
      throw Error(path, std::string("RunFileLimits::") + name + " must be in [1, 2^24], got " +
                            std::to_string(value));
    }
  }
  for (const auto& [key, value] : info.attributes) {
    if (key.empty() || key.find('/') != std::string::npos || key == ".") {
      throw Error(path, "RunInfo attribute name '" + key + "' is not a valid attribute name");
    }
    for (const std::string& reserved : reserved_root_attributes()) {
      if (key == reserved) {
        throw Error(path, "RunInfo attribute '" + key + "' clashes with the format's own root " +
                              "attribute of that name");
      }
    }
  }
}

}  // namespace

void create_table(hid_t file, const Table& table, const std::string& where) {
  Hid group(check_id(H5Gcreate2(file, table.group.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                     where, "cannot create group " + table.group));
  for (const Column& column : table.columns) create_column(group.get(), column, where);
  if (!table.has_count) return;
  Hid space(H5Screate(H5S_SCALAR));
  Hid count(check_id(H5Dcreate2(group.get(), "count", H5T_STD_I64LE, space.get(), H5P_DEFAULT,
                                H5P_DEFAULT, H5P_DEFAULT),
                     where, "cannot create " + table.group + "/count"));
  int64_t zero = 0;
  check(H5Dwrite(count.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &zero), where,
        "cannot write " + table.group + "/count");
}

void write_root_attributes(hid_t file, const RunInfo& info, const std::string& where) {
  write_text_attr(file, "format", "greater-dist run file", where);
  write_int64_attr(file, "format_version", kFormatVersion, where);
  write_text_attr(file, "created", utc_now(), where);
  write_text_attr(file, "job_config", info.job_config, where);
  write_uint64_attr(file, "seed", info.seed, where);
  write_int64_attr(file, "world_size", info.world_size, where);
  write_text_attr(file, "program_version", info.program_version, where);
  write_text_attr(file, "model", info.model, where);
  write_text_attr(file, "task", info.task, where);
  write_fixed_text_attr(file, "status", run_status_name(RunStatus::Running), kStatusBytes, where);
  write_fixed_text_attr(file, "status_message", "", kStatusMessageBytes, where);
  write_int64_attr(file, "resume_count", 0, where);
  write_int64_attr(file, "limit_max_prompt_tokens", info.limits.max_prompt_tokens, where);
  write_int64_attr(file, "limit_max_candidates", info.limits.max_candidates, where);
  write_int64_attr(file, "limit_max_evaluated", info.limits.max_evaluated, where);
  write_int64_attr(file, "limit_max_text_bytes", info.limits.max_text_bytes, where);
  write_int64_attr(file, "limit_max_chain_bytes", info.limits.max_chain_bytes, where);
  for (const auto& [key, value] : info.attributes) write_text_attr(file, key, value, where);
}

}  // namespace greater::record

namespace greater {

using namespace record;

RunFile::RunFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

const std::string& RunFile::path() const { return impl_->path; }
const RunInfo& RunFile::info() const { return impl_->info; }

std::unique_ptr<RunFile> RunFile::create(const std::string& path, const RunInfo& info) {
  QuietHdf5Errors quiet;
  check_info(path, info);
  const std::string exists_message =
      "already exists; a run file is never overwritten (resume it, or choose another output "
      "path)";
  if (is_directory(path)) throw Error(path, "is a directory; a run file must be a file");
  if (file_exists(path)) throw Error(path, exists_message);
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->info = info;
  // The layout is built under a temporary name and linked into place whole: a writer killed
  // while creating leaves "<path>.creating-<pid>", never a half-made file at `path`.
  const std::string temporary = path + ".creating-" + std::to_string(::getpid());
  bool created = false, placed = false;
  try {
    // All root attributes stay in the root's object header (no dense attribute storage), where
    // SWMR readers see status rewrites consistently. Paged file space keeps every metadata block
    // smaller than a page inside one 4 KiB page: the kernel copies a page at a time and a
    // SIGKILL can stop a write between pages, which tore object headers that straddled a page
    // boundary (seen in kill -9 tests without paging: about 2% of kills).
    Hid fcpl(H5Pcreate(H5P_FILE_CREATE));
    check(H5Pset_attr_phase_change(fcpl.get(), 65535, 0), path, "cannot set attribute storage");
    check(H5Pset_file_space_strategy(fcpl.get(), H5F_FSPACE_STRATEGY_PAGE, false, 1), path,
          "cannot select paged file space");
    check(H5Pset_file_space_page_size(fcpl.get(), 4096), path, "cannot set the page size");
    Hid fapl = run_file_access(false, path);
    impl->file = Hid(check_id(H5Fcreate(temporary.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()),
                              path, "cannot create the run file"));
    created = true;
    hid_t file = impl->file.get();
    write_root_attributes(file, info, path);
    create_table(file, iteration_table(info.limits).table, path);
    create_table(file, evaluation_table(info.limits).table, path);
    create_table(file, chain_table(info.limits).table, path);
    check(H5Fflush(file, H5F_SCOPE_GLOBAL), path, "cannot flush");
    // link() refuses an existing path, where rename() would replace it.
    if (::link(temporary.c_str(), path.c_str()) != 0) {
      int error = errno;
      if (error == EEXIST) throw Error(path, exists_message);
      if (file_exists(path) || ::rename(temporary.c_str(), path.c_str()) != 0) {
        throw Error(
            path, std::string("cannot move the new run file into place: ") + std::strerror(error));
      }
    }
    placed = true;
    ::unlink(temporary.c_str());
    impl->begin_swmr(0, 0, 0);
  } catch (...) {
    // Nothing but the empty layout is lost: a half-made file must not block a retry.
    impl->close();
    if (created) ::unlink(temporary.c_str());
    if (placed) ::unlink(path.c_str());
    throw;
  }
  return std::unique_ptr<RunFile>(new RunFile(std::move(impl)));
}

}  // namespace greater
