#include "bench_support.h"

#include <algorithm>
#include <chrono>

#include "greater/common/error.h"
#include "greater/common/random.h"
#include "greater/demo/model_folder_files.h"
#include "greater/model/compute_counter.h"
#include "greater/optimizer/proposal.h"

namespace greater {

void synchronize(at::Device device) {
  // Copying a value to the host waits for everything queued before it on the device.
  if (!device.is_cpu()) at::zeros({1}, at::TensorOptions().device(device)).item<float>();
}

namespace {

// Best rate of `work` units per second over a few timed batches of `reps` calls.
template <typename F>
double best_rate(at::Device device, double work_per_call, int reps, F&& call) {
  call();  // warm-up: allocations, kernel selection
  synchronize(device);
  double best = 0;
  for (int round = 0; round < 3; ++round) {
    const auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) call();
    synchronize(device);
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::max(best, work_per_call * reps / s);
  }
  return best;
}

}  // namespace

MachineFloor measure_floor(at::Device device, at::ScalarType dtype) {
  c10::InferenceMode inference;
  MachineFloor floor;
  const bool gpu = !device.is_cpu();
  const int64_t n = gpu ? 8192 : 1024;
  const auto options = at::TensorOptions().device(device).dtype(dtype);
  const at::Tensor a = at::randn({n, n}, options), b = at::randn({n, n}, options);
  at::Tensor c = at::empty({n, n}, options);
  floor.peak_flops_per_s =
      best_rate(device, 2.0 * n * n * n, gpu ? 20 : 4, [&] { at::mm_out(c, a, b); });
  // Larger than any cache: 4 GiB on a GPU, 256 MiB on the CPU.
  const int64_t bytes = gpu ? (int64_t(4) << 30) : (int64_t(256) << 20);
  const auto byte_options = at::TensorOptions().device(device).dtype(at::kByte);
  const at::Tensor source = at::ones({bytes}, byte_options);
  at::Tensor target = at::empty({bytes}, byte_options);
  floor.bandwidth_bytes_per_s =
      best_rate(device, 2.0 * bytes, gpu ? 10 : 3, [&] { target.copy_(source); });
  return floor;
}

DecodeProbe probe_decode(const SequenceRecipe& recipe, const std::vector<Example>& examples,
                         const TokenIds& prompt, int64_t batch, at::Device device) {
  std::vector<TokenIds> prefixes;
  for (int64_t b = 0; b < batch; ++b)
    prefixes.push_back(recipe.prefix(examples[b % examples.size()], prompt));
  GenerationOptions options;
  options.max_new_tokens = std::min<int64_t>(recipe.settings.max_new_tokens, 128);
  synchronize(device);
  const ComputeCounter before = compute_counter();
  const auto start = std::chrono::steady_clock::now();
  generate_greedy(*recipe.model, prefixes, options);
  synchronize(device);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const ComputeCounter work = compute_counter() - before;
  DecodeProbe probe;
  probe.tokens_per_s = work.generated_tokens / s;
  probe.fraction_of_floor = work.floor_seconds / s;
  probe.mfu = work.flops() / (s * compute_counter().peak_flops_per_s);
  return probe;
}

static std::string word_of(int64_t n) {
  // Bijective base 26: a..z, aa..zz, aaa..: distinct, letters only.
  std::string w;
  for (++n; n > 0; n = (n - 1) / 26) w.insert(w.begin(), char('a' + (n - 1) % 26));
  return w;
}

std::string synthetic_tokenizer_json(int64_t vocab) {
  if (vocab < 16) throw Error("config.json", "vocab_size below 16 leaves no words to run on");
  demo::Words words{"<pad>", "<unk>", "<bos>", "<eos>"};
  for (int64_t n = 0; static_cast<int64_t>(words.size()) < vocab; ++n) words.push_back(word_of(n));
  return demo::wordlevel_tokenizer_json(demo::Vocabulary(words));
}

WordSource::WordSource(const Tokenizer& tokenizer, int64_t model_vocab, uint64_t seed)
    : tokenizer_(tokenizer), seed_(seed) {
  const std::vector<bool> allowed = allowed_prompt_tokens(tokenizer, model_vocab);
  for (size_t id = 0; id < allowed.size(); ++id) {
    // Words only: "." and "," are allowed prompt tokens but would end sentences early.
    if (!allowed[id]) continue;
    const std::string text = tokenizer.decode({static_cast<TokenId>(id)});
    if (text.find_first_not_of(' ') != std::string::npos && text != "." && text != ",")
      words_.push_back(static_cast<TokenId>(id));
  }
  if (words_.empty()) throw Error("tokenizer", "has no word tokens to build questions from");
}

std::string WordSource::text(int64_t words) const {
  SplitMix64 rng(seed_, draws_++, 77);
  TokenIds ids;
  for (int64_t i = 0; i < words; ++i) ids.push_back(words_[rng.below(words_.size())]);
  return tokenizer_.decode(ids);
}

}  // namespace greater
