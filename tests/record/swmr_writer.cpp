// Writer half of the h5py SWMR test (swmr_h5py_reader.py drives it): writes two rows, says so
// with a marker file, waits for the reader, writes a third row and an evaluation, waits again,
// then marks the run finished. Usage: record_swmr_writer <run.h5> <marker dir>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "greater/record/run_file.h"

namespace {

greater::IterationRow row(int64_t step) {
  greater::IterationRow r;
  r.step = step;
  r.position = 4;
  r.prompt = "Think step by step é " + std::to_string(step);
  r.prompt_ids = {10, 11, static_cast<int32_t>(12 + step)};
  r.candidate_ids = {500, 501};
  r.candidate_gradients = {-0.5, 0.25};
  r.evaluated_ids = {500};
  r.evaluated_mistake_rate = {0.25};
  r.evaluated_answer_ce = {1.5};
  r.evaluated_prompt_nll = {3.0};
  r.evaluated_score = {0.75};
  r.chosen_id = 500;
  r.chosen_score = 0.75;
  r.train_accuracy = 0.75;
  for (size_t k = 0; k < greater::stage_names().size(); ++k) r.stage_seconds.push_back(1.0 + k);
  r.tokens_generated = 100 * step;
  r.next_prompt_ids = {10, 11, 500};
  r.next_position = 5;
  r.initial_length = 3;
  return r;
}

void signal_marker(const std::filesystem::path& dir, const std::string& name) {
  std::ofstream(dir / name) << "1";
}

bool wait_marker(const std::filesystem::path& dir, const std::string& name) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!std::filesystem::exists(dir / name)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: record_swmr_writer <run.h5> <marker dir>\n");
    return 2;
  }
  const std::string path = argv[1];
  const std::filesystem::path dir = argv[2];
  try {
    greater::RunInfo info;
    info.job_config = "[job]\nname = \"swmr\"\n";
    info.seed = 42;
    info.world_size = 2;
    info.program_version = "test";
    info.model = "tiny";
    info.task = "navigate";
    info.attributes["note"] = "written by record_swmr_writer";
    info.limits.max_prompt_tokens = 8;
    info.limits.max_candidates = 4;
    info.limits.max_evaluated = 2;
    info.limits.max_text_bytes = 64;
    info.limits.max_chain_bytes = 256;
    auto file = greater::RunFile::create(path, info);
    file->append_iteration(row(0));
    file->append_iteration(row(1));
    signal_marker(dir, "written2");
    if (!wait_marker(dir, "read2")) return 3;
    file->append_iteration(row(2));
    greater::EvaluationRow evaluation;
    evaluation.step = 2;
    evaluation.split = "dev";
    evaluation.prompt = "final prompt";
    evaluation.prompt_ids = {10, 11, 500};
    evaluation.parse_accuracy = 0.5;
    evaluation.token_accuracy = 0.25;
    evaluation.n = 2;
    evaluation.chains = {{0, "first chain", "yes", true}, {7, "second chain", "no", false}};
    file->append_evaluation(evaluation);
    signal_marker(dir, "written3");
    if (!wait_marker(dir, "read3")) return 3;
    file->set_status(greater::RunStatus::Finished, "done");
  } catch (const std::exception& error) {
    std::fprintf(stderr, "record_swmr_writer: %s\n", error.what());
    return 1;
  }
  return 0;
}
