// Crash safety: a writer process killed with SIGKILL in the middle of a run leaves a file that
// readers can open, whose rows are whole, and that open_for_resume continues.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "greater/common/error.h"
#include "greater/record/run_file.h"
#include "record_test_support.h"

namespace greater {
namespace {

using record_test::expect_same;
using record_test::make_evaluation;
using record_test::make_info;
using record_test::make_iteration;
using record_test::temp_path;

int64_t chains_of(int64_t evaluation) { return 1 + evaluation % 5; }

// The child: appends iterations (and an evaluation after every fourth) as fast as it can,
// until it is killed.
[[noreturn]] void write_until_killed(const std::string& path, bool resume) {
  try {
    auto file = resume ? RunFile::open_for_resume(path) : RunFile::create(path, make_info());
    int64_t i = static_cast<int64_t>(file->iterations().size());
    int64_t e = static_cast<int64_t>(file->evaluations().size());
    for (;; ++i) {
      file->append_iteration(make_iteration(i));
      if (i % 4 == 3) {
        file->append_evaluation(make_evaluation(e, chains_of(e)));
        ++e;
      }
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "writer child: %s\n", error.what());
  }
  _exit(3);
}

pid_t start_writer(const std::string& path, bool resume) {
  pid_t pid = fork();
  if (pid == 0) write_until_killed(path, resume);
  return pid;
}

void kill_writer(pid_t pid) {
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the writer ended by itself (status " << status << ")";
}

// Every row a reader is shown must be exactly the row that was appended.
void expect_whole_rows(const RunSummary& summary) {
  for (size_t i = 0; i < summary.iterations.size(); ++i) {
    expect_same(summary.iterations[i], make_iteration(static_cast<int64_t>(i)));
  }
  for (size_t e = 0; e < summary.evaluations.size(); ++e) {
    int64_t index = static_cast<int64_t>(e);
    expect_same(summary.evaluations[e], make_evaluation(index, chains_of(index)), true);
  }
}

// Reads the file while the writer runs (SWMR read) until it holds `rows` iterations.
RunSummary wait_for_rows(const std::string& path, size_t rows, pid_t writer) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(writer, &status, WNOHANG) == writer) {
      ADD_FAILURE() << "the writer died on its own";
      return {};
    }
    try {
      RunSummary summary = read_run_file(path, true);
      expect_whole_rows(summary);
      if (summary.iterations.size() >= rows) return summary;
    } catch (const Error&) {
      // the writer has not created the file yet
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << "timed out waiting for " << rows << " rows";
  return {};
}

bool plain_write_open_refused(const std::string& path) {
  H5E_auto2_t func;
  void* data;
  H5Eget_auto2(H5E_DEFAULT, &func, &data);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
  hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl);
  H5Pclose(fapl);
  H5Eset_auto2(H5E_DEFAULT, func, data);
  if (file >= 0) H5Fclose(file);
  return file < 0;
}

// Rows each dataset of a group holds on disk (its first dimension), opened read-only.
std::vector<hsize_t> dataset_rows(const std::string& path, const std::string& group) {
  hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  EXPECT_GE(file, 0);
  std::vector<hsize_t> rows;
  hid_t g = H5Gopen2(file, group.c_str(), H5P_DEFAULT);
  H5G_info_t info;
  H5Gget_info(g, &info);
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    char name[256];
    H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
    H5O_info_t object;
    H5Oget_info_by_name(g, name, &object, H5P_DEFAULT);
    if (object.type != H5O_TYPE_DATASET || std::string(name) == "count") continue;
    hid_t dataset = H5Dopen2(g, name, H5P_DEFAULT);
    hid_t space = H5Dget_space(dataset);
    hsize_t dims[2] = {0, 0};
    H5Sget_simple_extent_dims(space, dims, nullptr);
    rows.push_back(dims[0]);
    H5Sclose(space);
    H5Dclose(dataset);
  }
  H5Gclose(g);
  H5Fclose(file);
  return rows;
}

// A finished or cleanly stopped run holds only real rows, so a plain read (h5py without
// count) sees no fill; a stopped run resumes and appends as before.
TEST(RunFileFinish, CutsEveryDatasetToItsCount) {
  for (RunStatus status : {RunStatus::Finished, RunStatus::Interrupted}) {
    const std::string path = temp_path("cut_" + run_status_name(status));
    {
      auto file = RunFile::create(path, make_info());
      for (int64_t i = 0; i < 3; ++i) file->append_iteration(make_iteration(i));
      file->append_evaluation(make_evaluation(0, 2));
      file->append_evaluation(make_evaluation(1, 3));
      file->finish(status, "done");
    }
    const size_t iterations = 3;
    for (hsize_t n : dataset_rows(path, "iterations")) EXPECT_EQ(n, iterations);
    for (hsize_t n : dataset_rows(path, "evaluations")) EXPECT_EQ(n, 2u);
    for (hsize_t n : dataset_rows(path, "evaluations/chains")) EXPECT_EQ(n, 5u);
    const RunSummary summary = read_run_file(path, true);
    EXPECT_EQ(summary.iterations.size(), iterations);
    EXPECT_EQ(summary.evaluations.at(1).chains.size(), 3u);
    if (status != RunStatus::Interrupted) continue;
    auto file = RunFile::open_for_resume(path);
    file->append_iteration(make_iteration(3));
    EXPECT_EQ(file->iterations().size(), 4u);
  }
}

TEST(RunFileCrash, ResumeAfterSigkillOfTheWriterMidRun) {
  const std::string path = temp_path("killed");
  pid_t writer = start_writer(path, false);
  wait_for_rows(path, 20, writer);
  // While the writer lives, nobody else may take the file over.
  try {
    RunFile::open_for_resume(path);
    ADD_FAILURE() << "resumed a file whose writer is alive";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("another process"), std::string::npos) << error.what();
  }
  kill_writer(writer);

  // What kill -9 leaves: the superblock still says "open for write"...
  EXPECT_TRUE(plain_write_open_refused(path));
  // ...and the file reads, with whole rows only.
  RunSummary summary = read_run_file(path, true);
  EXPECT_EQ(summary.status, RunStatus::Running);
  EXPECT_GE(summary.iterations.size(), 20u);
  expect_whole_rows(summary);

  // Resume, write, get killed again: three times over.
  size_t rows = summary.iterations.size();
  for (int round = 0; round < 3; ++round) {
    writer = start_writer(path, true);
    wait_for_rows(path, rows + 15 + 7 * round, writer);
    kill_writer(writer);
    summary = read_run_file(path, true);
    expect_whole_rows(summary);
    ASSERT_GE(summary.iterations.size(), rows + 15);
    rows = summary.iterations.size();
  }

  // Resuming cuts every dataset back to the trusted rows.
  RunFile::open_for_resume(path).reset();
  EXPECT_FALSE(plain_write_open_refused(path));  // a clean close cleared the flags
  for (hsize_t n : dataset_rows(path, "iterations")) EXPECT_EQ(n, rows);
  for (hsize_t n : dataset_rows(path, "evaluations")) EXPECT_EQ(n, summary.evaluations.size());
  {
    auto file = RunFile::open_for_resume(path);
    std::vector<IterationRow> back = file->iterations();
    ASSERT_EQ(back.size(), rows);
    file->append_iteration(make_iteration(static_cast<int64_t>(rows)));
  }
  summary = read_run_file(path, true);
  ASSERT_EQ(summary.iterations.size(), rows + 1);
  expect_whole_rows(summary);
}

TEST(RunFileCrash, HalfWrittenRowsAreDroppedOnResume) {
  const std::string path = temp_path("half_row");
  {
    auto file = RunFile::create(path, make_info());
    file->append_iteration(make_iteration(0));
    file->append_iteration(make_iteration(1));
    file->append_evaluation(make_evaluation(0, chains_of(0)));
  }
  // What a writer killed between the rows and the count leaves: every dataset one row longer
  // (with junk in it), the count unchanged; chains past the last evaluation's.
  {
    hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(file, 0);
    for (const std::string& group : {std::string("iterations"), std::string("evaluations"),
                                     std::string("evaluations/chains")}) {
      hid_t g = H5Gopen2(file, group.c_str(), H5P_DEFAULT);
      H5G_info_t info;
      H5Gget_info(g, &info);
      for (hsize_t i = 0; i < info.nlinks; ++i) {
        char name[256];
        H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
        H5O_info_t object;
        H5Oget_info_by_name(g, name, &object, H5P_DEFAULT);
        if (object.type != H5O_TYPE_DATASET || std::string(name) == "count") continue;
        hid_t dataset = H5Dopen2(g, name, H5P_DEFAULT);
        hid_t space = H5Dget_space(dataset);
        hsize_t dims[2] = {0, 0};
        int rank = H5Sget_simple_extent_dims(space, dims, nullptr);
        H5Sclose(space);
        dims[0] += 3;
        ASSERT_GE(H5Dset_extent(dataset, dims), 0);
        if (std::string(name) == "step" && rank == 1) {
          int64_t junk[3] = {999, 999, 999};
          hid_t file_space = H5Dget_space(dataset);
          hsize_t start = dims[0] - 3, count = 3;
          H5Sselect_hyperslab(file_space, H5S_SELECT_SET, &start, nullptr, &count, nullptr);
          hid_t memory = H5Screate_simple(1, &count, nullptr);
          H5Dwrite(dataset, H5T_NATIVE_INT64, memory, file_space, H5P_DEFAULT, junk);
          H5Sclose(memory);
          H5Sclose(file_space);
        }
        H5Dclose(dataset);
      }
      H5Gclose(g);
    }
    H5Fclose(file);
  }
  EXPECT_EQ(read_run_file(path).iterations.size(), 2u);  // readers trust the count
  RunFile::open_for_resume(path).reset();
  for (hsize_t n : dataset_rows(path, "iterations")) EXPECT_EQ(n, 2u);
  for (hsize_t n : dataset_rows(path, "evaluations")) EXPECT_EQ(n, 1u);
  for (hsize_t n : dataset_rows(path, "evaluations/chains")) {
    EXPECT_EQ(n, static_cast<hsize_t>(chains_of(0)));
  }
  {
    auto file = RunFile::open_for_resume(path);
    ASSERT_EQ(file->iterations().size(), 2u);
    file->append_iteration(make_iteration(2));
    file->append_evaluation(make_evaluation(1, chains_of(1)));
  }
  RunSummary summary = read_run_file(path, true);
  ASSERT_EQ(summary.iterations.size(), 3u);
  ASSERT_EQ(summary.evaluations.size(), 2u);
  expect_whole_rows(summary);
}

// A writer killed while it held the file open without SWMR (as open_for_resume does before it
// starts SWMR writing) leaves only the "write" flag: SWMR readers are refused by HDF5, so the
// reader falls back to ignoring the flags.
TEST(RunFileCrash, FileOfAKilledNonSwmrWriterStillReadsAndResumes) {
  const std::string path = temp_path("killed_plain");
  {
    auto file = RunFile::create(path, make_info());
    file->append_iteration(make_iteration(0));
  }
  pid_t pid = fork();
  if (pid == 0) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl);
    if (file < 0) _exit(4);
    std::FILE* marker = std::fopen((path + ".opened").c_str(), "w");
    std::fclose(marker);
    for (;;) pause();
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!std::filesystem::exists(path + ".opened") &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill_writer(pid);
  std::remove((path + ".opened").c_str());
  EXPECT_TRUE(plain_write_open_refused(path));
  RunSummary summary = read_run_file(path);
  ASSERT_EQ(summary.iterations.size(), 1u);
  expect_whole_rows(summary);
  {
    auto file = RunFile::open_for_resume(path);
    file->append_iteration(make_iteration(1));
  }
  EXPECT_EQ(read_run_file(path).iterations.size(), 2u);
}

TEST(RunFileCrash, H5clearFallbackClearsTheFlags) {
  if (std::system("command -v h5clear >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "h5clear not installed (package hdf5-tools)";
  }
  const std::string path = temp_path("killed_h5clear");
  pid_t writer = start_writer(path, false);
  wait_for_rows(path, 5, writer);
  kill_writer(writer);
  EXPECT_TRUE(plain_write_open_refused(path));
  setenv("GREATER_RUN_FILE_CLEAR_WITH_H5CLEAR", "1", 1);
  size_t rows = 0;
  try {
    auto file = RunFile::open_for_resume(path);
    rows = file->iterations().size();
    file->append_iteration(make_iteration(static_cast<int64_t>(rows)));
  } catch (...) {
    unsetenv("GREATER_RUN_FILE_CLEAR_WITH_H5CLEAR");
    throw;
  }
  unsetenv("GREATER_RUN_FILE_CLEAR_WITH_H5CLEAR");
  RunSummary summary = read_run_file(path, true);
  EXPECT_EQ(summary.iterations.size(), rows + 1);
  expect_whole_rows(summary);
}

}  // namespace
}  // namespace greater
