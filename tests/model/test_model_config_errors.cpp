// config.json files that must be refused, each with an error naming the file and the field.
#include "model_config_test_support.h"

namespace greater {
namespace {

TEST(ModelConfigErrors, FixtureFiles) {
  struct Case {
    const char* file;
    std::vector<std::string> phrases;
  };
  const std::vector<Case> cases = {
      {"truncated-json.json", {"not valid JSON"}},
      {"missing-hidden-size.json", {": hidden_size", "missing"}},
      {"hidden-size-string.json", {": hidden_size", "expected an integer, got a string \"64\""}},
      {"unknown-model-type.json", {": model_type", "unsupported model type 'gpt2'"}},
      {"rope-yarn.json", {": rope_scaling.type", "unsupported rope type 'yarn'"}},
      {"heads-not-divisible.json",
       {": num_key_value_heads", "4 does not divide num_attention_heads 6"}},
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
      {"no model_type", without("model_type"), {": model_type", "missing"}},
      {"model_type number",
       with("model_type", 5),
       {": model_type", "expected a string, got an integer 5"}},
      {"model_type gemma3", with("model_type", "gemma3"), {"unsupported model type 'gemma3'"}},
      {"float size",
       with("hidden_size", 64.5),
       {": hidden_size", "expected an integer, got a float 64.5"}},
      {"null size", with("vocab_size", nullptr), {": vocab_size", "expected an integer, got null"}},
      {"zero heads",
       with("num_attention_heads", 0),
       {": num_attention_heads", "must be positive, got 0"}},
      {"negative layers",
       with("num_hidden_layers", -2),
       {": num_hidden_layers", "must be positive"}},
      {"zero kv heads",
       with("num_key_value_heads", 0),
       {": num_key_value_heads", "must be positive"}},
      {"kv not dividing",
       with("num_key_value_heads", 3),
       {": num_key_value_heads", "3 does not divide"}},
      {"head_dim string", with("head_dim", "16"), {": head_dim", "expected an integer"}},
      {"hidden not multiple",
       with("hidden_size", 66),
       {": head_dim", "not a multiple of num_attention_heads"}},
      {"eps string",
       with("rms_norm_eps", "1e-5"),
       {": rms_norm_eps", "expected a number, got a string"}},
      {"eps zero", with("rms_norm_eps", 0), {": rms_norm_eps", "must be positive"}},
      {"tie string",
       with("tie_word_embeddings", "yes"),
       {": tie_word_embeddings", "expected true or false"}},
      {"relu", with("hidden_act", "relu"), {": hidden_act", "unsupported activation 'relu'"}},
      {"eos string", with("eos_token_id", "2"), {": eos_token_id", "expected an integer"}},
      {"eos list string",
       with("eos_token_id", {1, "x"}),
       {": eos_token_id[1]", "expected an integer"}},
      {"rope linear",
       with("rope_scaling", {{"rope_type", "linear"}, {"factor", 2.0}}),
       {": rope_scaling.rope_type", "unsupported rope type 'linear'"}},
      {"rope dynamic v5",
       with("rope_parameters", {{"rope_type", "dynamic"}, {"factor", 2.0}}),
       {": rope_parameters.rope_type", "unsupported rope type 'dynamic'"}},
      {"rope yarn v5",
       with("rope_parameters", {{"rope_type", "yarn"}, {"factor", 4.0}}),
       {": rope_parameters.rope_type", "unsupported rope type 'yarn'"}},
      {"rope not object",
       with("rope_scaling", "llama3"),
       {": rope_scaling", "expected a JSON object"}},
      {"llama3 without factor",
       with("rope_scaling",
            {{"rope_type", "llama3"}, {"low_freq_factor", 1}, {"high_freq_factor", 4}}),
       {": rope_scaling.factor", "missing"}},
      {"llama3 bad band",
       with("rope_scaling", {{"rope_type", "llama3"},
                             {"factor", 8},
                             {"low_freq_factor", 4},
                             {"high_freq_factor", 4}}),
       {": rope_scaling.high_freq_factor", "low_freq_factor < high_freq_factor"}},
      {"rope theta string", with("rope_theta", "1e4"), {": rope_theta", "expected a number"}},
      {"rope per layer type",
       with("rope_parameters", {{"full_attention", {{"rope_type", "default"}}}}),
       {": rope_parameters.full_attention", "per-layer-type"}},
      {"partial rotary",
       with("partial_rotary_factor", 0.5),
       {": partial_rotary_factor", "not supported"}},
      {"layer_types length",
       gemma2_with("layer_types", {"full_attention"}),
       {": layer_types", "has 1 entries but num_hidden_layers is 2"}},
      {"layer_types value",
       gemma2_with("layer_types", {"full_attention", "chunked_attention"}),
       {": layer_types[1]", "\"sliding_attention\" or \"full_attention\""}},
      {"negative window",
       gemma2_with("sliding_window", -1),
       {": sliding_window", "must not be negative"}},
      {"bidirectional",
       gemma2_with("use_bidirectional_attention", true),
       {": use_bidirectional_attention", "not supported"}},
      {"query scalar zero",
       gemma2_with("query_pre_attn_scalar", 0),
       {": query_pre_attn_scalar", "must be positive"}},
      {"softcap string",
       gemma2_with("final_logit_softcapping", "30"),
       {": final_logit_softcapping", "expected a number"}},
      {"gemma2 activation",
       gemma2_with("hidden_activation", "gelu"),
       {": hidden_activation", "unsupported activation 'gelu'"}},
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

}  // namespace
}  // namespace greater
