// greater_make_model: a random-weight model folder of any shape, from a config.json, for
// benchmarks and tests. Seeded: the same seed gives the same weights.
//
//   greater_make_model --config configs/models/llama_10m.json --out /tmp/llama10m --seed 1
#include <sys/stat.h>
#include <CLI/CLI.hpp>

#include <iostream>

#include "greater/common/error.h"
#include "greater/model/runtime.h"
#include "greater/model/transformer.h"

using namespace greater;

int main(int argc, char** argv) {
  CLI::App app{"Make a random-weight model folder from a config.json"};
  std::string config_path, out;
  uint64_t seed = 0;
  app.add_option("--config", config_path, "config.json giving the shape")->required();
  app.add_option("--out", out, "folder to write config.json and model.safetensors into")
      ->required();
  app.add_option("--seed", seed, "weight initialization seed");
  CLI11_PARSE(app, argc, argv);
  try {
    set_compute_threads(0);
    const ModelConfig config = load_model_config(config_path);
    if (::mkdir(out.c_str(), 0755) != 0 && errno != EEXIST)
      throw Error(out, "cannot create the output folder");
    const Transformer model = Transformer::random(config, seed, at::kCPU, at::kFloat);
    model.save(out);
    std::cout << out << ": " << model.parameter_count() << " parameters (seed " << seed << ")\n";
    return 0;
  } catch (const Error& e) {
    std::cerr << "greater_make_model: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "greater_make_model: internal error: " << e.what() << "\n";
  }
  return 1;
}
