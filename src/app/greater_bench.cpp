// greater_bench: times real GReaTer iterations (the stages greater_dist runs) at a fixed chain
// length and compares them with this machine's floor, measured at startup.
//
//   greater_bench --config configs/models/smollm2_135m_shape.json --examples 16 --candidates 3
//                 --chain 128 --iterations 1 [--baseline]
//
// The last line is exactly "s_per_iteration=<x> floor_s=<y> mfu=<z>" (the fast path's figures).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <memory>

#include "cli_checks.h"
#include "bench_support.h"
#include "greater/common/error.h"
#include "greater/common/file_util.h"
#include "greater/model/runtime.h"
#include "greater/optimizer/greater_optimizer.h"
#include "greater/optimizer/proposal.h"
#include "greater/optimizer/single_process_communicator.h"

using namespace greater;

namespace {

struct BenchOptions {
  std::string config, model, device = "cpu", dtype = "float32", layout = "plain";
  std::string attention = "auto";  // auto, fused, written
  int64_t examples = 16, candidates = 3, chain = 128, iterations = 1;
  int64_t prompt_tokens = 16, question_tokens = 64, micro_batch = 0;
  int threads = 0;
  uint64_t seed = 1;
  bool baseline = false, decode_probe = true;
};

using Clock = std::chrono::steady_clock;

double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

// Seconds and counted work of each stage, summed over the iterations of one run.
struct StageTotals {
  std::vector<std::string> order;
  std::map<std::string, double> seconds;
  std::map<std::string, double> cpu_seconds;  // this process's CPU time: robust to other load
  std::map<std::string, ComputeCounter> work;
  int64_t iterations = 0;
  double total_seconds() const {
    double s = 0;
    for (const auto& [name, t] : seconds) s += t;
    return s;
  }
  double total_cpu_seconds() const {
    double s = 0;
    for (const auto& [name, t] : cpu_seconds) s += t;
    return s;
  }
  ComputeCounter total_work() const {
    ComputeCounter sum;
    for (const auto& [name, w] : work) sum = sum + w;
    return sum;
  }
};

struct Setup {
  std::unique_ptr<Transformer> model;
  std::unique_ptr<Tokenizer> tokenizer;
  std::unique_ptr<ChatLayout> layout;
  TaskSplits splits;
  TokenIds prompt;
  std::string extractor;
};

Setup make_setup(const BenchOptions& o, at::Device device, at::ScalarType dtype) {
  Setup s;
  if (!o.config.empty()) {
    const ModelConfig config = load_model_config(o.config);
    s.model = std::make_unique<Transformer>(Transformer::random(config, o.seed, device, dtype));
  } else {
    s.model = std::make_unique<Transformer>(Transformer::load(o.model, device, dtype));
  }
  const int64_t vocab = s.model->config().vocab_size;
  const std::string tokenizer_path = o.model.empty() ? "" : o.model + "/tokenizer.json";
  if (!tokenizer_path.empty() && file_exists(tokenizer_path))
    s.tokenizer = std::make_unique<Tokenizer>(Tokenizer::from_file(tokenizer_path));
  else
    s.tokenizer = std::make_unique<Tokenizer>(
        Tokenizer::from_json(synthetic_tokenizer_json(vocab), "synthetic word-level vocabulary"));
  s.layout = std::make_unique<ChatLayout>(*s.tokenizer, parse_chat_layout(o.layout));
  const WordSource words(*s.tokenizer, vocab, o.seed);
  for (int64_t i = 0; i < o.examples; ++i) {
    Example e;
    e.index = i;
    e.question = words.text(o.question_tokens);
    e.answer = e.target = words.text(1);
    s.splits.train.push_back(e);
  }
  s.prompt = s.layout->encode_prompt(words.text(o.prompt_tokens));
  s.extractor = words.text(3);
  return s;
}

SequenceRecipe make_recipe(const BenchOptions& o, const Setup& s, bool fast) {
  SequenceRecipe r;
  r.model = s.model.get();
  r.tokenizer = s.tokenizer.get();
  r.layout = s.layout.get();
  r.extractor = s.extractor;
  // No stop ids: every chain runs exactly --chain tokens.
  r.settings.max_new_tokens = o.chain;
  r.settings.iterations = o.iterations;
  r.settings.candidates_evaluated = o.candidates;
  r.settings.micro_batch = o.micro_batch > 0 ? o.micro_batch : o.examples;
  // Random weights (--config) give near-uniform next-token distributions whose top-k lists
  // rarely intersect across examples (at the Llama-3 shapes none did): the pool came out empty
  // and no candidate was evaluated, which no real run does. Pools drawn from single examples'
  // lists keep the work of an iteration that of a real run.
  r.settings.intersection_size =
      o.config.empty() ? std::min<int64_t>(r.settings.intersection_size, o.examples) : 1;
  r.settings.seed = o.seed;
  r.settings.fast_iteration = fast;
  return r;
}

// Runs o.iterations iterations with the straightforward or the fast stages. Out of memory,
// it halves the micro-batch and starts the run again.
StageTotals run_iterations(const BenchOptions& o, const Setup& s, bool fast, at::Device device) {
  SequenceRecipe recipe = make_recipe(o, s, fast);
  for (;;) {
    SingleProcessCommunicator comm;
    GreaterOptimizer optimizer(recipe, s.splits, AnswerFormat::FreeText, comm, nullptr);
    StageTotals totals;
    Clock::time_point last;
    double last_cpu = 0;
    ComputeCounter last_work;
    optimizer.set_stage_observer([&](const char* stage) {
      synchronize(device);
      const auto now = Clock::now();
      const std::string name = stage;
      if (name == "start") {
        ++totals.iterations;
      } else {
        if (!totals.seconds.count(name)) totals.order.push_back(name);
        totals.seconds[name] += std::chrono::duration<double>(now - last).count();
        totals.cpu_seconds[name] += process_cpu_seconds() - last_cpu;
        totals.work[name] = totals.work[name] + (compute_counter() - last_work);
      }
      last_work = compute_counter();
      last_cpu = process_cpu_seconds();
      last = Clock::now();
    });
    OptimizerState state = OptimizerState::from_rows({}, s.prompt);
    try {
      optimizer.optimize(state, nullptr);
      return totals;
    } catch (const c10::Error& e) {
      if (!is_out_of_memory(e) || recipe.settings.micro_batch == 1) throw;
      recipe.settings.micro_batch /= 2;
      std::cout << "out of memory: micro-batch down to " << recipe.settings.micro_batch << "\n";
    }
  }
}

void print_run(const char* label, const StageTotals& t, const MachineFloor& floor) {
  std::printf("\n[%s] %ld iteration(s)\n", label, long(t.iterations));
  std::printf("  %-10s %9s %9s %9s %6s %10s %9s %8s %9s\n", "stage", "s/iter", "cpu s", "GFLOP",
              "attn", "decode GB", "floor s", "of floor", "tokens/s");
  auto line = [&](const std::string& name, double seconds, double cpu, const ComputeCounter& w) {
    const double n = std::max<int64_t>(1, t.iterations);
    std::printf("  %-10s %9.3f %9.3f %9.2f %6.3f %10.3f %9.3f %8.3f %9.1f\n", name.c_str(),
                seconds / n, cpu / n, w.flops() / n / 1e9,
                w.flops() > 0 ? w.attention_flops / w.flops() : 0.0, w.decode_bytes / n / 1e9,
                w.floor_seconds / n, seconds > 0 ? w.floor_seconds / seconds : 0.0,
                seconds > 0 ? w.generated_tokens / seconds : 0.0);
  };
  for (const auto& name : t.order)
    line(name, t.seconds.at(name), t.cpu_seconds.at(name), t.work.at(name));
  const ComputeCounter total = t.total_work();
  line("iteration", t.total_seconds(), t.total_cpu_seconds(), total);
  std::printf("  MFU %.3f (%.1f GFLOP/s of %.1f peak)\n",
              total.flops() / (t.total_seconds() * floor.peak_flops_per_s),
              total.flops() / t.total_seconds() / 1e9, floor.peak_flops_per_s / 1e9);
}

int run(const BenchOptions& o) {
  const int threads = set_compute_threads(o.threads);
  const at::Device device = parse_device(o.device);
  const at::ScalarType dtype = parse_dtype(o.dtype, device);
  std::printf("device %s, %s, %d threads\n", device.str().c_str(), dtype_name(dtype).c_str(),
              threads);
  const MachineFloor floor = measure_floor(device, dtype);
  std::printf("floor: matmul peak %.1f GFLOP/s, copy bandwidth %.2f GB/s (measured)\n",
              floor.peak_flops_per_s / 1e9, floor.bandwidth_bytes_per_s / 1e9);
  compute_counter().peak_flops_per_s = floor.peak_flops_per_s;
  compute_counter().bandwidth_bytes_per_s = floor.bandwidth_bytes_per_s;

  const Setup setup = make_setup(o, device, dtype);
  if (o.attention != "auto") setup.model->set_fused_attention(o.attention == "fused");
  const ModelConfig& c = setup.model->config();
  std::printf(
      "model: %ld parameters, hidden %ld, %ld layers, %ld heads (%ld kv), ffn %ld, vocab %ld\n",
      long(setup.model->parameter_count()), long(c.hidden_size), long(c.num_layers),
      long(c.num_heads), long(c.num_kv_heads), long(c.intermediate_size), long(c.vocab_size));
  std::printf("attention: %s\n",
              !setup.model->fused_attention() ? "written out"
              : c.attn_logit_softcap > 0      ? "written out (soft-capped logits)"
                                              : "fused (scaled_dot_product_attention)");
  const SequenceRecipe recipe = make_recipe(o, setup, true);
  std::printf(
      "examples %ld (prefix %ld tokens each), prompt %ld tokens, candidates %ld, "
      "chain %ld, micro-batch %ld\n",
      long(o.examples), long(recipe.prefix(setup.splits.train[0], setup.prompt).size()),
      long(setup.prompt.size()), long(o.candidates), long(o.chain),
      long(recipe.settings.micro_batch));

  if (o.decode_probe) {
    for (int64_t batch : {int64_t(1), std::min<int64_t>(16, o.examples)}) {
      const DecodeProbe p = probe_decode(recipe, setup.splits.train, setup.prompt, batch, device);
      std::printf("decode probe, batch %ld: %.1f tokens/s, %.3f of the bandwidth floor, MFU %.3f\n",
                  long(batch), p.tokens_per_s, p.fraction_of_floor, p.mfu);
    }
  }
  StageTotals baseline;
  if (o.baseline) {
    baseline = run_iterations(o, setup, false, device);
    print_run("straightforward", baseline, floor);
  }
  const StageTotals fast = run_iterations(o, setup, true, device);
  print_run("fast", fast, floor);
  const auto selection = fast.work.find("selection");
  if (selection == fast.work.end() || selection->second.generated_tokens == 0)
    std::printf("warning: no candidate chain was decoded: the proposal pools were empty, so these "
                "iterations did less work than a real run's\n");
  const double n = std::max<int64_t>(1, fast.iterations);
  const ComputeCounter work = fast.total_work();
  if (o.baseline)
    std::printf("\nspeed-up over straightforward: %.2fx wall-clock, %.2fx process CPU time\n",
                baseline.total_seconds() / fast.total_seconds(),
                baseline.total_cpu_seconds() / fast.total_cpu_seconds());
  std::printf("s_per_iteration=%.4f floor_s=%.4f mfu=%.4f\n", fast.total_seconds() / n,
              work.floor_seconds / n,
              work.flops() / (fast.total_seconds() * floor.peak_flops_per_s));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Time GReaTer iterations against the machine's floor"};
  BenchOptions o;
  auto* source = app.add_option_group("model source");
  source->add_option("--config", o.config, "config.json of a random-weight model");
  source->add_option("--model", o.model, "model folder (with tokenizer.json, else synthetic)");
  source->require_option(1);
  app.add_option("--examples", o.examples, "train examples")->check(kPositiveInteger);
  app.add_option("--candidates", o.candidates, "candidates evaluated")->check(kPositiveInteger);
  app.add_option("--chain", o.chain, "reasoning chain length (fixed)")->check(kPositiveInteger);
  app.add_option("--iterations", o.iterations, "iterations timed")->check(kPositiveInteger);
  app.add_option("--prompt-tokens", o.prompt_tokens, "initial prompt length")
      ->check(kPositiveInteger);
  app.add_option("--question-tokens", o.question_tokens, "question length")
      ->check(kPositiveInteger);
  app.add_option("--micro-batch", o.micro_batch, "examples per batch (default: all)");
  app.add_option("--device", o.device, "cpu, cuda, cuda:N");
  app.add_option("--dtype", o.dtype, "float32, bfloat16, float16");
  app.add_option("--attention", o.attention,
                 "auto (fused on CUDA where LibTorch >= 2.5), fused, written")
      ->check(CLI::IsMember({"auto", "fused", "written"}));
  app.add_option("--threads", o.threads, "compute threads (0: all cores)");
  app.add_option("--layout", o.layout, "chat layout: plain, llama-3, gemma-2");
  app.add_option("--seed", o.seed, "weights, questions and prompt");
  app.add_flag("--baseline", o.baseline, "also time the straightforward stages, first");
  app.add_flag("!--no-decode-probe", o.decode_probe, "skip the batch-1/batch-16 decode probe");
  CLI11_PARSE(app, argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows while a long run goes on
  try {
    return run(o);
  } catch (const Error& e) {
    std::cerr << "greater_bench: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "greater_bench: internal error: " << e.what() << "\n";
  }
  return 1;
}
