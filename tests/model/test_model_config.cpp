// config.json parsing: real Hub configs (tests/fixtures/configs/), transformers v5 key style,
// defaults for absent keys, malformed configs, and the model_config_to_json round trip.
#include "model_config_test_support.h"

namespace greater {
namespace {

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
