// config.json -> ModelConfig for llama, mistral, qwen2 and gemma2, with the defaults that
// transformers applies when a key is absent (configuration_<family>.py), and back.
#include "greater/model/model_config.h"

#include <cmath>

#include "greater/common/error.h"
#include "greater/common/file_util.h"
#include "greater/common/json_fields.h"

namespace greater {
namespace {

std::string in_quotes(const std::string& s) { return "'" + s + "'"; }

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
std::string parse_activation(const JsonPath& at, const std::string& key, const std::string& value) {
  if (value == "silu" || value == "swish") return "silu";
  if (value == "gelu_pytorch_tanh") return value;
  (at / key).fail("unsupported activation " + in_quotes(value) +
                  " (supported: silu, gelu_pytorch_tanh)");
}

// rope_theta plus rope_scaling (transformers 4.x) or rope_parameters (5.x). As in 5.x's
// convert_rope_params_to_dict, a non-null rope_scaling wins over rope_parameters, and a
// rope_theta inside the dict wins over the top-level one.
RopeConfig parse_rope(const Json& root, const JsonPath& at, int64_t max_position_embeddings) {
  RopeConfig rope;
  rope.theta = get_number_or(root, "rope_theta", at, 10000.0);
  if (find_field(root, "partial_rotary_factor") &&
      get_number_or(root, "partial_rotary_factor", at, 1.0) != 1.0) {
    (at / "partial_rotary_factor").fail("partial rotary embeddings are not supported");
  }
  const char* key = find_field(root, "rope_scaling")      ? "rope_scaling"
                    : find_field(root, "rope_parameters") ? "rope_parameters"
                                                          : nullptr;
  if (key == nullptr) {
    rope.original_max_position_embeddings = max_position_embeddings;
    return rope;
  }
  const Json& dict = root.at(key);
  as_object(dict, at / key);
  for (const char* layer_type : {"full_attention", "sliding_attention"}) {
    if (dict.contains(layer_type)) {
      (at / key / layer_type).fail("per-layer-type rope parameters are not supported");
    }
  }
  const JsonPath dict_at = at / key;
  rope.theta = get_number_or(dict, "rope_theta", dict_at, rope.theta);
  const char* type_key = find_field(dict, "rope_type") ? "rope_type" : "type";  // "type": old alias
  rope.type = get_string_or(dict, type_key, dict_at, "default");
  if (find_field(dict, "partial_rotary_factor") &&
      get_number_or(dict, "partial_rotary_factor", dict_at, 1.0) != 1.0) {
    (dict_at / "partial_rotary_factor").fail("partial rotary embeddings are not supported");
  }
  if (rope.type == "default") {
    rope.original_max_position_embeddings = max_position_embeddings;
  } else if (rope.type == "llama3") {
    rope.factor = get_number(dict, "factor", dict_at);
    rope.low_freq_factor = get_number(dict, "low_freq_factor", dict_at);
    rope.high_freq_factor = get_number(dict, "high_freq_factor", dict_at);
    rope.original_max_position_embeddings =
        get_int_or(dict, "original_max_position_embeddings", dict_at, max_position_embeddings);
    if (!(rope.factor > 0)) {
      (dict_at / "factor").fail("must be positive, got " + std::to_string(rope.factor));
    }
    if (!(rope.low_freq_factor > 0) || !(rope.high_freq_factor > rope.low_freq_factor)) {
      (dict_at / "high_freq_factor")
          .fail("llama3 scaling needs 0 < low_freq_factor < high_freq_factor, got " +
                std::to_string(rope.low_freq_factor) + " and " +
                std::to_string(rope.high_freq_factor));
    }
    if (rope.original_max_position_embeddings <= 0) {
      (dict_at / "original_max_position_embeddings").fail("must be positive");
    }
  } else {
    (dict_at / type_key)
        .fail("unsupported rope type " + in_quotes(rope.type) + " (supported: default, llama3)");
  }
  if (!(rope.theta > 0)) {
    (dict_at / "rope_theta").fail("must be positive, got " + std::to_string(rope.theta));
  }
  return rope;
}

// layer_types -> one flag per layer ("sliding_attention" / "full_attention").
std::vector<bool> parse_layer_types(const JsonPath& at, const Json& value, int64_t num_layers) {
  if (!value.is_array()) {
    (at / "layer_types").fail("expected an array of strings, got " + describe_json(value));
  }
  if (static_cast<int64_t>(value.size()) != num_layers) {
    (at / "layer_types")
        .fail("has " + std::to_string(value.size()) + " entries but num_hidden_layers is " +
              std::to_string(num_layers));
  }
  std::vector<bool> sliding;
  for (size_t i = 0; i < value.size(); ++i) {
    const Json& v = value[i];
    const std::string s = v.is_string() ? v.get<std::string>() : "";
    if (s == "sliding_attention") {
      sliding.push_back(true);
    } else if (s == "full_attention") {
      sliding.push_back(false);
    } else {
      (at / "layer_types")[i].fail("expected \"sliding_attention\" or \"full_attention\", got " +
                                   describe_json(v));
    }
  }
  return sliding;
}

int64_t optional_token(const Json& root, const JsonPath& at, const char* key, int64_t fallback) {
  if (!root.contains(key)) return fallback;
  if (root.at(key).is_null()) return -1;
  return as_int(root.at(key), at / key);
}

void require_positive(const JsonPath& at, const std::string& key, int64_t value) {
  if (value <= 0) (at / key).fail("must be positive, got " + std::to_string(value));
}

}  // namespace

double ModelConfig::attention_scale() const {
  const double denominator =
      query_pre_attn_scalar > 0 ? query_pre_attn_scalar : static_cast<double>(head_dim);
  return 1.0 / std::sqrt(denominator);
}

ModelConfig parse_model_config(const std::string& json_text, const std::string& source) {
  const Json root = parse_json(json_text, source);
  const JsonPath at(source);
  as_object(root, at);

  ModelConfig c;
  if (!find_field(root, "model_type")) (at / "model_type").fail("missing");
  c.model_type = get_string(root, "model_type", at);
  const FamilyDefaults* defaults = nullptr;
  for (const auto& f : kFamilies) {
    if (c.model_type == f.model_type) defaults = &f;
  }
  if (defaults == nullptr) {
    (at / "model_type")
        .fail("unsupported model type " + in_quotes(c.model_type) +
              " (supported: llama, mistral, qwen2, gemma2)");
  }
  c.family = defaults->family;
  const bool gemma2 = c.family == ModelFamily::Gemma2;

  c.vocab_size = get_int(root, "vocab_size", at);
  c.hidden_size = get_int(root, "hidden_size", at);
  c.intermediate_size = get_int(root, "intermediate_size", at);
  c.num_layers = get_int(root, "num_hidden_layers", at);
  c.num_heads = get_int(root, "num_attention_heads", at);
  require_positive(at, "vocab_size", c.vocab_size);
  require_positive(at, "hidden_size", c.hidden_size);
  require_positive(at, "intermediate_size", c.intermediate_size);
  require_positive(at, "num_hidden_layers", c.num_layers);
  require_positive(at, "num_attention_heads", c.num_heads);

  // An absent key takes the class default; an explicit null means "same as the heads".
  const int64_t kv_default = c.family == ModelFamily::Mistral ? 8
                             : c.family == ModelFamily::Qwen2 ? 32
                             : gemma2                         ? 4
                                                              : c.num_heads;
  c.num_kv_heads = root.contains("num_key_value_heads")
                       ? get_int_or(root, "num_key_value_heads", at, c.num_heads)
                       : kv_default;
  require_positive(at, "num_key_value_heads", c.num_kv_heads);
  if (c.num_heads % c.num_kv_heads != 0) {
    (at / "num_key_value_heads")
        .fail(std::to_string(c.num_kv_heads) + " does not divide num_attention_heads " +
              std::to_string(c.num_heads));
  }
  if (find_field(root, "head_dim")) {
    c.head_dim = as_int(root.at("head_dim"), at / "head_dim");
  } else if (gemma2 && !root.contains("head_dim")) {
    c.head_dim = 256;  // Gemma2Config's default, not hidden / heads
  } else {
    if (c.hidden_size % c.num_heads != 0) {
      (at / "head_dim")
          .fail("missing, and hidden_size " + std::to_string(c.hidden_size) +
                " is not a multiple of num_attention_heads " + std::to_string(c.num_heads));
    }
    c.head_dim = c.hidden_size / c.num_heads;
  }
  require_positive(at, "head_dim", c.head_dim);
  c.max_position_embeddings =
      get_int_or(root, "max_position_embeddings", at, defaults->max_position_embeddings);
  require_positive(at, "max_position_embeddings", c.max_position_embeddings);
  c.rms_norm_eps = get_number_or(root, "rms_norm_eps", at, 1e-6);
  if (!(c.rms_norm_eps > 0)) (at / "rms_norm_eps").fail("must be positive");

  c.rope = parse_rope(root, at, c.max_position_embeddings);
  c.tie_word_embeddings =
      get_bool_or(root, "tie_word_embeddings", at, defaults->tie_word_embeddings);

  switch (c.family) {
    case ModelFamily::Llama:
      c.qkv_bias = c.o_bias = get_bool_or(root, "attention_bias", at, false);
      c.mlp_bias = get_bool_or(root, "mlp_bias", at, false);
      break;
    case ModelFamily::Qwen2:  // Qwen2Attention: q/k/v with bias, o without
      c.qkv_bias = true;
      break;
    case ModelFamily::Gemma2:
      c.qkv_bias = c.o_bias = get_bool_or(root, "attention_bias", at, false);
      break;
    case ModelFamily::Mistral:
      break;
  }

  if (gemma2) {
    // Gemma2MLP reads hidden_activation; Hub configs carry both keys.
    const char* key = find_field(root, "hidden_activation") ? "hidden_activation" : "hidden_act";
    c.hidden_act = parse_activation(at, key, get_string_or(root, key, at, "gelu_pytorch_tanh"));
  } else {
    c.hidden_act =
        parse_activation(at, "hidden_act", get_string_or(root, "hidden_act", at, "silu"));
  }

  if (gemma2) {
    if (get_bool_or(root, "use_bidirectional_attention", at, false)) {
      (at / "use_bidirectional_attention")
          .fail("bidirectional attention is not supported (causal models only)");
    }
    c.norm_plus_one = c.sandwich_norms = c.scale_embeddings = true;
    c.attn_logit_softcap = root.contains("attn_logit_softcapping")
                               ? get_number_or(root, "attn_logit_softcapping", at, 0.0)
                               : 50.0;
    c.final_logit_softcap = root.contains("final_logit_softcapping")
                                ? get_number_or(root, "final_logit_softcapping", at, 0.0)
                                : 30.0;
    c.query_pre_attn_scalar = root.contains("query_pre_attn_scalar")
                                  ? get_number(root, "query_pre_attn_scalar", at)
                                  : 256.0;
    if (c.attn_logit_softcap < 0) (at / "attn_logit_softcapping").fail("is negative");
    if (c.final_logit_softcap < 0) (at / "final_logit_softcapping").fail("is negative");
    if (!(c.query_pre_attn_scalar > 0)) {
      (at / "query_pre_attn_scalar").fail("must be positive");
    }
  }

  // Sliding-window attention: which layers use it differs per family.
  int64_t window = 0;  // LlamaConfig has no sliding window
  if (c.family != ModelFamily::Llama) {
    window = root.contains("sliding_window") ? get_int_or(root, "sliding_window", at, 0) : 4096;
  }
  if (c.family == ModelFamily::Qwen2 && !get_bool_or(root, "use_sliding_window", at, false))
    window = 0;
  if (window < 0) (at / "sliding_window").fail("must not be negative");
  c.sliding_window = window;
  c.layer_uses_sliding.assign(static_cast<size_t>(c.num_layers), false);
  if (window > 0) {
    if ((gemma2 || c.family == ModelFamily::Qwen2) && find_field(root, "layer_types")) {
      c.layer_uses_sliding = parse_layer_types(at, root.at("layer_types"), c.num_layers);
    } else if (gemma2) {
      for (int64_t i = 0; i < c.num_layers; ++i) c.layer_uses_sliding[i] = i % 2 == 0;
    } else if (c.family == ModelFamily::Qwen2) {
      const int64_t first = get_int_or(root, "max_window_layers", at, 28);
      for (int64_t i = 0; i < c.num_layers; ++i) c.layer_uses_sliding[i] = i >= first;
    } else {  // Mistral: every layer
      c.layer_uses_sliding.assign(static_cast<size_t>(c.num_layers), true);
    }
  } else if ((gemma2 || c.family == ModelFamily::Qwen2) && find_field(root, "layer_types")) {
    parse_layer_types(at, root.at("layer_types"), c.num_layers);  // still validated
  }

  c.bos_token_id = optional_token(root, at, "bos_token_id", defaults->bos_token_id);
  c.pad_token_id = optional_token(root, at, "pad_token_id", defaults->pad_token_id);
  if (!root.contains("eos_token_id")) {
    if (defaults->eos_token_id >= 0) c.eos_token_ids.push_back(defaults->eos_token_id);
  } else if (root.at("eos_token_id").is_array()) {
    const Json& list = root.at("eos_token_id");
    for (size_t i = 0; i < list.size(); ++i)
      c.eos_token_ids.push_back(as_int(list[i], (at / "eos_token_id")[i]));
  } else if (!root.at("eos_token_id").is_null()) {
    c.eos_token_ids.push_back(as_int(root.at("eos_token_id"), at / "eos_token_id"));
  }
  c.torch_dtype = find_field(root, "dtype") ? get_string_or(root, "dtype", at, "")
                                            : get_string_or(root, "torch_dtype", at, "");
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

  Json j;
  j["architectures"] = Json::array({defaults.architecture});
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
  j["bos_token_id"] = c.bos_token_id >= 0 ? Json(c.bos_token_id) : Json(nullptr);
  j["pad_token_id"] = c.pad_token_id >= 0 ? Json(c.pad_token_id) : Json(nullptr);
  if (c.eos_token_ids.empty()) {
    j["eos_token_id"] = nullptr;
  } else if (c.eos_token_ids.size() == 1) {
    j["eos_token_id"] = c.eos_token_ids[0];
  } else {
    j["eos_token_id"] = c.eos_token_ids;
  }
  if (!c.torch_dtype.empty()) j["torch_dtype"] = c.torch_dtype;

  Json layer_types = Json::array();
  for (bool s : c.layer_uses_sliding)
    layer_types.push_back(s ? "sliding_attention" : "full_attention");
  const Json window = c.sliding_window > 0 ? Json(c.sliding_window) : Json(nullptr);
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
          c.attn_logit_softcap > 0 ? Json(c.attn_logit_softcap) : Json(nullptr);
      j["final_logit_softcapping"] =
          c.final_logit_softcap > 0 ? Json(c.final_logit_softcap) : Json(nullptr);
      // Gemma2Config types this as int; keep integral values integers.
      const double q = c.query_pre_attn_scalar;
      j["query_pre_attn_scalar"] =
          q == std::floor(q) && std::fabs(q) < 1e15 ? Json(static_cast<int64_t>(q)) : Json(q);
      break;
    }
  }
  return j.dump(2) + "\n";
}

}  // namespace greater
