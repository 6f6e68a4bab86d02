// greater_generate: load a Hugging Face model folder (or a GGUF file) and greedy-generate, to check
// what a model does with a prompt (and how fast).
//
//   greater_generate --model DIR --text "Q : start 3 , step1 + 4 . A :"
//   greater_generate --model DIR --layout llama-3 --question "..." --prompt "Let's think."
//   greater_generate --model models/smollm2-135m-instruct --layout chatml --question "..."
//   greater_generate --model DIR --ids "1 5 9" --max-new-tokens 64 --compare-no-cache
#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>
#include <sstream>

#include "cli_checks.h"
#include "greater/common/error.h"
#include "greater/common/file_util.h"
#include "greater/model/generation.h"
#include "greater/model/gguf_model.h"
#include "greater/model/model_tokenizer.h"
#include "greater/model/runtime.h"
#include "greater/tokenizer/chat_layout.h"
#include "greater/tokenizer/tokenizer.h"

using namespace greater;

namespace {

struct Options {
  std::string model, text, question, prompt, layout = "plain", ids, device = "auto", dtype = "auto";
  int64_t max_new_tokens = 128;
  int batch = 1;
  int threads = 0;
  bool no_cache = false, compare_no_cache = false, show_ids = false;
};

TokenIds parse_ids(const std::string& text) {
  TokenIds ids;
  std::istringstream in(text);
  std::string word;
  while (in >> word) {
    int64_t id = -1;
    try {
      id = std::stoll(word);
    } catch (const std::exception&) {
      throw Error("--ids", "'" + word + "' is not a token id");
    }
    ids.push_back(checked_token_id(id, "--ids"));
  }
  if (ids.empty()) throw Error("--ids", "no token ids given");
  return ids;
}

// Runs generation and prints the time; returns the sequences.
std::vector<GeneratedSequence> timed_generation(const Transformer& model,
                                                const std::vector<TokenIds>& prompts,
                                                const GenerationOptions& options,
                                                const std::string& label) {
  const auto start = std::chrono::steady_clock::now();
  auto out = generate_greedy(model, prompts, options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int64_t tokens = 0;
  for (const auto& s : out) tokens += s.tokens.size() + (s.stopped ? 1 : 0);
  std::cerr << label << ": " << tokens << " tokens in " << seconds << " s = " << tokens / seconds
            << " tokens/s (batch " << prompts.size() << ")\n";
  return out;
}

int run(const Options& o) {
  const int threads = set_compute_threads(o.threads);
  const at::Device device = parse_device(o.device);
  const at::ScalarType dtype = parse_dtype(o.dtype, device);
  const Transformer model = Transformer::load(o.model, device, dtype);
  std::cerr << "model " << o.model << ": " << model.parameter_count() << " parameters, "
            << dtype_name(dtype) << " on " << device << ", " << threads << " threads\n";

  std::unique_ptr<Tokenizer> tokenizer;
  if (o.ids.empty()) tokenizer = std::make_unique<Tokenizer>(load_tokenizer(o.model));

  TokenIds prompt;
  GenerationOptions options;
  options.max_new_tokens = o.max_new_tokens;
  options.use_kv_cache = !o.no_cache;
  for (int64_t id : model.config().eos_token_ids)
    options.stop_ids.push_back(checked_token_id(id, "config.json: eos_token_id"));
  if (!o.ids.empty()) {
    prompt = parse_ids(o.ids);
  } else if (!o.question.empty()) {
    const ChatLayout layout(*tokenizer, parse_chat_layout(o.layout), read_chat_template(o.model));
    prompt = layout.build_prefix(o.question, tokenizer->encode(o.prompt)).ids;
    for (TokenId id : layout.stop_ids()) options.stop_ids.push_back(id);
  } else {
    prompt = tokenizer->encode(o.text, true);
  }
  for (int64_t id : prompt)
    if (id < 0 || id >= model.config().vocab_size)
      throw Error("prompt", "token id " + std::to_string(id) + " is outside the vocabulary of " +
                                std::to_string(model.config().vocab_size));

  const std::vector<TokenIds> prompts(o.batch, prompt);
  const auto out =
      timed_generation(model, prompts, options, o.no_cache ? "no KV cache" : "KV cache");
  if (o.compare_no_cache) {
    GenerationOptions recompute = options;
    recompute.use_kv_cache = false;
    const auto again = timed_generation(model, prompts, recompute, "no KV cache");
    if (again[0].tokens != out[0].tokens) throw Error("--compare-no-cache", "outputs differ");
    std::cerr << "same tokens with and without the KV cache\n";
  }
  const TokenIds& generated = out[0].tokens;
  if (tokenizer) {
    std::cout << tokenizer->decode(TokenIds(generated.begin(), generated.end())) << "\n";
  }
  if (o.show_ids || !tokenizer) {
    for (size_t i = 0; i < generated.size(); ++i) std::cout << (i ? " " : "") << generated[i];
    std::cout << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Greedy generation with a Hugging Face model folder"};
  Options o;
  app.add_option("--model", o.model,
                 "model folder (config.json, *.safetensors, tokenizer.json), a .gguf file or a "
                 "folder holding one")
      ->required();
  auto* text = app.add_option("--text", o.text, "raw text to continue (tokenizer adds BOS)");
  auto* question = app.add_option("--question", o.question, "question for a chat layout");
  app.add_option("--prompt", o.prompt, "instruction appended to the question")->needs(question);
  app.add_option("--layout", o.layout, "chat layout: llama-3, gemma-2, chatml, plain")
      ->check(CLI::IsMember({"llama-3", "gemma-2", "chatml", "plain"}));
  auto* ids = app.add_option("--ids", o.ids, "prompt as token ids, \"1 2 3\" (no tokenizer)");
  text->excludes(question)->excludes(ids);
  question->excludes(ids);
  app.add_option("--max-new-tokens", o.max_new_tokens, "tokens to generate at most")
      ->check(kPositiveInteger);
  app.add_option("--batch", o.batch, "run the prompt this many times as one batch")
      ->check(kPositiveInteger);
  app.add_option("--threads", o.threads, "intra-op threads (0: cores / local ranks)");
  app.add_option("--device", o.device, "cpu, cuda, cuda:N or auto");
  app.add_option("--dtype", o.dtype, "float32, bfloat16, float16 or auto");
  app.add_flag("--no-cache", o.no_cache, "recompute the whole sequence at every step");
  app.add_flag("--compare-no-cache", o.compare_no_cache,
               "also generate without the KV cache and compare speed and tokens");
  app.add_flag("--show-ids", o.show_ids, "print generated token ids too");
  CLI11_PARSE(app, argc, argv);
  if (o.text.empty() && o.question.empty() && o.ids.empty()) {
    std::cerr << "greater_generate: give --text, --question or --ids\n";
    return 2;
  }
  try {
    return run(o);
  } catch (const Error& e) {
    std::cerr << "greater_generate: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "greater_generate: internal error: " << e.what() << "\n";
  }
  return 1;
}
