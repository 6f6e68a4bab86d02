// The writer's lifetime: SWMR start, the writer's lock, status, flush, close, and reopening
// a run whose writer stopped (cleanly, or killed with its superblock still saying "open for
// write").
#include <fcntl.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "greater/common/error.h"
#include "greater/common/file_util.h"
#include "run_file_impl.h"

extern char** environ;

namespace greater {

using namespace record;

namespace {

// Filesystems without flock (some network mounts) answer these; there the lock is skipped,
// as HDF5 itself does with HDF5_USE_FILE_LOCKING=FALSE.
bool locking_unsupported(int error) {
  return error == ENOLCK || error == ENOSYS || error == EOPNOTSUPP || error == EINVAL;
}

// False while another process holds the file: the writer keeps a shared flock for as long as
// it writes (HDF5 drops its own lock once SWMR writing starts), so an exclusive probe tells a
// live writer (or an open reader) from one that died.
bool nobody_else_has(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(path, std::string("cannot open: ") + std::strerror(errno));
  int result = ::flock(fd, LOCK_EX | LOCK_NB);
  int error = errno;
  ::close(fd);
  return result == 0 || locking_unsupported(error);
}

// Last resort when this HDF5 lacks the clear_status_flags property: the h5clear tool.
void clear_flags_with_h5clear(const std::string& path) {
  const char* argv[] = {"h5clear", "-s", path.c_str(), nullptr};
  pid_t pid = 0;
  int error = posix_spawnp(&pid, "h5clear", nullptr, nullptr, const_cast<char**>(argv), environ);
  if (error != 0) {
    throw Error(path,
                "was left open for write by a writer that died, and h5clear (package "
                "hdf5-tools) is not installed to clear that; install it or run "
                "'h5clear -s " +
                    path + "'");
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw Error(path, "'h5clear -s' failed to clear the stale open-for-write flags");
  }
}

bool is_lock_conflict(const std::string& reason) {
  return reason.find("unable to lock") != std::string::npos;
}

// Read-write, non-SWMR, for truncating; invalid while HDF5 cannot lock the file because
// another process has it open. A writer that died leaves the superblock's write flags set;
// those are cleared on open with the library property h5clear uses, or h5clear itself.
Hid open_read_write(const std::string& path) {
  Hid fapl = run_file_access(false, path);
  hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get());
  if (file >= 0) return Hid(file);
  std::string reason = hdf5_reason();
  if (is_lock_conflict(reason)) return Hid();
  if (reason.find("already open for") == std::string::npos) {
    throw Error(path, "cannot open the run file for writing: " + reason);
  }
  // GREATER_RUN_FILE_CLEAR_WITH_H5CLEAR makes the tests take the h5clear route.
  bool force_tool = std::getenv("GREATER_RUN_FILE_CLEAR_WITH_H5CLEAR") != nullptr;
  Hid clearing;
  try {
    if (!force_tool) clearing = run_file_access(true, path);
  } catch (const Error&) {
    // this HDF5 has no clear_status_flags property: fall back to the tool below
  }
  if (!clearing.valid()) {
    clear_flags_with_h5clear(path);
    clearing = run_file_access(false, path);
  }
  file = H5Fopen(path.c_str(), H5F_ACC_RDWR, clearing.get());
  if (file >= 0) return Hid(file);
  reason = hdf5_reason();
  if (is_lock_conflict(reason)) return Hid();
  throw Error(path, "cannot open the run file for writing: " + reason);
}

std::string fit_status_message(const std::string& message) {
  if (message.size() <= kStatusMessageBytes) return message;
  const std::string ellipsis = "\xE2\x80\xA6";  // U+2026
  size_t cut = kStatusMessageBytes - ellipsis.size();
  while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) --cut;
  return message.substr(0, cut) + ellipsis;
}

}  // namespace

std::string RunFile::Impl::where(const std::string& object) const {
  return object.empty() ? path : path + ":" + object;
}

void RunFile::Impl::begin_swmr(int64_t iteration_rows, int64_t evaluation_rows,
                               int64_t chain_rows) {
  check(H5Fstart_swmr_write(file.get()), path, "cannot start SWMR writing");
  iterations = open_table(file.get(), iteration_table(info.limits).table, iteration_rows, path);
  evaluations = open_table(file.get(), evaluation_table(info.limits).table, evaluation_rows, path);
  chains = open_table(file.get(), chain_table(info.limits).table, chain_rows, path);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  if (::flock(fd, LOCK_SH | LOCK_NB) == 0) {
    lock_fd = fd;
  } else {
    ::close(fd);
  }
}

void RunFile::Impl::close() noexcept {
  iterations = OpenTable();
  evaluations = OpenTable();
  chains = OpenTable();
  file.reset();
  if (lock_fd >= 0) {
    ::close(lock_fd);
    lock_fd = -1;
  }
}

std::unique_ptr<RunFile> RunFile::open_for_resume(const std::string& path) {
  QuietHdf5Errors quiet;
  if (!file_exists(path)) throw Error(path, "no such run file to resume");
  {
    Hid file = open_read_only(path);
    read_info(file.get(), path);
    RunStatus status = run_status_from_name(read_text_attr(file.get(), "status", path), path);
    if (status == RunStatus::Finished) {
      throw Error(path,
                  "the run is finished; a finished run is not resumed (choose another "
                  "output path to run again)");
    }
  }
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  // Readers (read_run_file, an h5py monitor) hold the file for moments: wait them out briefly.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!impl->file.valid()) {
    if (nobody_else_has(path)) impl->file = open_read_write(path);
    if (impl->file.valid()) break;
    if (std::chrono::steady_clock::now() > deadline) {
      throw Error(path,
                  "is open in another process (a live writer, or a reader such as h5py); "
                  "stop it before resuming");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  hid_t file = impl->file.get();
  // A writer killed while the file grew may have written blocks past the end-of-allocation its
  // superblock records; move that mark to the real end of the file so nothing there is reused.
  check(H5Fincrement_filesize(file, 0), path, "cannot update the end-of-allocation");
  impl->info = read_info(file, path);
  std::string previous = read_text_attr(file, "status", path);

  // Rows past the counts are what a killed writer left half written: drop them.
  int64_t iteration_rows = read_count(file, "iterations", path);
  int64_t evaluation_rows = read_count(file, "evaluations", path);
  const RunFileLimits& limits = impl->info.limits;
  int64_t chain_rows = 0;
  if (evaluation_rows > 0) {
    const StoredEvaluation last =
        read_rows(file, evaluation_table(limits), evaluation_rows - 1, 1, path).at(0);
    chain_rows = last.chain_begin + last.chain_count;
  }
  {
    OpenTable iterations = open_table(file, iteration_table(limits).table, iteration_rows, path);
    OpenTable evaluations =
        open_table(file, evaluation_table(limits).table, evaluation_rows, path);
    OpenTable chains = open_table(file, chain_table(limits).table, chain_rows, path);
    truncate_rows(iterations, iteration_rows, path);
    truncate_rows(evaluations, evaluation_rows, path);
    truncate_rows(chains, chain_rows, path);
  }
  write_int64_attr(file, "resume_count", read_int64_attr(file, "resume_count", path) + 1, path);
  write_fixed_text_attr(file, "status", run_status_name(RunStatus::Running), kStatusBytes, path);
  write_fixed_text_attr(file, "status_message", "resumed (previous status: " + previous + ")",
                        kStatusMessageBytes, path);
  check(H5Fflush(file, H5F_SCOPE_GLOBAL), path, "cannot flush");
  impl->begin_swmr(iteration_rows, evaluation_rows, chain_rows);
  return std::unique_ptr<RunFile>(new RunFile(std::move(impl)));
}

RunFile::~RunFile() {
  if (!impl_) return;
  QuietHdf5Errors quiet;
  if (impl_->file.valid()) H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL);
  impl_->close();
}

void RunFile::set_status(RunStatus status, const std::string& message) {
  QuietHdf5Errors quiet;
  hid_t file = impl_->file.get();
  write_fixed_text_attr(file, "status_message", fit_status_message(message), kStatusMessageBytes,
                        impl_->path);
  write_fixed_text_attr(file, "status", run_status_name(status), kStatusBytes, impl_->path);
  flush();
}

void RunFile::finish(RunStatus status, const std::string& message) {
  QuietHdf5Errors quiet;
  Impl& impl = *impl_;
  truncate_rows(impl.iterations, impl.iterations.rows, impl.path);
  truncate_rows(impl.evaluations, impl.evaluations.rows, impl.path);
  truncate_rows(impl.chains, impl.chains.rows, impl.path);
  set_status(status, message);
}

void RunFile::flush() {
  QuietHdf5Errors quiet;
  check(H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL), impl_->path, "cannot flush");
}

}  // namespace greater
