// Deterministic rows and run infos for the record tests, and exact comparisons.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "greater/record/run_file.h"

namespace greater::record_test {

// A fresh path under the build tree; any file left by an earlier run is removed.
inline std::string temp_path(const std::string& name) {
  std::filesystem::path dir =
      std::filesystem::path(GREATER_BINARY_DIR) / "tests" / "record" / "tmp";
  std::filesystem::create_directories(dir);
  std::filesystem::path path = dir / (name + ".h5");
  std::filesystem::remove(path);
  return path.string();
}

inline RunFileLimits small_limits() {
  RunFileLimits limits;
  limits.max_prompt_tokens = 8;
  limits.max_candidates = 6;
  limits.max_evaluated = 3;
  limits.max_text_bytes = 64;
  limits.max_chain_bytes = 128;
  return limits;
}

inline RunInfo make_info() {
  RunInfo info;
  info.job_config = "[job]\nname = \"bbh/navigate\"\nseed = 7\n# ünïcode ✓\n";
  info.seed = 9223372036854775813ull;  // above INT64_MAX: stored unsigned
  info.world_size = 4;
  info.program_version = "greater-dist 0.1.0 (test)";
  info.model = "models/tiny-llama";
  info.task = "tasks/navigate.json";
  info.attributes = {{"optimizer.top_k", "8"}, {"fix", "gemma-2 soft-cap"}};
  info.limits = small_limits();
  return info;
}

// Row `i` of a run: sizes and values vary with i, all within small_limits().
inline IterationRow make_iteration(int64_t i) {
  IterationRow row;
  row.step = i;
  row.position = 3 + i % 4;
  row.prompt = "Let's think step by step é " + std::to_string(i);
  for (int64_t k = 0; k < 1 + i % 8; ++k)
    row.prompt_ids.push_back(static_cast<int32_t>(100 + k + i));
  for (int64_t k = 0; k < 1 + i % 6; ++k) {
    row.candidate_ids.push_back(static_cast<int32_t>(5000 + 7 * k + i));
    row.candidate_gradients.push_back(-1.0 / 3.0 * static_cast<double>(k + 1) + 1e-9 * i);
  }
  for (int64_t k = 0; k < 1 + i % 3; ++k) {
    row.evaluated_ids.push_back(row.candidate_ids[static_cast<size_t>(k)]);
    row.evaluated_mistake_rate.push_back(0.125 * static_cast<double>(k));
    row.evaluated_answer_ce.push_back(1.5 + 0.1 * static_cast<double>(k + i));
    row.evaluated_prompt_nll.push_back(2.25 + 1.0 / static_cast<double>(k + 3));
    row.evaluated_score.push_back(0.7 - 0.01 * static_cast<double>(i + k));
  }
  row.chosen_id = row.evaluated_ids.front();
  row.chosen_score = row.evaluated_score.front();
  row.train_accuracy = 1.0 - row.evaluated_mistake_rate.front();
  for (size_t k = 0; k < stage_names().size(); ++k) {
    row.stage_seconds.push_back(0.5 + static_cast<double>(i) + 1.0 / static_cast<double>(k + 7));
  }
  row.tokens_generated = 1000 * i + 17;
  row.next_prompt_ids = row.prompt_ids;
  row.next_prompt_ids.back() = row.chosen_id;
  row.next_position = row.position + 1;
  row.initial_length = 5;
  return row;
}

inline EvaluationRow make_evaluation(int64_t i, int64_t n_chains) {
  EvaluationRow row;
  row.step = i - 1;
  row.split = i % 2 == 0 ? "dev" : "test";
  row.prompt = "prompt of evaluation " + std::to_string(i);
  row.prompt_ids = {1, 2, static_cast<int32_t>(i)};
  row.parse_accuracy = 0.5 + 0.01 * static_cast<double>(i);
  row.token_accuracy = 0.25;
  row.n = n_chains;
  for (int64_t k = 0; k < n_chains; ++k) {
    row.chains.push_back(EvaluatedChain{k * 3, "chain " + std::to_string(k) + " → reasoning",
                                        std::to_string(k % 4), k % 3 == 0});
  }
  return row;
}

inline void expect_same(const IterationRow& a, const IterationRow& b) {
  EXPECT_EQ(a.step, b.step);
  EXPECT_EQ(a.position, b.position);
  EXPECT_EQ(a.prompt, b.prompt);
  EXPECT_EQ(a.prompt_ids, b.prompt_ids);
  EXPECT_EQ(a.candidate_ids, b.candidate_ids);
  EXPECT_EQ(a.candidate_gradients, b.candidate_gradients);
  EXPECT_EQ(a.evaluated_ids, b.evaluated_ids);
  EXPECT_EQ(a.evaluated_mistake_rate, b.evaluated_mistake_rate);
  EXPECT_EQ(a.evaluated_answer_ce, b.evaluated_answer_ce);
  EXPECT_EQ(a.evaluated_prompt_nll, b.evaluated_prompt_nll);
  EXPECT_EQ(a.evaluated_score, b.evaluated_score);
  EXPECT_EQ(a.chosen_id, b.chosen_id);
  EXPECT_EQ(a.chosen_score, b.chosen_score);
  EXPECT_EQ(a.train_accuracy, b.train_accuracy);
  EXPECT_EQ(a.stage_seconds, b.stage_seconds);
  EXPECT_EQ(a.tokens_generated, b.tokens_generated);
  EXPECT_EQ(a.next_prompt_ids, b.next_prompt_ids);
  EXPECT_EQ(a.next_position, b.next_position);
  EXPECT_EQ(a.initial_length, b.initial_length);
}

inline void expect_same(const EvaluationRow& a, const EvaluationRow& b, bool chains) {
  EXPECT_EQ(a.step, b.step);
  EXPECT_EQ(a.split, b.split);
  EXPECT_EQ(a.prompt, b.prompt);
  EXPECT_EQ(a.prompt_ids, b.prompt_ids);
  EXPECT_EQ(a.parse_accuracy, b.parse_accuracy);
  EXPECT_EQ(a.token_accuracy, b.token_accuracy);
  EXPECT_EQ(a.n, b.n);
  if (!chains) return;
  ASSERT_EQ(a.chains.size(), b.chains.size());
  for (size_t k = 0; k < a.chains.size(); ++k) {
    EXPECT_EQ(a.chains[k].example_index, b.chains[k].example_index);
    EXPECT_EQ(a.chains[k].chain, b.chains[k].chain);
    EXPECT_EQ(a.chains[k].prediction, b.chains[k].prediction);
    EXPECT_EQ(a.chains[k].correct, b.chains[k].correct);
  }
}

inline void expect_same(const RunInfo& a, const RunInfo& b) {
  EXPECT_EQ(a.job_config, b.job_config);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.world_size, b.world_size);
  EXPECT_EQ(a.program_version, b.program_version);
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.task, b.task);
  EXPECT_EQ(a.attributes, b.attributes);
  EXPECT_EQ(a.limits.max_prompt_tokens, b.limits.max_prompt_tokens);
  EXPECT_EQ(a.limits.max_candidates, b.limits.max_candidates);
  EXPECT_EQ(a.limits.max_evaluated, b.limits.max_evaluated);
  EXPECT_EQ(a.limits.max_text_bytes, b.limits.max_text_bytes);
  EXPECT_EQ(a.limits.max_chain_bytes, b.limits.max_chain_bytes);
}

}  // namespace greater::record_test
