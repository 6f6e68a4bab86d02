// Create, append, read back, limits, status and the h5dump check of the run file.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "greater/common/error.h"
#include "greater/record/open_run.h"
#include "greater/record/run_file.h"
#include "record_test_support.h"

namespace greater {
namespace {

using record_test::expect_same;
using record_test::make_evaluation;
using record_test::make_info;
using record_test::make_iteration;
using record_test::temp_path;

// The Error's message, or "" when `f` does not throw greater::Error.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string run_command(const std::string& command, int* status) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) {
    *status = -1;
    return output;
  }
  std::array<char, 4096> buffer;
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  *status = pclose(pipe);
  return output;
}

TEST(RunFile, CreateAppendAndReadBackExactly) {
  const std::string path = temp_path("exact");
  std::vector<IterationRow> rows = {make_iteration(0), make_iteration(1), make_iteration(9)};
  std::vector<EvaluationRow> evaluations = {make_evaluation(0, 3), make_evaluation(1, 0),
                                            make_evaluation(2, 5)};
  {
    auto file = RunFile::create(path, make_info());
    EXPECT_EQ(file->path(), path);
    expect_same(file->info(), make_info());
    for (const IterationRow& row : rows) file->append_iteration(row);
    for (const EvaluationRow& row : evaluations) file->append_evaluation(row);

    std::vector<IterationRow> back = file->iterations();
    ASSERT_EQ(back.size(), rows.size());
    for (size_t i = 0; i < rows.size(); ++i) expect_same(back[i], rows[i]);
    std::vector<EvaluationRow> evals = file->evaluations();
    ASSERT_EQ(evals.size(), evaluations.size());
    for (size_t i = 0; i < evals.size(); ++i) {
      expect_same(evals[i], evaluations[i], false);
      EXPECT_TRUE(evals[i].chains.empty());
    }
    evals = file->evaluations(true);
    for (size_t i = 0; i < evals.size(); ++i) expect_same(evals[i], evaluations[i], true);
  }
  RunSummary summary = read_run_file(path, true);
  expect_same(summary.info, make_info());
  EXPECT_EQ(summary.status, RunStatus::Running);
  EXPECT_EQ(summary.status_message, "");
  ASSERT_EQ(summary.iterations.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) expect_same(summary.iterations[i], rows[i]);
  ASSERT_EQ(summary.evaluations.size(), evaluations.size());
  for (size_t i = 0; i < evaluations.size(); ++i) {
    expect_same(summary.evaluations[i], evaluations[i], true);
  }
  EXPECT_TRUE(read_run_file(path).evaluations[0].chains.empty());
  EXPECT_TRUE(run_file_exists(path));
  EXPECT_FALSE(run_file_exists(path + ".missing"));
}

TEST(RunFile, EmptyRowsAndFullRowsRoundTrip) {
  const std::string path = temp_path("edges");
  RunInfo info = make_info();
  info.attributes.clear();
  info.job_config = "";
  IterationRow empty;  // all vectors empty, stage_seconds not measured
  IterationRow full = make_iteration(0);
  full.prompt = std::string(64, 'x');
  full.prompt_ids.assign(8, 7);
  full.candidate_ids.assign(6, 1);
  full.candidate_gradients.assign(6, -0.0);
  {
    auto file = RunFile::create(path, info);
    file->append_iteration(empty);
    file->append_iteration(full);
  }
  RunSummary summary = read_run_file(path);
  EXPECT_TRUE(summary.info.attributes.empty());
  EXPECT_EQ(summary.info.job_config, "");
  ASSERT_EQ(summary.iterations.size(), 2u);
  const IterationRow& back = summary.iterations[0];
  EXPECT_TRUE(back.prompt.empty());
  EXPECT_TRUE(back.prompt_ids.empty());
  EXPECT_TRUE(back.candidate_ids.empty());
  EXPECT_TRUE(back.evaluated_score.empty());
  EXPECT_EQ(back.chosen_id, -1);
  EXPECT_TRUE(back.stage_seconds.empty());  // stored as NaN in every stage
  expect_same(summary.iterations[1], full);
}

TEST(RunFile, LimitsExceededAreErrorsNamingTheLimitAndLeaveTheFileUnchanged) {
  const std::string path = temp_path("limits");
  auto file = RunFile::create(path, make_info());
  file->append_iteration(make_iteration(0));

  struct Case {
    const char* limit;
    const char* dataset;
    IterationRow row;
  };
  std::vector<Case> cases;
  IterationRow row = make_iteration(1);
  row.prompt_ids.assign(9, 1);
  cases.push_back({"RunFileLimits::max_prompt_tokens = 8", "iterations/prompt_ids", row});
  row = make_iteration(1);
  row.next_prompt_ids.assign(9, 1);
  cases.push_back({"RunFileLimits::max_prompt_tokens = 8", "iterations/next_prompt_ids", row});
  row = make_iteration(1);
  row.candidate_ids.assign(7, 1);
  row.candidate_gradients.assign(7, 0.5);
  cases.push_back({"RunFileLimits::max_candidates = 6", "iterations/candidate_ids", row});
  row = make_iteration(1);
  row.evaluated_ids.assign(4, 1);
  for (auto* v : {&row.evaluated_mistake_rate, &row.evaluated_answer_ce, &row.evaluated_prompt_nll,
                  &row.evaluated_score}) {
    v->assign(4, 0.5);
  }
  cases.push_back({"RunFileLimits::max_evaluated = 3", "iterations/evaluated_ids", row});
  row = make_iteration(1);
  row.prompt = std::string(65, 'p');
  cases.push_back({"RunFileLimits::max_text_bytes = 64", "iterations/prompt", row});
  for (const Case& c : cases) {
    std::string message = error_of([&] { file->append_iteration(c.row); });
    EXPECT_NE(message.find(c.limit), std::string::npos) << message;
    EXPECT_NE(message.find(path + ":" + c.dataset), std::string::npos) << message;
  }

  row = make_iteration(1);
  row.candidate_gradients.pop_back();
  EXPECT_NE(error_of([&] { file->append_iteration(row); }).find("candidate_gradients"),
            std::string::npos);
  row = make_iteration(1);
  row.stage_seconds.push_back(1.0);
  EXPECT_NE(error_of([&] { file->append_iteration(row); }).find("stage_seconds"),
            std::string::npos);

  EvaluationRow evaluation = make_evaluation(0, 2);
  evaluation.chains[1].chain = std::string(129, 'c');
  std::string message = error_of([&] { file->append_evaluation(evaluation); });
  EXPECT_NE(message.find("RunFileLimits::max_chain_bytes = 128"), std::string::npos) << message;
  EXPECT_NE(message.find("evaluations/chains/chain"), std::string::npos) << message;
  evaluation = make_evaluation(0, 2);
  evaluation.split = "a-much-too-long-split";
  EXPECT_NE(error_of([&] { file->append_evaluation(evaluation); }).find("evaluations/split"),
            std::string::npos);

  // Nothing of the refused rows reached the file; appending goes on where it was.
  EXPECT_EQ(file->iterations().size(), 1u);
  EXPECT_TRUE(file->evaluations().empty());
  file->append_iteration(make_iteration(1));
  file->append_evaluation(make_evaluation(0, 2));
  file.reset();
  RunSummary summary = read_run_file(path, true);
  ASSERT_EQ(summary.iterations.size(), 2u);
  expect_same(summary.iterations[1], make_iteration(1));
  ASSERT_EQ(summary.evaluations.size(), 1u);
  expect_same(summary.evaluations[0], make_evaluation(0, 2), true);
}

TEST(RunFile, CreateOnAnExistingPathFailsAndKeepsTheFile) {
  const std::string path = temp_path("existing");
  {
    auto file = RunFile::create(path, make_info());
    file->append_iteration(make_iteration(0));
  }
  std::string message = error_of([&] { RunFile::create(path, make_info()); });
  EXPECT_NE(message.find(path), std::string::npos);
  EXPECT_NE(message.find("already exists"), std::string::npos) << message;
  EXPECT_EQ(read_run_file(path).iterations.size(), 1u);

  const std::string other = temp_path("not_hdf5");
  { std::ofstream(other) << "precious notes"; }
  EXPECT_NE(error_of([&] { RunFile::create(other, make_info()); }), "");
  std::ifstream in(other);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "precious notes");
  EXPECT_NE(error_of([&] { read_run_file(other); }).find(other), std::string::npos);
  EXPECT_NE(error_of([&] { read_run_file(other + ".missing"); }).find("no such run file"),
            std::string::npos);
  EXPECT_NE(error_of([&] { RunFile::open_for_resume(other + ".missing"); }), "");
}

TEST(RunFile, BadInfoIsRefusedBeforeAnyFileExists) {
  const std::string path = temp_path("bad_info");
  RunInfo info = make_info();
  info.attributes["status"] = "mine";
  EXPECT_NE(error_of([&] { RunFile::create(path, info); }).find("status"), std::string::npos);
  info = make_info();
  info.limits.max_candidates = 0;
  EXPECT_NE(error_of([&] { RunFile::create(path, info); }).find("max_candidates"),
            std::string::npos);
  EXPECT_FALSE(run_file_exists(path));
}

TEST(RunFile, StatusTransitions) {
  const std::string path = temp_path("status");
  {
    auto file = RunFile::create(path, make_info());
    file->append_iteration(make_iteration(0));
    file->set_status(RunStatus::Failed, "CUDA out of memory");
  }
  RunSummary summary = read_run_file(path);
  EXPECT_EQ(summary.status, RunStatus::Failed);
  EXPECT_EQ(summary.status_message, "CUDA out of memory");

  {  // a failed run may be resumed: it is running again and says what it was
    auto file = RunFile::open_for_resume(path);
    expect_same(file->info(), make_info());
    ASSERT_EQ(file->iterations().size(), 1u);
    file->append_iteration(make_iteration(1));
    file->set_status(RunStatus::Interrupted, "SIGTERM");
  }
  summary = read_run_file(path);
  EXPECT_EQ(summary.status, RunStatus::Interrupted);
  EXPECT_EQ(summary.iterations.size(), 2u);
  {
    auto file = RunFile::open_for_resume(path);
    file.reset();  // closing never changes the status
  }
  summary = read_run_file(path);
  EXPECT_EQ(summary.status, RunStatus::Running);
  EXPECT_EQ(summary.status_message, "resumed (previous status: interrupted)");
  {
    auto file = RunFile::open_for_resume(path);
    std::string long_message(5000, 'e');
    long_message += "é";
    file->set_status(RunStatus::Finished, long_message);
  }
  summary = read_run_file(path);
  EXPECT_EQ(summary.status, RunStatus::Finished);
  EXPECT_LE(summary.status_message.size(), 4096u);
  EXPECT_EQ(summary.status_message.substr(summary.status_message.size() - 3), "\xE2\x80\xA6");
  std::string message = error_of([&] { RunFile::open_for_resume(path); });
  EXPECT_NE(message.find("finished"), std::string::npos) << message;
  EXPECT_EQ(read_run_file(path).iterations.size(), 2u);

  EXPECT_EQ(run_status_from_name("interrupted"), RunStatus::Interrupted);
  EXPECT_NE(error_of([] { run_status_from_name("paused", "x.h5"); }).find("paused"),
            std::string::npos);
}

TEST(RunFile, ResumeAfterACleanCloseContinuesAppending) {
  const std::string path = temp_path("resume_clean");
  {
    auto file = RunFile::create(path, make_info());
    file->append_iteration(make_iteration(0));
    file->append_evaluation(make_evaluation(0, 2));
  }
  {
    auto file = RunFile::open_for_resume(path);
    ASSERT_EQ(file->iterations().size(), 1u);
    file->append_iteration(make_iteration(1));
    file->append_evaluation(make_evaluation(1, 3));
  }
  RunSummary summary = read_run_file(path, true);
  ASSERT_EQ(summary.iterations.size(), 2u);
  expect_same(summary.iterations[1], make_iteration(1));
  ASSERT_EQ(summary.evaluations.size(), 2u);
  expect_same(summary.evaluations[0], make_evaluation(0, 2), true);
  expect_same(summary.evaluations[1], make_evaluation(1, 3), true);
  EXPECT_EQ(summary.info.attributes, make_info().attributes);
}

TEST(RunFile, H5dumpParsesTheFile) {
  int status = 0;
  run_command("command -v h5dump >/dev/null 2>&1", &status);
  if (status != 0) GTEST_SKIP() << "h5dump not installed (package hdf5-tools)";
  const std::string path = temp_path("h5dump");
  {
    auto file = RunFile::create(path, make_info());
    file->append_iteration(make_iteration(0));
    file->append_evaluation(make_evaluation(0, 2));
  }
  std::string header = run_command("h5dump -H '" + path + "' 2>&1", &status);
  EXPECT_EQ(status, 0) << header;
  for (const char* expected : {"GROUP \"/\"", "ATTRIBUTE \"status\"", "GROUP \"iterations\"",
                               "DATASET \"candidate_gradients\"", "ATTRIBUTE \"stage_names\"",
                               "GROUP \"chains\"", "DATASET \"count\""}) {
    EXPECT_NE(header.find(expected), std::string::npos) << expected << "\n" << header;
  }
  std::string data = run_command("h5dump -d /iterations/step '" + path + "' 2>&1", &status);
  EXPECT_EQ(status, 0) << data;
}

// What --prompt_from starts from: the final evaluation's prompt, else where the iterations got
// to (a stopped run's only test evaluation is the baseline's), else the evaluated prompt.
TEST(RunFile, RecommendedPromptOfFinishedStoppedAndTransferRuns) {
  EvaluationRow baseline = make_evaluation(1, 0);  // a test evaluation
  baseline.step = -1;                               // of the initial prompt
  ASSERT_EQ(baseline.split, "test");
  const std::string stopped = temp_path("recommended_stopped");
  {
    auto file = RunFile::create(stopped, make_info());
    file->append_evaluation(baseline);
    file->append_iteration(make_iteration(0));
    file->append_iteration(make_iteration(1));
  }
  EXPECT_EQ(recommended_prompt(stopped), make_iteration(1).prompt);

  const std::string finished = temp_path("recommended_finished");
  EvaluationRow final_evaluation = make_evaluation(3, 0);  // step 2, test
  {
    auto file = RunFile::create(finished, make_info());
    file->append_evaluation(baseline);
    file->append_iteration(make_iteration(0));
    file->append_evaluation(final_evaluation);
  }
  EXPECT_EQ(recommended_prompt(finished), final_evaluation.prompt);

  const std::string transfer = temp_path("recommended_transfer");
  {
    auto file = RunFile::create(transfer, make_info());
    file->append_evaluation(baseline);
  }
  EXPECT_EQ(recommended_prompt(transfer), baseline.prompt);

  const std::string empty = temp_path("recommended_empty");
  RunFile::create(empty, make_info());
  EXPECT_THROW(recommended_prompt(empty), std::exception);
}

}  // namespace
}  // namespace greater
