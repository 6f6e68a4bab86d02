// The GGUF reader on files written by this test: metadata of every value type, v2 and v3,
// every supported tensor type against hand-computed values, the llama config and Q/K
// un-permutation, the tokenizer built from metadata, and one error per kind of bad file.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "greater/common/error.h"
#include "greater/common/file_util.h"
#include "greater/model/gguf.h"
#include "greater/model/gguf_model.h"
#include "greater/model/model_tokenizer.h"
#include "greater/tokenizer/chat_layout.h"

using namespace greater;

namespace {

// A little-endian GGUF writer, independent of the reader.
class GgufWriter {
 public:
  explicit GgufWriter(uint32_t version = 3) : version_(version) {}

  void u8(std::string& o, uint8_t v) { o.push_back(static_cast<char>(v)); }
  template <typename T>
  void put(std::string& o, T v) {
    o.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  void str(std::string& o, const std::string& s) {
    put<uint64_t>(o, s.size());
    o += s;
  }

  void kv_string(const std::string& key, const std::string& value) {
    str(kv_, key), put<uint32_t>(kv_, 8), str(kv_, value), ++n_kv_;
  }
  void kv_u32(const std::string& key, uint32_t value) {
    str(kv_, key), put<uint32_t>(kv_, 4), put<uint32_t>(kv_, value), ++n_kv_;
  }
  void kv_f32(const std::string& key, float value) {
    str(kv_, key), put<uint32_t>(kv_, 6), put<float>(kv_, value), ++n_kv_;
  }
  void kv_bool(const std::string& key, bool value) {
    str(kv_, key), put<uint32_t>(kv_, 7), u8(kv_, value), ++n_kv_;
  }
  void kv_raw(const std::string& key, uint32_t type, const std::string& payload) {
    str(kv_, key), put<uint32_t>(kv_, type), kv_ += payload, ++n_kv_;
  }
  void kv_strings(const std::string& key, const std::vector<std::string>& values) {
    std::string p;
    put<uint32_t>(p, 8), put<uint64_t>(p, values.size());
    for (const auto& v : values) str(p, v);
    kv_raw(key, 9, p);
  }
  void kv_i32s(const std::string& key, const std::vector<int32_t>& values) {
    std::string p;
    put<uint32_t>(p, 5), put<uint64_t>(p, values.size());
    for (int32_t v : values) put<int32_t>(p, v);
    kv_raw(key, 9, p);
  }

  // `dims` fastest-varying first, as GGUF stores them; `bytes` the raw data.
  void tensor(const std::string& name, std::vector<uint64_t> dims, uint32_t type,
              const std::string& bytes) {
    while (data_.size() % 32) data_.push_back('\0');
    str(infos_, name);
    put<uint32_t>(infos_, dims.size());
    for (uint64_t d : dims) put<uint64_t>(infos_, d);
    put<uint32_t>(infos_, type);
    put<uint64_t>(infos_, data_.size());
    data_ += bytes;
    ++n_tensors_;
  }

  std::string bytes() {
    std::string o = "GGUF";
    put<uint32_t>(o, version_), put<uint64_t>(o, n_tensors_), put<uint64_t>(o, n_kv_);
    o += kv_ + infos_;
    while (o.size() % 32) o.push_back('\0');
    return o + data_;
  }

 private:
  uint32_t version_;
  std::string kv_, infos_, data_;
  uint64_t n_kv_ = 0, n_tensors_ = 0;
};

std::string floats(const std::vector<float>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4);
}

// Half-precision bits of a few exact values.
constexpr uint16_t kHalfOne = 0x3C00, kHalfTwo = 0x4000, kHalfHalf = 0x3800, kHalfMinusOne = 0xBC00;

std::string path_for(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "gguf_test";
  std::filesystem::create_directories(dir);
  return dir + "/" + name;
}

std::string write(const std::string& name, const std::string& bytes) {
  const std::string p = path_for(name);
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

void expect_error(const std::string& path, const std::string& fragment) {
  try {
    GgufFile::open(path);
    FAIL() << "no error for " << path;
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find(fragment), std::string::npos) << what;
  }
}

TEST(Gguf, ReadsMetadataOfEveryKindInVersion2And3) {
  for (uint32_t version : {2u, 3u}) {
    GgufWriter w(version);
    w.kv_string("general.architecture", "llama");
    w.kv_u32("a.u32", 4000000000u);
    w.kv_f32("a.f32", 0.25f);
    w.kv_bool("a.bool", true);
    std::string i64;
    w.put<int64_t>(i64, -5);
    w.kv_raw("a.i64", 11, i64);
    w.kv_strings("a.strings", {"x", "", "z z"});
    w.kv_i32s("a.ints", {3, -1});
    w.tensor("t", {2}, 0, floats({1.5f, -2.0f}));
    const std::string p = write("meta" + std::to_string(version) + ".gguf", w.bytes());
    const auto f = GgufFile::open(p);
    EXPECT_EQ(f->version(), version);
    EXPECT_EQ(f->get_string("general.architecture"), "llama");
    EXPECT_EQ(f->get_int("a.u32"), 4000000000LL);
    EXPECT_DOUBLE_EQ(f->get_float("a.f32"), 0.25);
    EXPECT_TRUE(f->get_bool("a.bool", false));
    EXPECT_EQ(f->get_int("a.i64"), -5);
    EXPECT_EQ(f->get_string_array("a.strings"), (std::vector<std::string>{"x", "", "z z"}));
    EXPECT_EQ(f->get_int_array("a.ints"), (std::vector<int64_t>{3, -1}));
    EXPECT_EQ(dequantize(f->tensor("t"), p), (std::vector<float>{1.5f, -2.0f}));
    EXPECT_THROW(f->get_int("general.architecture"), Error);
    EXPECT_THROW(f->get_string("missing.key"), Error);
  }
}

TEST(Gguf, DequantizesEveryTypeToTheValuesItEncodes) {
  GgufWriter w;
  // F16 and BF16: 1, -1, 0.5, 2.
  std::string f16, bf16;
  for (uint16_t h : {kHalfOne, kHalfMinusOne, kHalfHalf, kHalfTwo}) w.put<uint16_t>(f16, h);
  for (uint16_t b : {0x3F80, 0xBF80, 0x3F00, 0x4000}) w.put<uint16_t>(bf16, b);
  w.tensor("f16", {4}, 1, f16);
  w.tensor("bf16", {4}, 30, bf16);
  // Q8_0: d = 0.5, q = j - 16.
  std::string q8;
  w.put<uint16_t>(q8, kHalfHalf);
  for (int j = 0; j < 32; ++j) q8.push_back(static_cast<char>(static_cast<int8_t>(j - 16)));
  w.tensor("q8_0", {32}, 8, q8);
  // Q4_0: d = 2, nibble j (low) = j % 16, high nibble = 15 - j % 16: value = 2 * (q - 8).
  std::string q40;
  w.put<uint16_t>(q40, kHalfTwo);
  for (int j = 0; j < 16; ++j) q40.push_back(static_cast<char>(j | ((15 - j) << 4)));
  w.tensor("q4_0", {32}, 2, q40);
  // Q4_1: d = 0.5, m = -1, same nibbles: value = 0.5 * q - 1.
  std::string q41;
  w.put<uint16_t>(q41, kHalfHalf);
  w.put<uint16_t>(q41, kHalfMinusOne);
  for (int j = 0; j < 16; ++j) q41.push_back(static_cast<char>(j | ((15 - j) << 4)));
  w.tensor("q4_1", {32}, 3, q41);
  const std::string p = write("types.gguf", w.bytes());
  const auto f = GgufFile::open(p);

  EXPECT_EQ(dequantize(f->tensor("f16"), p), (std::vector<float>{1, -1, 0.5, 2}));
  EXPECT_EQ(dequantize(f->tensor("bf16"), p), (std::vector<float>{1, -1, 0.5, 2}));
  const auto q8v = dequantize(f->tensor("q8_0"), p);
  const auto q40v = dequantize(f->tensor("q4_0"), p);
  const auto q41v = dequantize(f->tensor("q4_1"), p);
  for (int j = 0; j < 32; ++j) {
    EXPECT_FLOAT_EQ(q8v[j], 0.5f * (j - 16)) << j;
    const int q = j < 16 ? j : 15 - (j - 16);
    EXPECT_FLOAT_EQ(q40v[j], 2.0f * (q - 8)) << j;
    EXPECT_FLOAT_EQ(q41v[j], 0.5f * q - 1.0f) << j;
  }
}

// A tiny llama file: 2 heads of dim 4 (1 kv head), hidden 8, ffn 32, 1 layer, vocab 32.
GgufWriter tiny_llama(const std::string& architecture = "llama") {
  GgufWriter w;
  w.kv_string("general.architecture", architecture);
  w.kv_u32("llama.block_count", 1);
  w.kv_u32("llama.embedding_length", 8);
  w.kv_u32("llama.feed_forward_length", 32);
  w.kv_u32("llama.attention.head_count", 2);
  w.kv_u32("llama.attention.head_count_kv", 1);
  w.kv_u32("llama.context_length", 64);
  w.kv_f32("llama.rope.freq_base", 100000.0f);
  w.kv_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  auto matrix = [&](const std::string& name, uint64_t out, uint64_t in) {
    std::vector<float> v(out * in);
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i / in);  // value = row
    w.tensor(name, {in, out}, 0, floats(v));
  };
  matrix("token_embd.weight", 32, 8);
  matrix("blk.0.attn_q.weight", 8, 8);
  matrix("blk.0.attn_k.weight", 4, 8);
  matrix("blk.0.attn_v.weight", 4, 8);
  matrix("blk.0.attn_output.weight", 8, 8);
  matrix("blk.0.ffn_gate.weight", 32, 8);
  matrix("blk.0.ffn_up.weight", 32, 8);
  matrix("blk.0.ffn_down.weight", 8, 32);
  w.tensor("blk.0.attn_norm.weight", {8}, 0, floats(std::vector<float>(8, 1)));
  w.tensor("blk.0.ffn_norm.weight", {8}, 0, floats(std::vector<float>(8, 1)));
  w.tensor("output_norm.weight", {8}, 0, floats(std::vector<float>(8, 1)));
  return w;
}

TEST(Gguf, LlamaConfigAndTensorNamesAndQkUnpermutation) {
  const std::string p = write("tiny_llama.gguf", tiny_llama().bytes());
  const auto f = GgufFile::open(p);
  const ModelConfig c = gguf_model_config(*f);
  EXPECT_EQ(c.num_layers, 1);
  EXPECT_EQ(c.hidden_size, 8);
  EXPECT_EQ(c.num_heads, 2);
  EXPECT_EQ(c.num_kv_heads, 1);
  EXPECT_EQ(c.head_dim, 4);
  EXPECT_EQ(c.vocab_size, 32);
  EXPECT_TRUE(c.tie_word_embeddings);
  EXPECT_DOUBLE_EQ(c.rope.theta, 100000.0);
  EXPECT_EQ(gguf_tensor_name("model.layers.0.mlp.down_proj.weight"), "blk.0.ffn_down.weight");
  EXPECT_EQ(gguf_tensor_name("model.layers.12.post_attention_layernorm.weight"),
            "blk.12.ffn_norm.weight");

  // Each GGUF row holds its row index; per head of dim 4, GGUF rows (0 1 2 3) hold HF rows
  // (0 2 1 3): HF row h*4 + i*2 + j is GGUF row h*4 + 2j + i.
  const auto q = read_gguf_tensor(*f, c, "model.layers.0.self_attn.q_proj.weight", {8, 8});
  const std::vector<float> q_rows = {q[0], q[8], q[16], q[24], q[32], q[40], q[48], q[56]};
  EXPECT_EQ(q_rows, (std::vector<float>{0, 2, 1, 3, 4, 6, 5, 7}));
  const auto k = read_gguf_tensor(*f, c, "model.layers.0.self_attn.k_proj.weight", {4, 8});
  EXPECT_EQ((std::vector<float>{k[0], k[8], k[16], k[24]}), (std::vector<float>{0, 2, 1, 3}));
  const auto v = read_gguf_tensor(*f, c, "model.layers.0.self_attn.v_proj.weight", {4, 8});
  EXPECT_EQ((std::vector<float>{v[0], v[8], v[16], v[24]}), (std::vector<float>{0, 1, 2, 3}));
  EXPECT_THROW(read_gguf_tensor(*f, c, "model.layers.0.mlp.up_proj.weight", {8, 32}), Error);
}

TEST(Gguf, ErrorsNameTheFileAndTheProblem) {
  const std::string good = tiny_llama().bytes();
  // Truncated: inside the header, the metadata, the tensor table, and the data.
  for (size_t cut : {size_t{6}, size_t{40}, good.size() / 100, good.size() - 10}) {
    const std::string p = write("cut" + std::to_string(cut) + ".gguf", good.substr(0, cut));
    expect_error(p, cut < good.size() - 100 ? "truncated" : "outside the file");
  }
  std::string bad_magic = good;
  bad_magic[0] = 'X';
  expect_error(write("magic.gguf", bad_magic), "bad magic");
  std::string bad_version = good;
  bad_version[4] = 7;
  expect_error(write("version.gguf", bad_version), "unsupported GGUF version 7");

  GgufWriter unknown;
  unknown.tensor("blk.0.attn_q.weight", {256}, 12 /* Q4_K */, std::string(144, '\0'));
  expect_error(write("q4k.gguf", unknown.bytes()), "tensor blk.0.attn_q.weight");
  expect_error(path_for("q4k.gguf"), "unsupported ggml type 12");

  GgufWriter out_of_bounds;
  out_of_bounds.tensor("big", {4}, 0, floats({1, 2, 3, 4}));
  std::string oob = out_of_bounds.bytes();
  oob.resize(oob.size() - 8);  // the last tensor now ends past the file
  expect_error(write("oob.gguf", oob), "tensor big");

  const std::string qwen = write("qwen.gguf", tiny_llama("qwen2").bytes());
  try {
    gguf_model_config(*GgufFile::open(qwen));
    FAIL() << "qwen2 accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(qwen + ": key general.architecture"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("unsupported architecture \"qwen2\""), std::string::npos);
  }
  GgufWriter no_heads = tiny_llama();
  const std::string p = write("no_tokenizer.gguf", no_heads.bytes());
  try {
    gguf_tokenizer_json(*GgufFile::open(p));
    FAIL() << "a file without tokenizer metadata gave a tokenizer";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(p + ": key tokenizer.ggml.model: missing"),
              std::string::npos)
        << e.what();
  }
}

TEST(Gguf, TokenizerFromMetadata) {
  GgufWriter w;
  w.kv_string("tokenizer.ggml.model", "gpt2");
  w.kv_string("tokenizer.ggml.pre", "smollm");
  // Byte-level alphabet: "Ġ" is the space. Control tokens are special added tokens.
  w.kv_strings("tokenizer.ggml.tokens",
               {"<|im_start|>", "<|im_end|>", "a", "b", "\xC4\xA0", "1", "2", "ab",
                "\xC4\xA0"
                "ab"});
  w.kv_i32s("tokenizer.ggml.token_type", {3, 3, 1, 1, 1, 1, 1, 1, 1});
  w.kv_strings("tokenizer.ggml.merges", {"a b", "\xC4\xA0 ab"});
  w.kv_bool("tokenizer.ggml.add_bos_token", false);
  const std::string p = write("tokenizer.gguf", w.bytes());
  const Tokenizer t = load_tokenizer(p);
  EXPECT_EQ(t.encode("ab ab<|im_end|>12"), (std::vector<TokenId>{7, 8, 1, 5, 6}));
  EXPECT_EQ(t.decode({7, 8, 1}), "ab ab<|im_end|>");
  EXPECT_TRUE(t.is_special(0));

  GgufWriter unknown_pre = w;
  unknown_pre.kv_string("tokenizer.ggml.pre", "mystery");  // a later duplicate key wins
  const std::string q = write("tokenizer_pre.gguf", unknown_pre.bytes());
  try {
    load_tokenizer(q);
    FAIL() << "unknown pre-tokenizer accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(q + ": key tokenizer.ggml.pre"), std::string::npos);
  }
}

TEST(ChatML, DefaultSystemFromTemplateLiterals) {
  const std::string real_newline =
      "{% if loop.first %}{{ '<|im_start|>system\nYou are X<|im_end|>\n' }}{% endif %}";
  const std::string escaped = "{{ '<|im_start|>system\\nBe brief.\\nThanks<|im_end|>\\n' }}";
  const std::string variable = "{{ '<|im_start|>system\n' + message['content'] + '<|im_end|>' }}";
  EXPECT_EQ(chatml_default_system(real_newline), "You are X");
  EXPECT_EQ(chatml_default_system(escaped), "Be brief.\nThanks");
  EXPECT_EQ(chatml_default_system(variable), "");
  EXPECT_EQ(chatml_default_system(""), "");
}

}  // namespace
