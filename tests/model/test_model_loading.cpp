// Loading model folders: dtypes, shards, and every way a folder can disagree with config.json.
#include <gtest/gtest.h>

#include <cstdlib>

#include "greater/common/error.h"
#include "greater/common/file_util.h"
#include "greater/model/safetensors.h"
#include "greater/model/tensor_convert.h"
#include "greater/model/transformer.h"

using namespace greater;

namespace {

const std::string kLlama = std::string(GREATER_SOURCE_DIR) + "/tests/fixtures/models/llama_tiny";

// A writable copy of the tiny Llama whose tensors pass through `edit` first.
std::string edited_copy(const std::string& name,
                        const std::function<void(std::vector<TensorData>&)>& edit) {
  const std::string dir = ::testing::TempDir() + "/" + name;
  EXPECT_EQ(std::system(("rm -rf " + dir + " && mkdir -p " + dir).c_str()), 0);
  write_file_atomic(dir + "/config.json", read_file(kLlama + "/config.json"));
  auto source = SafetensorsFile::open(kLlama + "/model.safetensors");
  std::vector<TensorData> tensors;
  for (const auto& n : source->names()) {
    const TensorView& v = source->tensor(n);
    tensors.push_back(
        {n, v.dtype, v.shape, std::string(reinterpret_cast<const char*>(v.data), v.nbytes)});
  }
  edit(tensors);
  write_safetensors(dir + "/model.safetensors", tensors);
  return dir;
}

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

at::Tensor logits_of(const Transformer& m) {
  c10::InferenceMode inference;
  return m.forward_ids(at::arange(10, at::kLong).unsqueeze(0)).to(at::kFloat);
}

TEST(ModelLoading, Bf16CheckpointLoadsIntoFp32AndBf16) {
  const std::string dir = edited_copy("bf16", [](std::vector<TensorData>& tensors) {
    for (auto& t : tensors) {
      const at::Tensor f = at::from_blob(t.bytes.data(), t.shape, at::kFloat);
      t = tensor_to_data(t.name, f.to(at::kBFloat16));
    }
  });
  const at::Tensor reference = logits_of(Transformer::load(kLlama, at::kCPU, at::kFloat));
  const at::Tensor from_bf16 = logits_of(Transformer::load(dir, at::kCPU, at::kFloat));
  const at::Tensor in_bf16 = logits_of(Transformer::load(dir, at::kCPU, at::kBFloat16));
  // bf16 keeps 8 mantissa bits: close relative to the logits' range, not equal.
  const double range = reference.abs().max().item<double>();
  const double weights_rounded = (from_bf16 - reference).abs().max().item<double>() / range;
  const double all_in_bf16 = (in_bf16 - reference).abs().max().item<double>() / range;
  EXPECT_GT(weights_rounded, 0.0);
  EXPECT_LT(weights_rounded, 0.02);
  EXPECT_LT(all_in_bf16, 0.05);
}

TEST(ModelLoading, ShardedFolderLoadsLikeSingleFile) {
  const std::string dir = ::testing::TempDir() + "/sharded";
  ASSERT_EQ(std::system(("rm -rf " + dir + " && mkdir -p " + dir).c_str()), 0);
  write_file_atomic(dir + "/config.json", read_file(kLlama + "/config.json"));
  auto source = SafetensorsFile::open(kLlama + "/model.safetensors");
  std::vector<TensorData> shard[2];
  std::string weight_map;
  int i = 0;
  for (const auto& n : source->names()) {
    const TensorView& v = source->tensor(n);
    const int s = (i++) % 2;
    shard[s].push_back(
        {n, v.dtype, v.shape, std::string(reinterpret_cast<const char*>(v.data), v.nbytes)});
    weight_map += std::string(weight_map.empty() ? "" : ",") + "\"" + n + "\": \"model-0000" +
                  std::to_string(s + 1) + "-of-00002.safetensors\"";
  }
  write_safetensors(dir + "/model-00001-of-00002.safetensors", shard[0]);
  write_safetensors(dir + "/model-00002-of-00002.safetensors", shard[1]);
  write_file_atomic(dir + "/model.safetensors.index.json",
                    "{\"metadata\": {\"total_size\": 0}, \"weight_map\": {" + weight_map + "}}");
  EXPECT_TRUE(at::equal(logits_of(Transformer::load(dir, at::kCPU, at::kFloat)),
                        logits_of(Transformer::load(kLlama, at::kCPU, at::kFloat))));
}

TEST(ModelLoading, MissingTensorIsNamed) {
  const std::string dir = edited_copy("missing", [](std::vector<TensorData>& tensors) {
    tensors.erase(std::remove_if(tensors.begin(), tensors.end(),
                                 [](const TensorData& t) {
                                   return t.name == "model.layers.1.mlp.up_proj.weight";
                                 }),
                  tensors.end());
  });
  const std::string message = error_of([&] { Transformer::load(dir, at::kCPU, at::kFloat); });
  EXPECT_NE(message.find("model.layers.1.mlp.up_proj.weight"), std::string::npos) << message;
  EXPECT_NE(message.find("model.safetensors"), std::string::npos) << message;
}

TEST(ModelLoading, ShapeDisagreeingWithConfigIsNamed) {
  const std::string dir = edited_copy("shape", [](std::vector<TensorData>& tensors) {
    for (auto& t : tensors)
      if (t.name == "model.layers.0.self_attn.k_proj.weight") {
        t.shape = {16, 64};  // config says 2 KV heads of 16 -> [32, 64]
        t.bytes.resize(16 * 64 * 4);
      }
  });
  const std::string message = error_of([&] { Transformer::load(dir, at::kCPU, at::kFloat); });
  EXPECT_NE(message.find("k_proj"), std::string::npos) << message;
  EXPECT_NE(message.find("[16, 64]"), std::string::npos) << message;
  EXPECT_NE(message.find("[32, 64]"), std::string::npos) << message;
}

TEST(ModelLoading, MissingConfigIsNamed) {
  const std::string dir = ::testing::TempDir() + "/empty_model";
  ASSERT_EQ(std::system(("rm -rf " + dir + " && mkdir -p " + dir).c_str()), 0);
  const std::string message = error_of([&] { Transformer::load(dir, at::kCPU, at::kFloat); });
  EXPECT_NE(message.find("config.json"), std::string::npos) << message;
}

}  // namespace
