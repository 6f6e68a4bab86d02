#include "greater/demo/trainer.h"

#include <torch/optim/adamw.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <ostream>

#include "greater/common/error.h"
#include "greater/demo/evaluator.h"
#include "greater/demo/instruction_grammar.h"
#include "greater/demo/training_data.h"

namespace greater::demo {

namespace {

constexpr int64_t kIgnore = -100;  // target of padded positions

std::string duration_text(double seconds) {
  const int s = static_cast<int>(seconds + 0.5);
  char text[32];
  std::snprintf(text, sizeof text, "%dm%02ds", s / 60, s % 60);
  return text;
}

double learning_rate(const TrainOptions& o, int64_t step) {
  if (step < o.warmup) return o.lr * (step + 1) / o.warmup;
  const double progress =
      static_cast<double>(step - o.warmup) / std::max<int64_t>(1, o.steps - o.warmup);
  const double cosine = 0.5 * (1.0 + std::cos(M_PI * std::min(1.0, progress)));
  return o.lr * (o.min_lr_ratio + (1.0 - o.min_lr_ratio) * cosine);
}

// Right-padded inputs [B, T-1] and shifted targets [B, T-1] (padding -> kIgnore).
std::pair<at::Tensor, at::Tensor> batch_tensors(const std::vector<TrainingExample>& batch,
                                                int64_t* real_tokens) {
  size_t longest = 0;
  for (const auto& e : batch) longest = std::max(longest, e.ids.size());
  const int64_t rows = batch.size(), width = longest - 1;
  std::vector<int64_t> inputs(rows * width, Vocabulary::kPad), targets(rows * width, kIgnore);
  for (int64_t b = 0; b < rows; ++b) {
    const auto& ids = batch[b].ids;
    for (size_t t = 0; t + 1 < ids.size(); ++t) {
      inputs[b * width + t] = ids[t];
      targets[b * width + t] = ids[t + 1];
    }
    *real_tokens += ids.size();
  }
  return {at::tensor(inputs, at::kLong).view({rows, width}),
          at::tensor(targets, at::kLong).view({rows, width})};
}

void clip_gradients(const std::vector<at::Tensor>& params, double max_norm) {
  double total = 0;
  for (const auto& p : params)
    if (p.grad().defined()) total += p.grad().pow(2).sum().item<double>();
  const double norm = std::sqrt(total);
  if (norm > max_norm)
    for (const auto& p : params)
      if (p.grad().defined()) p.grad().mul_(max_norm / (norm + 1e-6));
}

void log_evaluation(const Transformer& model, const Vocabulary& vocab,
                    const std::vector<TaskFamily>& families,
                    const std::vector<std::vector<Problem>>& problems, int64_t step,
                    std::ostream& log) {
  // The poor and the good instruction, and one in between; the full table comes at the end.
  const std::vector<std::string> instructions{kPoorInstruction, "please show the work .",
                                              kGoodInstruction};
  const auto rows = accuracy_table(model, vocab, families, problems, instructions);
  for (const auto& row : rows) {
    char line[256];
    std::snprintf(line, sizeof line, "eval step %lld  %-10s  acc %.3f  step-by-step %.2f  \"%s\"",
                  static_cast<long long>(step), row.family.c_str(), row.result.accuracy(),
                  row.result.step_by_step_rate(), row.instruction.c_str());
    log << line << "\n";
  }
  log.flush();
}

}  // namespace

ModelConfig demo_model_config(const TrainOptions& o, const Vocabulary& vocab) {
  if (o.hidden % o.head_dim != 0)
    throw Error("--hidden", std::to_string(o.hidden) + " is not a multiple of the head size " +
                                std::to_string(o.head_dim));
  ModelConfig c;
  c.model_type = "llama";
  c.family = ModelFamily::Llama;
  c.vocab_size = vocab.size();
  c.hidden_size = o.hidden;
  c.intermediate_size = o.ffn > 0 ? o.ffn : 3 * o.hidden;
  c.num_layers = o.layers;
  c.num_heads = o.hidden / o.head_dim;
  c.num_kv_heads = c.num_heads;
  c.head_dim = o.head_dim;
  c.max_position_embeddings = 256;
  c.rms_norm_eps = 1e-5;
  c.rope.theta = 10000.0;
  c.tie_word_embeddings = true;
  c.hidden_act = "silu";
  c.layer_uses_sliding.assign(o.layers, false);
  c.bos_token_id = Vocabulary::kBos;
  c.eos_token_ids = {Vocabulary::kEos};
  c.pad_token_id = Vocabulary::kPad;
  c.torch_dtype = "float32";
  return c;
}

namespace {

// Random weights, or those of o.init when training continues an earlier run; the folder must
// hold a model of the shape the options ask for, on today's vocabulary.
Transformer initial_model(const TrainOptions& o, const Vocabulary& vocab) {
  const ModelConfig want = demo_model_config(o, vocab);
  if (o.init.empty()) return Transformer::random(want, o.seed, at::kCPU, at::kFloat);
  Transformer model = Transformer::load(o.init, at::kCPU, at::kFloat);
  const ModelConfig& have = model.config();
  auto check = [&](const char* field, int64_t got, int64_t expected) {
    if (got != expected)
      throw Error(o.init + "/config.json", std::string(field) + " is " + std::to_string(got) +
                                               ", the training options need " +
                                               std::to_string(expected));
  };
  check("vocab_size", have.vocab_size, want.vocab_size);
  check("hidden_size", have.hidden_size, want.hidden_size);
  check("num_hidden_layers", have.num_layers, want.num_layers);
  check("intermediate_size", have.intermediate_size, want.intermediate_size);
  check("num_attention_heads", have.num_heads, want.num_heads);
  return model;
}

}  // namespace

TrainResult train_demo_model(const TrainOptions& o, const Vocabulary& vocab, std::ostream& log) {
  if (o.steps < 1 || o.batch < 1) throw Error("--steps/--batch", "must be positive");
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  Transformer model = initial_model(o, vocab);
  std::vector<at::Tensor> matrices, vectors, all;
  for (at::Tensor p : model.parameters()) {
    p.requires_grad_(true);
    (p.dim() >= 2 ? matrices : vectors).push_back(p);
    all.push_back(p);
  }
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(
      matrices,
      std::make_unique<torch::optim::AdamWOptions>(
          torch::optim::AdamWOptions(o.lr).betas({0.9, 0.98}).weight_decay(o.weight_decay)));
  groups.emplace_back(vectors,
                      std::make_unique<torch::optim::AdamWOptions>(
                          torch::optim::AdamWOptions(o.lr).betas({0.9, 0.98}).weight_decay(0)));
  torch::optim::AdamW optimizer(groups, torch::optim::AdamWOptions(o.lr));

  // Held-out questions: excluded from training; the first eval_questions are evaluated.
  std::vector<Problem> excluded;
  std::vector<std::vector<Problem>> eval_sets;
  for (TaskFamily f : o.families) {
    auto held_out = held_out_problems(f, o.task_count, o.task_seed);
    excluded.insert(excluded.end(), held_out.begin(), held_out.end());
    held_out.resize(std::min<size_t>(held_out.size(), o.eval_questions));
    eval_sets.push_back(std::move(held_out));
  }
  TrainingStream stream(vocab, o.families, o.seed, excluded, o.family_weights);

  log << "demo model: " << model.parameter_count() << " parameters (" << o.layers
      << " layers, d=" << o.hidden << ", " << o.hidden / o.head_dim << " heads, ffn "
      << model.config().intermediate_size << ", vocab " << vocab.size() << "), " << o.steps
      << " steps of " << o.batch << " sequences, lr " << o.lr << ", seed " << o.seed
      << (o.init.empty() ? std::string() : ", weights from " + o.init) << "\n";

  int64_t tokens = 0;
  std::deque<std::vector<TrainingExample>> pending;
  std::deque<double> recent;  // losses since the last progress line
  double window_tokens = 0, window_start = 0;
  std::vector<double> first_losses;
  std::deque<double> last_losses;
  for (int64_t step = 0; step < o.steps; ++step) {
    if (pending.empty())
      for (auto& b : stream.next_batches(o.length_groups, o.batch)) pending.push_back(std::move(b));
    const std::vector<TrainingExample> batch = std::move(pending.front());
    pending.pop_front();

    const double lr = learning_rate(o, step);
    for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);

    int64_t real_tokens = 0;
    const auto [inputs, targets] = batch_tensors(batch, &real_tokens);
    const at::Tensor logits = model.forward_ids(inputs);  // [B, T, vocab]
    const at::Tensor loss =
        at::cross_entropy_loss(logits.reshape({-1, logits.size(-1)}), targets.reshape({-1}), {},
                               at::Reduction::Mean, kIgnore);
    optimizer.zero_grad();
    loss.backward();
    clip_gradients(all, o.clip_norm);
    optimizer.step();

    const double loss_value = loss.item<double>();
    if (!std::isfinite(loss_value))
      throw Error("training", "loss became " + std::to_string(loss_value) + " at step " +
                                  std::to_string(step + 1) + "; lower --lr");
    tokens += real_tokens;
    window_tokens += real_tokens;
    recent.push_back(loss_value);
    if (first_losses.size() < 20) first_losses.push_back(loss_value);
    last_losses.push_back(loss_value);
    if (last_losses.size() > 20) last_losses.pop_front();

    const int64_t done = step + 1;
    if (done % o.log_every == 0 || done == o.steps) {
      double mean = 0;
      for (double l : recent) mean += l;
      mean /= recent.size();
      const double now = elapsed();
      const double rate = window_tokens / std::max(1e-9, now - window_start);
      char line[256];
      std::snprintf(line, sizeof line,
                    "step %lld/%lld  loss %.4f  lr %.2e  %.1fk tok/s  %.1fM tokens  %s  eta %s",
                    static_cast<long long>(done), static_cast<long long>(o.steps), mean, lr,
                    rate / 1000, tokens / 1e6, duration_text(now).c_str(),
                    duration_text(now / done * (o.steps - done)).c_str());
      log << line << std::endl;
      recent.clear();
      window_tokens = 0;
      window_start = now;
    }
    if (o.eval_every > 0 && (done % o.eval_every == 0 || done == o.steps)) {
      log_evaluation(model, vocab, o.families, eval_sets, done, log);
      window_start = elapsed();  // the progress rate counts training only
    }
  }
  auto mean_of = [](const auto& v) {
    double s = 0;
    for (double x : v) s += x;
    return v.empty() ? 0.0 : s / v.size();
  };
  const TrainResult result{model, mean_of(first_losses), mean_of(last_losses), tokens, elapsed()};
  log << "trained " << tokens << " tokens in " << duration_text(result.seconds) << " (skipped "
      << stream.skipped_held_out() << " held-out questions drawn by chance)\n";
  return result;
}

}  // namespace greater::demo
