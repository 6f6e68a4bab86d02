// config.json -> ModelConfig for llama, mistral, qwen2 and gemma2, with the defaults that
// transformers applies when a key is absent (configuration_<family>.py), and back.
#include "greater/model/model_config.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "greater/common/error.h"
#include "greater/common/file_util.h"

namespace greater {
namespace {

using json = nlohmann::json;

std::string in_quotes(const std::string& s) { return "'" + s + "'"; }

// "a string \"2048\"", "a float 0.5", ... for error messages; long values are cut.
std::string describe(const json& value) {
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  const char* kind = value.is_number_integer() || value.is_number_unsigned() ? "an integer"
                     : value.is_number_float()                               ? "a float"
                     : value.is_string()                                     ? "a string"
                     : value.is_boolean()                                    ? "a boolean"
                     : value.is_array()                                      ? "an array"
                     : value.is_object()                                     ? "an object"
                                                                             : "null";
  return value.is_null() ? std::string("null") : std::string(kind) + " " + text;
}

// Typed access to one JSON object; `prefix` is "" at the top level and "rope_scaling." inside.
class FieldReader {
 public:
  FieldReader(const json& object, std::string source, std::string prefix = "")
      : object_(object), source_(std::move(source)), prefix_(std::move(prefix)) {}

  std::string where(const std::string& key) const { return source_ + ": field " + prefix_ + key; }
  // Present and not null: transformers treats an explicit null like "use the default"
  // for the fields where it is allowed, and we only call this for those.
  bool has(const std::string& key) const {
    return object_.contains(key) && !object_.at(key).is_null();
  }
  bool present(const std::string& key) const { return object_.contains(key); }
  const json& at(const std::string& key) const { return object_.at(key); }

  int64_t require_int(const std::string& key) const {
    if (!present(key)) throw Error(where(key), "missing (required)");
    return to_int(key);
  }
  int64_t get_int(const std::string& key, int64_t fallback) const {
    return has(key) ? to_int(key) : fallback;
  }
  double get_double(const std::string& key, double fallback) const {
    return has(key) ? to_double(key) : fallback;
  }
  double require_double(const std::string& key) const {
    if (!present(key)) throw Error(where(key), "missing (required)");
    return to_double(key);
  }
  bool get_bool(const std::string& key, bool fallback) const {
    if (!has(key)) return fallback;
    const json& v = at(key);
    if (!v.is_boolean()) throw Error(where(key), "expected true or false, got " + describe(v));
    return v.get<bool>();
  }
  std::string get_string(const std::string& key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    const json& v = at(key);
    if (!v.is_string()) throw Error(where(key), "expected a string, got " + describe(v));
    return v.get<std::string>();
  }

  int64_t to_int(const std::string& key) const {
    const json& v = at(key);
    if (v.is_number_integer() && !v.is_number_unsigned()) return v.get<int64_t>();
    if (v.is_number_unsigned() && v.get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX)) {
      return static_cast<int64_t>(v.get<uint64_t>());
    }
    throw Error(where(key), "expected an integer, got " + describe(v));
  }
  double to_double(const std::string& key) const {
    const json& v = at(key);
    if (!v.is_number()) throw Error(where(key), "expected a number, got " + describe(v));
    return v.get<double>();
  }

 private:
  const json& object_;
  std::string source_;
  std::string prefix_;
};

struct FamilyDefaults {
  const char* model_type;
  ModelFamily family;
  const char* architecture;
  int64_t max_position_embeddings;
  bool tie_word_embeddings;
  int64_t bos_token_id;  // -1: None
  int64_t eos_token_id;
  int64_t pad_token_id;
};

// The keyword defaults of each transformers config class.
constexpr FamilyDefaults kFamilies[] = {
    {"llama", ModelFamily::Llama, "LlamaForCausalLM", 2048, false, 1, 2, -1},
    {"mistral", ModelFamily::Mistral, "MistralForCausalLM", 4096 * 32, false, 1, 2, -1},
    {"qwen2", ModelFamily::Qwen2, "Qwen2ForCausalLM", 32768, false, -1, -1, -1},
    {"gemma2", ModelFamily::Gemma2, "Gemma2ForCausalLM", 8192, true, 2, 1, 0},
};

const FamilyDefaults& family_defaults(ModelFamily family) {
  for (const auto& f : kFamilies) {
    if (f.family == family) return f;
  }
  throw Error("model config", "unknown ModelFamily " + std::to_string(static_cast<int>(family)));
}

// "silu" (alias "swish") or "gelu_pytorch_tanh": the activations our MLP implements.
std::string parse_activation(const FieldReader& r, const std::string& key,
                             const std::string& value) {
  if (value == "silu" || value == "swish") return "silu";
  if (value == "gelu_pytorch_tanh") return value;
  throw Error(r.where(key), "unsupported activation " + in_quotes(value) +
                                " (supported: silu, gelu_pytorch_tanh)");
}

// rope_theta plus rope_scaling (transformers 4.x) or rope_parameters (5.x). As in 5.x's
// convert_rope_params_to_dict, a non-null rope_scaling wins over rope_parameters, and a
// rope_theta inside the dict wins over the top-level one.
RopeConfig parse_rope(const FieldReader& top, const json& root, const std::string& source,
                      int64_t max_position_embeddings) {
  RopeConfig rope;
  rope.theta = top.get_double("rope_theta", 10000.0);
  if (top.has("partial_rotary_factor") && top.get_double("partial_rotary_factor", 1.0) != 1.0) {
    throw Error(top.where("partial_rotary_factor"), "partial rotary embeddings are not supported");
  }
  const char* key = top.has("rope_scaling")      ? "rope_scaling"
                    : top.has("rope_parameters") ? "rope_parameters"
                                                 : nullptr;
  if (key == nullptr) {
    rope.original_max_position_embeddings = max_position_embeddings;
    return rope;
  }
  const json& dict = root.at(key);
  if (!dict.is_object()) {
    throw Error(top.where(key), "expected an object, got " + describe(dict));
  }
  for (const char* layer_type : {"full_attention", "sliding_attention"}) {
    if (dict.contains(layer_type)) {
      throw Error(top.where(std::string(key) + "." + layer_type),
                  "per-layer-type rope parameters are not supported");
    }
  }
  const FieldReader r(dict, source, std::string(key) + ".");
  rope.theta = r.get_double("rope_theta", rope.theta);
  const char* type_key = r.has("rope_type") ? "rope_type" : "type";  // "type": old alias
  rope.type = r.get_string(type_key, "default");
  if (r.has("partial_rotary_factor") && r.get_double("partial_rotary_factor", 1.0) != 1.0) {
    throw Error(r.where("partial_rotary_factor"), "partial rotary embeddings are not supported");
  }
  if (rope.type == "default") {
    rope.original_max_position_embeddings = max_position_embeddings;
  } else if (rope.type == "llama3") {
    rope.factor = r.require_double("factor");
    rope.low_freq_factor = r.require_double("low_freq_factor");
    rope.high_freq_factor = r.require_double("high_freq_factor");
    rope.original_max_position_embeddings =
        r.get_int("original_max_position_embeddings", max_position_embeddings);
    if (!(rope.factor > 0)) {
      throw Error(r.where("factor"), "must be positive, got " + std::to_string(rope.factor));
    }
    if (!(rope.low_freq_factor > 0) || !(rope.high_freq_factor > rope.low_freq_factor)) {
      throw Error(r.where("high_freq_factor"),
                  "llama3 scaling needs 0 < low_freq_factor < high_freq_factor, got " +
                      std::to_string(rope.low_freq_factor) + " and " +
                      std::to_string(rope.high_freq_factor));
    }
    if (rope.original_max_position_embeddings <= 0) {
      throw Error(r.where("original_max_position_embeddings"), "must be positive");
    }
  } else {
    throw Error(r.where(type_key),
                "unsupported rope type " + in_quotes(rope.type) + " (supported: default, llama3)");
  }
  if (!(rope.theta > 0)) {
    throw Error(r.where("rope_theta"), "must be positive, got " + std::to_string(rope.theta));
  }
  return rope;
}

// layer_types -> one flag per layer ("sliding_attention" / "full_attention").
std::vector<bool> parse_layer_types(const FieldReader& r, const json& value, int64_t num_layers) {
  if (!value.is_array()) {
    throw Error(r.where("layer_types"), "expected an array of strings, got " + describe(value));
  }
  if (static_cast<int64_t>(value.size()) != num_layers) {
    throw Error(r.where("layer_types"), "has " + std::to_string(value.size()) +
                                            " entries but num_hidden_layers is " +
                                            std::to_string(num_layers));
  }
  std::vector<bool> sliding;
  for (size_t i = 0; i < value.size(); ++i) {
    const json& v = value[i];
    const std::string s = v.is_string() ? v.get<std::string>() : "";
    if (s == "sliding_attention") {
      sliding.push_back(true);
    } else if (s == "full_attention") {
      sliding.push_back(false);
    } else {
      throw Error(r.where("layer_types[" + std::to_string(i) + "]"),
                  "expected \"sliding_attention\" or \"full_attention\", got " + describe(v));
    }
  }
  return sliding;
}

int64_t optional_token(const FieldReader& r, const std::string& key, int64_t fallback) {
  if (!r.present(key)) return fallback;
  if (r.at(key).is_null()) return -1;
  return r.to_int(key);
}

void require_positive(const FieldReader& r, const std::string& key, int64_t value) {
  if (value <= 0) throw Error(r.where(key), "must be positive, got " + std::to_string(value));
}

}  // namespace

double ModelConfig::attention_scale() const {
  const double denominator =
      query_pre_attn_scalar > 0 ? query_pre_attn_scalar : static_cast<double>(head_dim);
  return 1.0 / std::sqrt(denominator);
}

ModelConfig parse_model_config(const std::string& json_text, const std::string& source) {
  json root;
  try {
    root = json::parse(json_text);
  } catch (const json::exception& e) {
    throw Error(source, std::string("not valid JSON: ") + e.what());
  }
  if (!root.is_object()) throw Error(source, "expected a JSON object, got " + describe(root));
  const FieldReader r(root, source);

  ModelConfig c;
  if (!r.has("model_type")) throw Error(r.where("model_type"), "missing (required)");
  c.model_type = r.get_string("model_type", "");
  const FamilyDefaults* defaults = nullptr;
  for (const auto& f : kFamilies) {
    if (c.model_type == f.model_type) defaults = &f;
  }
  if (defaults == nullptr) {
    throw Error(r.where("model_type"), "unsupported model type " + in_quotes(c.model_type) +
                                           " (supported: llama, mistral, qwen2, gemma2)");
  }
  c.family = defaults->family;
  const bool gemma2 = c.family == ModelFamily::Gemma2;

  c.vocab_size = r.require_int("vocab_size");
  c.hidden_size = r.require_int("hidden_size");
  c.intermediate_size = r.require_int("intermediate_size");
  c.num_layers = r.require_int("num_hidden_layers");
  c.num_heads = r.require_int("num_attention_heads");
  require_positive(r, "vocab_size", c.vocab_size);
  require_positive(r, "hidden_size", c.hidden_size);
  require_positive(r, "intermediate_size", c.intermediate_size);
  require_positive(r, "num_hidden_layers", c.num_layers);
  require_positive(r, "num_attention_heads", c.num_heads);

  // An absent key takes the class default; an explicit null means "same as the heads".
  const int64_t kv_default = c.family == ModelFamily::Mistral ? 8
                             : c.family == ModelFamily::Qwen2 ? 32
                             : gemma2                         ? 4
                                                              : c.num_heads;
  c.num_kv_heads =
      r.present("num_key_value_heads") ? r.get_int("num_key_value_heads", c.num_heads) : kv_default;
  require_positive(r, "num_key_value_heads", c.num_kv_heads);
  if (c.num_heads % c.num_kv_heads != 0) {
    throw Error(r.where("num_key_value_heads"), std::to_string(c.num_kv_heads) +
                                                    " does not divide num_attention_heads " +
                                                    std::to_string(c.num_heads));
  }
  if (r.has("head_dim")) {
    c.head_dim = r.to_int("head_dim");
  } else if (gemma2 && !r.present("head_dim")) {
    c.head_dim = 256;  // Gemma2Config's default, not hidden / heads
  } else {
    if (c.hidden_size % c.num_heads != 0) {
      throw Error(r.where("head_dim"), "missing, and hidden_size " + std::to_string(c.hidden_size) +
                                           " is not a multiple of num_attention_heads " +
                                           std::to_string(c.num_heads));
    }
    c.head_dim = c.hidden_size / c.num_heads;
  }
  require_positive(r, "head_dim", c.head_dim);
  c.max_position_embeddings =
      r.get_int("max_position_embeddings", defaults->max_position_embeddings);
  require_positive(r, "max_position_embeddings", c.max_position_embeddings);
  c.rms_norm_eps = r.get_double("rms_norm_eps", 1e-6);
  if (!(c.rms_norm_eps > 0)) throw Error(r.where("rms_norm_eps"), "must be positive");

  c.rope = parse_rope(r, root, source, c.max_position_embeddings);
  c.tie_word_embeddings = r.get_bool("tie_word_embeddings", defaults->tie_word_embeddings);

  switch (c.family) {
    case ModelFamily::Llama:
      c.qkv_bias = c.o_bias = r.get_bool("attention_bias", false);
      c.mlp_bias = r.get_bool("mlp_bias", false);
      break;
    case ModelFamily::Qwen2:  // Qwen2Attention: q/k/v with bias, o without
      c.qkv_bias = true;
      break;
    case ModelFamily::Gemma2:
      c.qkv_bias = c.o_bias = r.get_bool("attention_bias", false);
      break;
    case ModelFamily::Mistral:
      break;
  }

  if (gemma2) {
    // Gemma2MLP reads hidden_activation; Hub configs carry both keys.
    const char* key = r.has("hidden_activation") ? "hidden_activation" : "hidden_act";
    c.hidden_act = parse_activation(r, key, r.get_string(key, "gelu_pytorch_tanh"));
  } else {
    c.hidden_act = parse_activation(r, "hidden_act", r.get_string("hidden_act", "silu"));
  }

  if (gemma2) {
    if (r.get_bool("use_bidirectional_attention", false)) {
      throw Error(r.where("use_bidirectional_attention"),
                  "bidirectional attention is not supported (causal models only)");
    }
    c.norm_plus_one = c.sandwich_norms = c.scale_embeddings = true;
    c.attn_logit_softcap =
        r.present("attn_logit_softcapping") ? r.get_double("attn_logit_softcapping", 0.0) : 50.0;
    c.final_logit_softcap =
        r.present("final_logit_softcapping") ? r.get_double("final_logit_softcapping", 0.0) : 30.0;
    c.query_pre_attn_scalar =
        r.present("query_pre_attn_scalar") ? r.require_double("query_pre_attn_scalar") : 256.0;
    if (c.attn_logit_softcap < 0) throw Error(r.where("attn_logit_softcapping"), "is negative");
    if (c.final_logit_softcap < 0) throw Error(r.where("final_logit_softcapping"), "is negative");
    if (!(c.query_pre_attn_scalar > 0)) {
      throw Error(r.where("query_pre_attn_scalar"), "must be positive");
    }
  }

  // Sliding-window attention: which layers use it differs per family.
  int64_t window = 0;  // LlamaConfig has no sliding window
  if (c.family != ModelFamily::Llama) {
    window = r.present("sliding_window") ? r.get_int("sliding_window", 0) : 4096;
  }
  if (c.family == ModelFamily::Qwen2 && !r.get_bool("use_sliding_window", false)) window = 0;
  if (window < 0) throw Error(r.where("sliding_window"), "must not be negative");
  c.sliding_window = window;
  c.layer_uses_sliding.assign(static_cast<size_t>(c.num_layers), false);
  if (window > 0) {
    if ((gemma2 || c.family == ModelFamily::Qwen2) && r.has("layer_types")) {
      c.layer_uses_sliding = parse_layer_types(r, r.at("layer_types"), c.num_layers);
    } else if (gemma2) {
      for (int64_t i = 0; i < c.num_layers; ++i) c.layer_uses_sliding[i] = i % 2 == 0;
    } else if (c.family == ModelFamily::Qwen2) {
      const int64_t first = r.get_int("max_window_layers", 28);
      for (int64_t i = 0; i < c.num_layers; ++i) c.layer_uses_sliding[i] = i >= first;
    } else {  // Mistral: every layer
      c.layer_uses_sliding.assign(static_cast<size_t>(c.num_layers), true);
    }
  } else if ((gemma2 || c.family == ModelFamily::Qwen2) && r.has("layer_types")) {
    parse_layer_types(r, r.at("layer_types"), c.num_layers);  // still validated
  }

  c.bos_token_id = optional_token(r, "bos_token_id", defaults->bos_token_id);
  c.pad_token_id = optional_token(r, "pad_token_id", defaults->pad_token_id);
  if (!r.present("eos_token_id")) {
    if (defaults->eos_token_id >= 0) c.eos_token_ids.push_back(defaults->eos_token_id);
  } else if (r.at("eos_token_id").is_array()) {
    const json& list = r.at("eos_token_id");
    for (size_t i = 0; i < list.size(); ++i) {
      if (!list[i].is_number_integer()) {
        throw Error(r.where("eos_token_id[" + std::to_string(i) + "]"),
                    "expected an integer, got " + describe(list[i]));
      }
      c.eos_token_ids.push_back(list[i].get<int64_t>());
    }
  } else if (!r.at("eos_token_id").is_null()) {
    c.eos_token_ids.push_back(r.to_int("eos_token_id"));
  }
  c.torch_dtype = r.has("dtype") ? r.get_string("dtype", "") : r.get_string("torch_dtype", "");
  return c;
}

ModelConfig load_model_config(const std::string& path) {
  return parse_model_config(read_file(path), path);
}

std::string model_config_to_json(const ModelConfig& c) {
  const FamilyDefaults& defaults = family_defaults(c.family);
  const bool gemma2 = c.family == ModelFamily::Gemma2;
  auto refuse = [&](const std::string& field, const std::string& why) {
    throw Error("model_config_to_json: field " + field,
                why + " cannot be written for model_type " + defaults.model_type);
  };
  if (static_cast<int64_t>(c.layer_uses_sliding.size()) != c.num_layers) {
    refuse("layer_uses_sliding", "a length other than num_layers");
  }
  if (c.norm_plus_one != gemma2 || c.sandwich_norms != gemma2 || c.scale_embeddings != gemma2) {
    refuse("norm_plus_one", "this combination of Gemma-2 switches");
  }
  if (!gemma2 &&
      (c.attn_logit_softcap != 0 || c.final_logit_softcap != 0 || c.query_pre_attn_scalar != 0)) {
    refuse("attn_logit_softcap", "soft-capping or query_pre_attn_scalar");
  }
  const bool biases_ok = c.family == ModelFamily::Llama   ? c.qkv_bias == c.o_bias
                         : c.family == ModelFamily::Qwen2 ? c.qkv_bias && !c.o_bias && !c.mlp_bias
                         : gemma2                         ? c.qkv_bias == c.o_bias && !c.mlp_bias
                                                          : !c.qkv_bias && !c.o_bias && !c.mlp_bias;
  if (!biases_ok) refuse("qkv_bias", "this combination of biases");
  if (c.rope.type != "default" && c.rope.type != "llama3") refuse("rope.type", c.rope.type);
  bool any_sliding = false;
  for (bool s : c.layer_uses_sliding) any_sliding = any_sliding || s;
  if (any_sliding && c.sliding_window <= 0)
    refuse("layer_uses_sliding", "sliding layers without a window");
  if (c.family == ModelFamily::Llama && any_sliding) refuse("sliding_window", "a sliding window");
  if (c.family == ModelFamily::Mistral && c.sliding_window > 0) {
    for (bool s : c.layer_uses_sliding) {
      if (!s) refuse("layer_uses_sliding", "sliding on only some layers");
    }
  }

  json j;
  j["architectures"] = json::array({defaults.architecture});
  j["model_type"] = c.model_type.empty() ? defaults.model_type : c.model_type;
  j["vocab_size"] = c.vocab_size;
  j["hidden_size"] = c.hidden_size;
  j["intermediate_size"] = c.intermediate_size;
  j["num_hidden_layers"] = c.num_layers;
  j["num_attention_heads"] = c.num_heads;
  j["num_key_value_heads"] = c.num_kv_heads;
  j["head_dim"] = c.head_dim;
  j["max_position_embeddings"] = c.max_position_embeddings;
  j["rms_norm_eps"] = c.rms_norm_eps;
  j["rope_theta"] = c.rope.theta;
  if (c.rope.type == "llama3") {
    j["rope_scaling"] = {
        {"rope_type", "llama3"},
        {"factor", c.rope.factor},
        {"low_freq_factor", c.rope.low_freq_factor},
        {"high_freq_factor", c.rope.high_freq_factor},
        {"original_max_position_embeddings", c.rope.original_max_position_embeddings}};
  } else {
    j["rope_scaling"] = nullptr;
  }
  j["tie_word_embeddings"] = c.tie_word_embeddings;
  j["hidden_act"] = c.hidden_act;
  j["bos_token_id"] = c.bos_token_id >= 0 ? json(c.bos_token_id) : json(nullptr);
  j["pad_token_id"] = c.pad_token_id >= 0 ? json(c.pad_token_id) : json(nullptr);
  if (c.eos_token_ids.empty()) {
    j["eos_token_id"] = nullptr;
  } else if (c.eos_token_ids.size() == 1) {
    j["eos_token_id"] = c.eos_token_ids[0];
  } else {
    j["eos_token_id"] = c.eos_token_ids;
  }
  if (!c.torch_dtype.empty()) j["torch_dtype"] = c.torch_dtype;

  json layer_types = json::array();
  for (bool s : c.layer_uses_sliding)
    layer_types.push_back(s ? "sliding_attention" : "full_attention");
  const json window = c.sliding_window > 0 ? json(c.sliding_window) : json(nullptr);
  switch (c.family) {
    case ModelFamily::Llama:
      j["attention_bias"] = c.qkv_bias;
      j["mlp_bias"] = c.mlp_bias;
      break;
    case ModelFamily::Mistral:
      j["sliding_window"] = window;
      break;
    case ModelFamily::Qwen2: {
      j["use_sliding_window"] = c.sliding_window > 0;
      j["sliding_window"] = window;
      // 4.x reads max_window_layers (sliding from that layer on); newer versions layer_types.
      int64_t first = c.num_layers;
      while (first > 0 && c.layer_uses_sliding[first - 1]) --first;
      j["max_window_layers"] = first;
      if (c.sliding_window > 0) j["layer_types"] = layer_types;
      break;
    }
    case ModelFamily::Gemma2: {
      j["hidden_activation"] = c.hidden_act;
      j["attention_bias"] = c.qkv_bias;
      j["sliding_window"] = window;
      j["layer_types"] = layer_types;
      j["attn_logit_softcapping"] =
          c.attn_logit_softcap > 0 ? json(c.attn_logit_softcap) : json(nullptr);
      j["final_logit_softcapping"] =
          c.final_logit_softcap > 0 ? json(c.final_logit_softcap) : json(nullptr);
      // Gemma2Config types this as int; keep integral values integers.
      const double q = c.query_pre_attn_scalar;
      j["query_pre_attn_scalar"] =
          q == std::floor(q) && std::fabs(q) < 1e15 ? json(static_cast<int64_t>(q)) : json(q);
      break;
    }
  }
  return j.dump(2) + "\n";
}

}  // namespace greater
