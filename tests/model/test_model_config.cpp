// config.json parsing: real Hub configs (tests/fixtures/configs/), transformers v5 key style,
// defaults for absent keys, malformed configs, and the model_config_to_json round trip.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "greater/common/error.h"
#include "greater/model/model_config.h"

namespace greater {
namespace {

using json = nlohmann::json;

const std::string kConfigs = std::string(GREATER_SOURCE_DIR) + "/tests/fixtures/configs";

ModelConfig load_fixture(const std::string& name) {
  return load_model_config(kConfigs + "/" + name);
}

template <typename Action>
void expect_error(Action action, const std::vector<std::string>& phrases) {
  try {
    action();
    ADD_FAILURE() << "no error; expected one mentioning '" << phrases.at(0) << "'";
  } catch (const Error& e) {
    const std::string message = e.what();
    for (const std::string& phrase : phrases) {
      EXPECT_NE(message.find(phrase), std::string::npos)
          << "message: " << message << "\nmissing: " << phrase;
    }
  }
}

void expect_same_config(const ModelConfig& a, const ModelConfig& b) {
  EXPECT_EQ(a.model_type, b.model_type);
  EXPECT_EQ(a.family, b.family);
  EXPECT_EQ(a.vocab_size, b.vocab_size);
  EXPECT_EQ(a.hidden_size, b.hidden_size);
  EXPECT_EQ(a.intermediate_size, b.intermediate_size);
  EXPECT_EQ(a.num_layers, b.num_layers);
  EXPECT_EQ(a.num_heads, b.num_heads);
  EXPECT_EQ(a.num_kv_heads, b.num_kv_heads);
  EXPECT_EQ(a.head_dim, b.head_dim);
  EXPECT_EQ(a.max_position_embeddings, b.max_position_embeddings);
  EXPECT_EQ(a.rms_norm_eps, b.rms_norm_eps);
  EXPECT_EQ(a.rope.theta, b.rope.theta);
  EXPECT_EQ(a.rope.type, b.rope.type);
  EXPECT_EQ(a.rope.factor, b.rope.factor);
  EXPECT_EQ(a.rope.low_freq_factor, b.rope.low_freq_factor);
  EXPECT_EQ(a.rope.high_freq_factor, b.rope.high_freq_factor);
  EXPECT_EQ(a.rope.original_max_position_embeddings, b.rope.original_max_position_embeddings);
  EXPECT_EQ(a.tie_word_embeddings, b.tie_word_embeddings);
  EXPECT_EQ(a.qkv_bias, b.qkv_bias);
  EXPECT_EQ(a.o_bias, b.o_bias);
  EXPECT_EQ(a.mlp_bias, b.mlp_bias);
  EXPECT_EQ(a.hidden_act, b.hidden_act);
  EXPECT_EQ(a.norm_plus_one, b.norm_plus_one);
  EXPECT_EQ(a.sandwich_norms, b.sandwich_norms);
  EXPECT_EQ(a.scale_embeddings, b.scale_embeddings);
  EXPECT_EQ(a.attn_logit_softcap, b.attn_logit_softcap);
  EXPECT_EQ(a.final_logit_softcap, b.final_logit_softcap);
  EXPECT_EQ(a.query_pre_attn_scalar, b.query_pre_attn_scalar);
  EXPECT_EQ(a.sliding_window, b.sliding_window);
  EXPECT_EQ(a.layer_uses_sliding, b.layer_uses_sliding);
  EXPECT_EQ(a.bos_token_id, b.bos_token_id);
  EXPECT_EQ(a.eos_token_ids, b.eos_token_ids);
  EXPECT_EQ(a.pad_token_id, b.pad_token_id);
  EXPECT_EQ(a.torch_dtype, b.torch_dtype);
}

void expect_llama_like_switches(const ModelConfig& c) {
  EXPECT_FALSE(c.norm_plus_one);
  EXPECT_FALSE(c.sandwich_norms);
  EXPECT_FALSE(c.scale_embeddings);
  EXPECT_EQ(c.attn_logit_softcap, 0.0);
  EXPECT_EQ(c.final_logit_softcap, 0.0);
  EXPECT_EQ(c.query_pre_attn_scalar, 0.0);
}

std::vector<bool> alternating(int64_t n) {  // Gemma 2: even layers slide
  std::vector<bool> out;
  for (int64_t i = 0; i < n; ++i) out.push_back(i % 2 == 0);
  return out;
}

// A small Llama config to edit in the error and default tests.
json tiny_llama() {
  return {{"model_type", "llama"},    {"vocab_size", 96},       {"hidden_size", 64},
          {"intermediate_size", 160}, {"num_hidden_layers", 2}, {"num_attention_heads", 4},
          {"num_key_value_heads", 2}};
}

ModelConfig parse(const json& j) { return parse_model_config(j.dump(), "config.json"); }

// ---- real configs ----

TEST(ModelConfig, Llama3_8B_Instruct) {
  const ModelConfig c = load_fixture("llama-3-8b-instruct.json");
  EXPECT_EQ(c.model_type, "llama");
  EXPECT_EQ(c.family, ModelFamily::Llama);
  EXPECT_EQ(c.vocab_size, 128256);
  EXPECT_EQ(c.hidden_size, 4096);
  EXPECT_EQ(c.intermediate_size, 14336);
  EXPECT_EQ(c.num_layers, 32);
  EXPECT_EQ(c.num_heads, 32);
  EXPECT_EQ(c.num_kv_heads, 8);
  EXPECT_EQ(c.head_dim, 128);
  EXPECT_EQ(c.max_position_embeddings, 8192);
  EXPECT_EQ(c.rms_norm_eps, 1e-5);
  EXPECT_EQ(c.rope.theta, 500000.0);
  EXPECT_EQ(c.rope.type, "default");
  EXPECT_FALSE(c.tie_word_embeddings);
  EXPECT_FALSE(c.qkv_bias);
  EXPECT_FALSE(c.o_bias);
  EXPECT_FALSE(c.mlp_bias);
  EXPECT_EQ(c.hidden_act, "silu");
  expect_llama_like_switches(c);
  EXPECT_EQ(c.sliding_window, 0);
  EXPECT_EQ(c.layer_uses_sliding, std::vector<bool>(32, false));
  EXPECT_EQ(c.bos_token_id, 128000);
  EXPECT_EQ(c.eos_token_ids, std::vector<int64_t>{128009});
  EXPECT_EQ(c.pad_token_id, -1);
  EXPECT_EQ(c.torch_dtype, "bfloat16");
  EXPECT_DOUBLE_EQ(c.attention_scale(), 1.0 / std::sqrt(128.0));
}

TEST(ModelConfig, Llama32_1B_Llama3RopeTied) {
  const ModelConfig c = load_fixture("llama-3.2-1b-instruct.json");
  EXPECT_EQ(c.hidden_size, 2048);
  EXPECT_EQ(c.num_layers, 16);
  EXPECT_EQ(c.num_heads, 32);
  EXPECT_EQ(c.num_kv_heads, 8);
  EXPECT_EQ(c.head_dim, 64);
  EXPECT_EQ(c.intermediate_size, 8192);
  EXPECT_EQ(c.max_position_embeddings, 131072);
  EXPECT_EQ(c.rope.theta, 500000.0);
  EXPECT_EQ(c.rope.type, "llama3");
  EXPECT_EQ(c.rope.factor, 32.0);
  EXPECT_EQ(c.rope.low_freq_factor, 1.0);
  EXPECT_EQ(c.rope.high_freq_factor, 4.0);
  EXPECT_EQ(c.rope.original_max_position_embeddings, 8192);
  EXPECT_TRUE(c.tie_word_embeddings);
  EXPECT_EQ(c.eos_token_ids, (std::vector<int64_t>{128001, 128008, 128009}));
}

TEST(ModelConfig, Llama32_1B_V5RopeParametersReadsTheSame) {
  const ModelConfig old_keys = load_fixture("llama-3.2-1b-instruct.json");
  const ModelConfig v5 = load_fixture("llama-3.2-1b-instruct-v5.json");
  expect_same_config(old_keys, v5);  // includes torch_dtype from v5's "dtype"
}

TEST(ModelConfig, Gemma2_2B_It) {
  const ModelConfig c = load_fixture("gemma-2-2b-it.json");
  EXPECT_EQ(c.family, ModelFamily::Gemma2);
  EXPECT_EQ(c.vocab_size, 256000);
  EXPECT_EQ(c.hidden_size, 2304);
  EXPECT_EQ(c.intermediate_size, 9216);
  EXPECT_EQ(c.num_layers, 26);
  EXPECT_EQ(c.num_heads, 8);
  EXPECT_EQ(c.num_kv_heads, 4);
  EXPECT_EQ(c.head_dim, 256);  // not hidden / heads = 288
  EXPECT_EQ(c.rms_norm_eps, 1e-6);
  EXPECT_EQ(c.rope.theta, 10000.0);
  EXPECT_EQ(c.hidden_act, "gelu_pytorch_tanh");
  EXPECT_TRUE(c.norm_plus_one);
  EXPECT_TRUE(c.sandwich_norms);
  EXPECT_TRUE(c.scale_embeddings);
  EXPECT_TRUE(c.tie_word_embeddings);
  EXPECT_EQ(c.attn_logit_softcap, 50.0);
  EXPECT_EQ(c.final_logit_softcap, 30.0);
  EXPECT_EQ(c.query_pre_attn_scalar, 256.0);
  EXPECT_DOUBLE_EQ(c.attention_scale(), 1.0 / 16.0);
  EXPECT_EQ(c.sliding_window, 4096);
  EXPECT_EQ(c.layer_uses_sliding, alternating(26));
  EXPECT_EQ(c.bos_token_id, 2);
  EXPECT_EQ(c.eos_token_ids, (std::vector<int64_t>{1, 107}));
  EXPECT_EQ(c.pad_token_id, 0);
  EXPECT_FALSE(c.qkv_bias);
  EXPECT_FALSE(c.o_bias);
  EXPECT_EQ(c.torch_dtype, "float32");
}

TEST(ModelConfig, Gemma2_9B) {
  const ModelConfig c = load_fixture("gemma-2-9b.json");
  EXPECT_EQ(c.hidden_size, 3584);
  EXPECT_EQ(c.num_layers, 42);
  EXPECT_EQ(c.num_heads, 16);
  EXPECT_EQ(c.num_kv_heads, 8);
  EXPECT_EQ(c.intermediate_size, 14336);
  EXPECT_EQ(c.head_dim, 256);
  EXPECT_EQ(c.query_pre_attn_scalar, 256.0);
  EXPECT_EQ(c.attn_logit_softcap, 50.0);
  EXPECT_EQ(c.final_logit_softcap, 30.0);
  EXPECT_EQ(c.sliding_window, 4096);
  ASSERT_EQ(c.layer_uses_sliding.size(), 42u);
  EXPECT_TRUE(c.layer_uses_sliding[0]);
  EXPECT_FALSE(c.layer_uses_sliding[1]);
  EXPECT_TRUE(c.layer_uses_sliding[40]);
  EXPECT_FALSE(c.layer_uses_sliding[41]);
  EXPECT_EQ(c.eos_token_ids, std::vector<int64_t>{1});
  EXPECT_EQ(c.torch_dtype, "bfloat16");
}

TEST(ModelConfig, Gemma2LayerTypesV5) {
  const ModelConfig c = load_fixture("gemma2-tiny-layer-types-v5.json");
  EXPECT_EQ(c.layer_uses_sliding, (std::vector<bool>{false, true, true, false}));
  EXPECT_EQ(c.sliding_window, 4);
  EXPECT_EQ(c.attn_logit_softcap, 5.0);
  EXPECT_EQ(c.final_logit_softcap, 0.0);  // null: off
  EXPECT_EQ(c.query_pre_attn_scalar, 24.0);
  EXPECT_DOUBLE_EQ(c.attention_scale(), 1.0 / std::sqrt(24.0));
  EXPECT_EQ(c.head_dim, 16);
  EXPECT_EQ(c.rope.theta, 10000.0);
  EXPECT_EQ(c.rope.type, "default");
  EXPECT_EQ(c.torch_dtype, "float32");
}

TEST(ModelConfig, Qwen2_7B_Instruct) {
  const ModelConfig c = load_fixture("qwen2-7b-instruct.json");
  EXPECT_EQ(c.family, ModelFamily::Qwen2);
  EXPECT_EQ(c.hidden_size, 3584);
  EXPECT_EQ(c.num_layers, 28);
  EXPECT_EQ(c.num_heads, 28);
  EXPECT_EQ(c.num_kv_heads, 4);
  EXPECT_EQ(c.head_dim, 128);
  EXPECT_EQ(c.vocab_size, 152064);
  EXPECT_EQ(c.rope.theta, 1000000.0);
  EXPECT_TRUE(c.qkv_bias);
  EXPECT_FALSE(c.o_bias);
  EXPECT_FALSE(c.mlp_bias);
  EXPECT_FALSE(c.tie_word_embeddings);
  expect_llama_like_switches(c);
  EXPECT_EQ(c.sliding_window, 0);  // use_sliding_window: false
  EXPECT_EQ(c.layer_uses_sliding, std::vector<bool>(28, false));
  EXPECT_EQ(c.bos_token_id, 151643);
  EXPECT_EQ(c.eos_token_ids, std::vector<int64_t>{151645});
}

TEST(ModelConfig, Mistral7B_v01) {
  const ModelConfig c = load_fixture("mistral-7b-v0.1.json");
  EXPECT_EQ(c.family, ModelFamily::Mistral);
  EXPECT_EQ(c.num_kv_heads, 8);
  EXPECT_EQ(c.head_dim, 128);
  EXPECT_EQ(c.max_position_embeddings, 32768);
  EXPECT_EQ(c.rms_norm_eps, 1e-5);
  EXPECT_EQ(c.sliding_window, 4096);
  EXPECT_EQ(c.layer_uses_sliding, std::vector<bool>(32, true));
  EXPECT_FALSE(c.qkv_bias);
  expect_llama_like_switches(c);
  EXPECT_EQ(c.bos_token_id, 1);
  EXPECT_EQ(c.eos_token_ids, std::vector<int64_t>{2});
}

// ---- defaults and variants ----

TEST(ModelConfig, LlamaDefaultsForAbsentKeys) {
  json j = tiny_llama();
  j.erase("num_key_value_heads");
  const ModelConfig c = parse(j);
  EXPECT_EQ(c.num_kv_heads, 4);
  EXPECT_EQ(c.head_dim, 16);
  EXPECT_EQ(c.rms_norm_eps, 1e-6);
  EXPECT_EQ(c.max_position_embeddings, 2048);
  EXPECT_EQ(c.rope.theta, 10000.0);
  EXPECT_EQ(c.rope.type, "default");
  EXPECT_FALSE(c.tie_word_embeddings);
  EXPECT_EQ(c.hidden_act, "silu");
  EXPECT_EQ(c.bos_token_id, 1);
  EXPECT_EQ(c.eos_token_ids, std::vector<int64_t>{2});
  EXPECT_EQ(c.pad_token_id, -1);
  EXPECT_EQ(c.torch_dtype, "");
  EXPECT_EQ(c.layer_uses_sliding, std::vector<bool>(2, false));
  EXPECT_DOUBLE_EQ(c.attention_scale(), 0.25);

  j["num_key_value_heads"] = nullptr;
  j["head_dim"] = nullptr;
  j["bos_token_id"] = nullptr;
  j["eos_token_id"] = nullptr;
  const ModelConfig nulls = parse(j);
  EXPECT_EQ(nulls.num_kv_heads, 4);
  EXPECT_EQ(nulls.head_dim, 16);
  EXPECT_EQ(nulls.bos_token_id, -1);
  EXPECT_TRUE(nulls.eos_token_ids.empty());
}

TEST(ModelConfig, LlamaBiases) {
  json j = tiny_llama();
  j["attention_bias"] = true;
  j["mlp_bias"] = true;
  const ModelConfig c = parse(j);
  EXPECT_TRUE(c.qkv_bias);
  EXPECT_TRUE(c.o_bias);
  EXPECT_TRUE(c.mlp_bias);
}

TEST(ModelConfig, Gemma2DefaultsForAbsentKeys) {
  const ModelConfig c = parse({{"model_type", "gemma2"},
                               {"vocab_size", 96},
                               {"hidden_size", 64},
                               {"intermediate_size", 128},
                               {"num_hidden_layers", 3},
                               {"num_attention_heads", 8}});
  EXPECT_EQ(c.num_kv_heads, 4);
  EXPECT_EQ(c.head_dim, 256);
  EXPECT_EQ(c.hidden_act, "gelu_pytorch_tanh");
  EXPECT_EQ(c.attn_logit_softcap, 50.0);
  EXPECT_EQ(c.final_logit_softcap, 30.0);
  EXPECT_EQ(c.query_pre_attn_scalar, 256.0);
  EXPECT_EQ(c.sliding_window, 4096);
  EXPECT_EQ(c.layer_uses_sliding, alternating(3));
  EXPECT_TRUE(c.tie_word_embeddings);
  EXPECT_EQ(c.max_position_embeddings, 8192);
  EXPECT_EQ(c.bos_token_id, 2);
  EXPECT_EQ(c.eos_token_ids, std::vector<int64_t>{1});
  EXPECT_EQ(c.pad_token_id, 0);
}

TEST(ModelConfig, Gemma2NullCapsAndWindow) {
  json j = json::parse(R"({"model_type": "gemma2", "vocab_size": 96, "hidden_size": 64,
    "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
    "num_key_value_heads": 2, "head_dim": 16, "attn_logit_softcapping": null,
    "final_logit_softcapping": null, "sliding_window": null, "hidden_act": "gelu_pytorch_tanh"})");
  const ModelConfig c = parse(j);
  EXPECT_EQ(c.attn_logit_softcap, 0.0);
  EXPECT_EQ(c.final_logit_softcap, 0.0);
  EXPECT_EQ(c.sliding_window, 0);
  EXPECT_EQ(c.layer_uses_sliding, std::vector<bool>(2, false));
  EXPECT_EQ(c.hidden_act, "gelu_pytorch_tanh");  // from hidden_act when hidden_activation is absent
  EXPECT_DOUBLE_EQ(c.attention_scale(), 1.0 / 16.0);  // query_pre_attn_scalar default 256
}

TEST(ModelConfig, Qwen2SlidingWindow) {
  json j = tiny_llama();
  j["model_type"] = "qwen2";
  j["num_hidden_layers"] = 4;
  j["use_sliding_window"] = true;
  j["sliding_window"] = 64;
  j["max_window_layers"] = 2;  // layers from 2 on slide
  ModelConfig c = parse(j);
  EXPECT_EQ(c.sliding_window, 64);
  EXPECT_EQ(c.layer_uses_sliding, (std::vector<bool>{false, false, true, true}));
  j["layer_types"] = {"sliding_attention", "full_attention", "full_attention", "full_attention"};
  c = parse(j);
  EXPECT_EQ(c.layer_uses_sliding, (std::vector<bool>{true, false, false, false}));
  j["use_sliding_window"] = false;
  c = parse(j);
  EXPECT_EQ(c.sliding_window, 0);
  EXPECT_EQ(c.layer_uses_sliding, std::vector<bool>(4, false));
}

TEST(ModelConfig, MistralNullWindowAndDefaults) {
  json j = tiny_llama();
  j["model_type"] = "mistral";
  j["num_attention_heads"] = 8;
  j.erase("num_key_value_heads");  // MistralConfig default: 8
  j["sliding_window"] = nullptr;
  ModelConfig c = parse(j);
  EXPECT_EQ(c.num_kv_heads, 8);
  EXPECT_EQ(c.sliding_window, 0);
  EXPECT_EQ(c.layer_uses_sliding, std::vector<bool>(2, false));
  EXPECT_EQ(c.max_position_embeddings, 4096 * 32);
  j.erase("sliding_window");  // default 4096 on every layer
  c = parse(j);
  EXPECT_EQ(c.sliding_window, 4096);
  EXPECT_EQ(c.layer_uses_sliding, std::vector<bool>(2, true));
}

TEST(ModelConfig, RopeKeyVariants) {
  const json llama3 = {{"factor", 8.0}, {"low_freq_factor", 1.0}, {"high_freq_factor", 4.0}};
  json j = tiny_llama();
  j["max_position_embeddings"] = 4096;
  j["rope_theta"] = 500000.0;
  j["rope_scaling"] = llama3;
  j["rope_scaling"]["type"] = "llama3";  // the old alias of rope_type
  ModelConfig c = parse(j);
  EXPECT_EQ(c.rope.type, "llama3");
  EXPECT_EQ(c.rope.factor, 8.0);
  EXPECT_EQ(c.rope.theta, 500000.0);
  EXPECT_EQ(c.rope.original_max_position_embeddings, 4096);  // absent: max_position_embeddings

  // v5: rope_theta inside rope_parameters wins over a stray top-level one.
  j.erase("rope_scaling");
  j["rope_theta"] = 1.0;
  j["rope_parameters"] = {{"rope_type", "default"}, {"rope_theta", 250000.0}};
  c = parse(j);
  EXPECT_EQ(c.rope.type, "default");
  EXPECT_EQ(c.rope.theta, 250000.0);

  // A non-null rope_scaling wins over rope_parameters (convert_rope_params_to_dict); null does not.
  j["rope_scaling"] = {{"rope_type", "default"}};
  c = parse(j);
  EXPECT_EQ(c.rope.theta, 1.0);
  j["rope_scaling"] = nullptr;
  c = parse(j);
  EXPECT_EQ(c.rope.theta, 250000.0);
}

// ---- malformed configs ----

TEST(ModelConfigErrors, FixtureFiles) {
  struct Case {
    const char* file;
    std::vector<std::string> phrases;
  };
  const std::vector<Case> cases = {
      {"truncated-json.json", {"not valid JSON"}},
      {"missing-hidden-size.json", {"field hidden_size", "missing"}},
      {"hidden-size-string.json",
       {"field hidden_size", "expected an integer, got a string \"64\""}},
      {"unknown-model-type.json", {"field model_type", "unsupported model type 'gpt2'"}},
      {"rope-yarn.json", {"field rope_scaling.type", "unsupported rope type 'yarn'"}},
      {"heads-not-divisible.json",
       {"field num_key_value_heads", "4 does not divide num_attention_heads 6"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    const std::string path = kConfigs + "/bad/" + c.file;
    std::vector<std::string> phrases = c.phrases;
    phrases.push_back(path);
    expect_error([&] { load_model_config(path); }, phrases);
  }
  expect_error([] { load_model_config(kConfigs + "/absent.json"); },
               {kConfigs + "/absent.json", "cannot open"});
}

TEST(ModelConfigErrors, InlineCases) {
  struct Case {
    const char* name;
    json config;
    std::vector<std::string> phrases;
  };
  auto with = [](const char* key, json value) {
    json j = tiny_llama();
    j[key] = std::move(value);
    return j;
  };
  auto without = [](const char* key) {
    json j = tiny_llama();
    j.erase(key);
    return j;
  };
  auto gemma2_with = [](const char* key, json value) {
    json j = tiny_llama();
    j["model_type"] = "gemma2";
    j[key] = std::move(value);
    return j;
  };
  const std::vector<Case> cases = {
      {"top level array", json::array({1, 2}), {"expected a JSON object"}},
      {"no model_type", without("model_type"), {"field model_type", "missing"}},
      {"model_type number",
       with("model_type", 5),
       {"field model_type", "expected a string, got an integer 5"}},
      {"model_type gemma3", with("model_type", "gemma3"), {"unsupported model type 'gemma3'"}},
      {"float size",
       with("hidden_size", 64.5),
       {"field hidden_size", "expected an integer, got a float 64.5"}},
      {"null size",
       with("vocab_size", nullptr),
       {"field vocab_size", "expected an integer, got null"}},
      {"zero heads",
       with("num_attention_heads", 0),
       {"field num_attention_heads", "must be positive, got 0"}},
      {"negative layers",
       with("num_hidden_layers", -2),
       {"field num_hidden_layers", "must be positive"}},
      {"zero kv heads",
       with("num_key_value_heads", 0),
       {"field num_key_value_heads", "must be positive"}},
      {"kv not dividing",
       with("num_key_value_heads", 3),
       {"field num_key_value_heads", "3 does not divide"}},
      {"head_dim string", with("head_dim", "16"), {"field head_dim", "expected an integer"}},
      {"hidden not multiple",
       with("hidden_size", 66),
       {"field head_dim", "not a multiple of num_attention_heads"}},
      {"eps string",
       with("rms_norm_eps", "1e-5"),
       {"field rms_norm_eps", "expected a number, got a string"}},
      {"eps zero", with("rms_norm_eps", 0), {"field rms_norm_eps", "must be positive"}},
      {"tie string",
       with("tie_word_embeddings", "yes"),
       {"field tie_word_embeddings", "expected true or false"}},
      {"relu", with("hidden_act", "relu"), {"field hidden_act", "unsupported activation 'relu'"}},
      {"eos string", with("eos_token_id", "2"), {"field eos_token_id", "expected an integer"}},
      {"eos list string",
       with("eos_token_id", {1, "x"}),
       {"field eos_token_id[1]", "expected an integer"}},
      {"rope linear",
       with("rope_scaling", {{"rope_type", "linear"}, {"factor", 2.0}}),
       {"field rope_scaling.rope_type", "unsupported rope type 'linear'"}},
      {"rope dynamic v5",
       with("rope_parameters", {{"rope_type", "dynamic"}, {"factor", 2.0}}),
       {"field rope_parameters.rope_type", "unsupported rope type 'dynamic'"}},
      {"rope yarn v5",
       with("rope_parameters", {{"rope_type", "yarn"}, {"factor", 4.0}}),
       {"field rope_parameters.rope_type", "unsupported rope type 'yarn'"}},
      {"rope not object",
       with("rope_scaling", "llama3"),
       {"field rope_scaling", "expected an object"}},
      {"llama3 without factor",
       with("rope_scaling",
            {{"rope_type", "llama3"}, {"low_freq_factor", 1}, {"high_freq_factor", 4}}),
       {"field rope_scaling.factor", "missing"}},
      {"llama3 bad band",
       with("rope_scaling", {{"rope_type", "llama3"},
                             {"factor", 8},
                             {"low_freq_factor", 4},
                             {"high_freq_factor", 4}}),
       {"field rope_scaling.high_freq_factor", "low_freq_factor < high_freq_factor"}},
      {"rope theta string", with("rope_theta", "1e4"), {"field rope_theta", "expected a number"}},
      {"rope per layer type",
       with("rope_parameters", {{"full_attention", {{"rope_type", "default"}}}}),
       {"field rope_parameters.full_attention", "per-layer-type"}},
      {"partial rotary",
       with("partial_rotary_factor", 0.5),
       {"field partial_rotary_factor", "not supported"}},
      {"layer_types length",
       gemma2_with("layer_types", {"full_attention"}),
       {"field layer_types", "has 1 entries but num_hidden_layers is 2"}},
      {"layer_types value",
       gemma2_with("layer_types", {"full_attention", "chunked_attention"}),
       {"field layer_types[1]", "\"sliding_attention\" or \"full_attention\""}},
      {"negative window",
       gemma2_with("sliding_window", -1),
       {"field sliding_window", "must not be negative"}},
      {"bidirectional",
       gemma2_with("use_bidirectional_attention", true),
       {"field use_bidirectional_attention", "not supported"}},
      {"query scalar zero",
       gemma2_with("query_pre_attn_scalar", 0),
       {"field query_pre_attn_scalar", "must be positive"}},
      {"softcap string",
       gemma2_with("final_logit_softcapping", "30"),
       {"field final_logit_softcapping", "expected a number"}},
      {"gemma2 activation",
       gemma2_with("hidden_activation", "gelu"),
       {"field hidden_activation", "unsupported activation 'gelu'"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::string> phrases = c.phrases;
    phrases.push_back("config.json");
    expect_error([&] { parse_model_config(c.config.dump(), "config.json"); }, phrases);
  }
  expect_error([] { parse_model_config("{\"model_type\": ", "config.json"); },
               {"config.json", "not valid JSON"});
}

// ---- writing config.json ----

TEST(ModelConfigJson, RoundTripsEveryFixture) {
  for (const char* name :
       {"llama-3-8b-instruct.json", "llama-3.2-1b-instruct.json", "llama-3.2-1b-instruct-v5.json",
        "gemma-2-2b-it.json", "gemma-2-9b.json", "gemma2-tiny-layer-types-v5.json",
        "qwen2-7b-instruct.json", "mistral-7b-v0.1.json"}) {
    SCOPED_TRACE(name);
    const ModelConfig original = load_fixture(name);
    const std::string text = model_config_to_json(original);
    expect_same_config(original, parse_model_config(text, "written.json"));
  }
}

TEST(ModelConfigJson, RoundTripsSlidingVariants) {
  json j = tiny_llama();
  j["model_type"] = "qwen2";
  j["num_hidden_layers"] = 4;
  j["use_sliding_window"] = true;
  j["sliding_window"] = 64;
  j["max_window_layers"] = 1;
  const ModelConfig qwen = parse(j);
  expect_same_config(qwen, parse_model_config(model_config_to_json(qwen), "written.json"));
  j["layer_types"] = {"sliding_attention", "full_attention", "sliding_attention", "full_attention"};
  const ModelConfig qwen_types = parse(j);
  expect_same_config(qwen_types,
                     parse_model_config(model_config_to_json(qwen_types), "written.json"));

  ModelConfig llama = parse(tiny_llama());
  llama.eos_token_ids.clear();
  llama.bos_token_id = -1;
  llama.torch_dtype = "float32";
  llama.qkv_bias = llama.o_bias = llama.mlp_bias = true;
  expect_same_config(llama, parse_model_config(model_config_to_json(llama), "written.json"));
}

TEST(ModelConfigJson, WritesTransformers4Keys) {
  const json llama =
      json::parse(model_config_to_json(load_fixture("llama-3.2-1b-instruct-v5.json")));
  EXPECT_EQ(llama["architectures"], json::array({"LlamaForCausalLM"}));
  EXPECT_EQ(llama["model_type"], "llama");
  EXPECT_EQ(llama["rope_theta"], 500000.0);
  EXPECT_EQ(llama["rope_scaling"]["rope_type"], "llama3");
  EXPECT_EQ(llama["rope_scaling"]["factor"], 32.0);
  EXPECT_EQ(llama["rope_scaling"]["original_max_position_embeddings"], 8192);
  EXPECT_FALSE(llama.contains("rope_parameters"));
  EXPECT_EQ(llama["torch_dtype"], "bfloat16");
  EXPECT_EQ(llama["num_hidden_layers"], 16);
  EXPECT_EQ(llama["tie_word_embeddings"], true);
  EXPECT_EQ(llama["eos_token_id"], json::array({128001, 128008, 128009}));
  EXPECT_TRUE(llama["pad_token_id"].is_null());

  const json gemma = json::parse(model_config_to_json(load_fixture("gemma-2-2b-it.json")));
  EXPECT_EQ(gemma["architectures"], json::array({"Gemma2ForCausalLM"}));
  EXPECT_EQ(gemma["hidden_activation"], "gelu_pytorch_tanh");
  EXPECT_TRUE(gemma["query_pre_attn_scalar"].is_number_integer());
  EXPECT_EQ(gemma["query_pre_attn_scalar"], 256);
  EXPECT_EQ(gemma["attn_logit_softcapping"], 50.0);
  EXPECT_EQ(gemma["sliding_window"], 4096);
  EXPECT_TRUE(gemma["rope_scaling"].is_null());
}

TEST(ModelConfigJson, RefusesWhatConfigJsonCannotSay) {
  ModelConfig c = parse(tiny_llama());
  c.norm_plus_one = true;
  expect_error([&] { model_config_to_json(c); }, {"model_config_to_json", "model_type llama"});
  c = parse(tiny_llama());
  c.qkv_bias = true;  // without o_bias: not expressible with attention_bias
  expect_error([&] { model_config_to_json(c); }, {"field qkv_bias"});
  c = parse(tiny_llama());
  c.layer_uses_sliding.push_back(false);
  expect_error([&] { model_config_to_json(c); }, {"field layer_uses_sliding"});
}

}  // namespace
}  // namespace greater
