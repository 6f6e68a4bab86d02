// safetensors reader/writer and checkpoint folders. The byte-exact buffers are the unit tests of
// huggingface/safetensors `safetensors/src/tensor.rs` (test_serialization, test_empty, ...);
// tests/fixtures/safetensors/ holds the same buffers as files.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "greater/common/error.h"
#include "greater/common/file_util.h"
#include "greater/model/safetensors.h"

namespace greater {
namespace {

namespace fs = std::filesystem;

const std::string kFixtures = std::string(GREATER_SOURCE_DIR) + "/tests/fixtures/safetensors";

template <size_t N>
std::string bytes_of(const char (&literal)[N]) {
  return std::string(literal, N - 1);  // keeps embedded NULs, drops the terminator
}

std::string u8s(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

template <typename T>
std::string le_bytes(std::initializer_list<T> values) {
  std::string out;
  for (T v : values) {
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));  // the test machines are little-endian, like the format
    out.append(buf, sizeof(T));
  }
  return out;
}

std::string bf16_bytes(std::initializer_list<float> values) {
  std::string out;
  for (float v : values) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    out.push_back(static_cast<char>((bits >> 16) & 0xFF));
    out.push_back(static_cast<char>(bits >> 24));
  }
  return out;
}

std::vector<float> floats_of(const TensorView& t) {
  std::vector<float> out(t.nbytes / 4);
  std::memcpy(out.data(), t.data, t.nbytes);
  return out;
}

// "{...}" -> 8-byte length + header padded with spaces to a multiple of 8 + data.
std::string st_file(std::string header, const std::string& data) {
  header.append((8 - header.size() % 8) % 8, ' ');
  std::string out;
  const uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  return out + header + data;
}

// The F32 [1, 2, 3] tensor 0..5 of tensor.rs test_serialization, as bytes.
std::string attn_floats() { return le_bytes<float>({0, 1, 2, 3, 4, 5}); }

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "greater-st-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& bytes) {
    const std::string path = join_path(dir_, name);
    write_file_atomic(path, bytes);
    return path;
  }

  std::string dir_;
};

// Runs `action`, which must throw greater::Error mentioning every phrase.
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

// ---- byte-exact serialization (tensor.rs unit tests) ----

TEST(SafetensorsWriter, MatchesUpstreamTestSerialization) {
  const std::string expected =
      u8s({64, 0,  0,   0,   0,   0,   0,   0,   123, 34,  97,  116, 116, 110, 46,  48,
           34, 58, 123, 34,  100, 116, 121, 112, 101, 34,  58,  34,  70,  51,  50,  34,
           44, 34, 115, 104, 97,  112, 101, 34,  58,  91,  49,  44,  50,  44,  51,  93,
           44, 34, 100, 97,  116, 97,  95,  111, 102, 102, 115, 101, 116, 115, 34,  58,
           91, 48, 44,  50,  52,  93,  125, 125, 0,   0,   0,   0,   0,   0,   128, 63,
           0,  0,  0,   64,  0,   0,   64,  64,  0,   0,   128, 64,  0,   0,   160, 64});
  const std::string out =
      serialize_safetensors({{"attn.0", StDType::F32, {1, 2, 3}, attn_floats()}});
  EXPECT_EQ(out, expected);
  EXPECT_EQ(out, read_file(kFixtures + "/upstream_serialization.safetensors"));
}

TEST(SafetensorsWriter, MatchesUpstreamForcedAlignment) {
  const std::string expected =
      u8s({72,  0,   0,   0,   0,   0,   0,   0,   123, 34, 97, 116, 116, 110, 48,  34,  58,  123,
           34,  100, 116, 121, 112, 101, 34,  58,  34,  70, 51, 50,  34,  44,  34,  115, 104, 97,
           112, 101, 34,  58,  91,  49,  44,  49,  44,  50, 44, 51,  93,  44,  34,  100, 97,  116,
           97,  95,  111, 102, 102, 115, 101, 116, 115, 34, 58, 91,  48,  44,  50,  52,  93,  125,
           125, 32,  32,  32,  32,  32,  32,  32,  0,   0,  0,  0,   0,   0,   128, 63,  0,   0,
           0,   64,  0,   0,   64,  64,  0,   0,   128, 64, 0,  0,   160, 64});
  const std::string out =
      serialize_safetensors({{"attn0", StDType::F32, {1, 1, 2, 3}, attn_floats()}});
  EXPECT_EQ(out, expected);
  EXPECT_EQ(out, read_file(kFixtures + "/upstream_forced_alignment.safetensors"));
}

TEST(SafetensorsWriter, MatchesUpstreamTestEmpty) {
  EXPECT_EQ(serialize_safetensors({}),
            u8s({8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32}));
  const std::string with_metadata =
      u8s({40,  0,   0,   0,  0,  0,  0,   0,   123, 34,  95,  95,  109, 101, 116, 97,
           100, 97,  116, 97, 95, 95, 34,  58,  123, 34,  102, 114, 97,  109, 101, 119,
           111, 114, 107, 34, 58, 34, 112, 116, 34,  125, 125, 32,  32,  32,  32,  32});
  EXPECT_EQ(serialize_safetensors({}, {{"framework", "pt"}}), with_metadata);
  EXPECT_EQ(with_metadata, read_file(kFixtures + "/upstream_empty_metadata.safetensors"));
}

TEST(SafetensorsWriter, OrdersLikeTheReferenceWriter) {
  // tensor.rs sorts by its Dtype enum, descending (U64 > I64 > F64 > F32 > ... > BOOL), then
  // by name; each tensor's offset is then a multiple of its element size.
  const std::string out = serialize_safetensors({
      {"b", StDType::U8, {1}, u8s({7})},
      {"a", StDType::F64, {1}, le_bytes<double>({1.5})},
      {"c", StDType::I64, {1}, le_bytes<int64_t>({-3})},
      {"d", StDType::U64, {1}, le_bytes<uint64_t>({9})},
      {"f", StDType::F16, {1}, u8s({0x00, 0x3C})},
      {"e", StDType::BF16, {1}, bf16_bytes({1.0f})},
      {"g", StDType::F32, {}, le_bytes<float>({2.0f})},
  });
  const std::string expected_header =
      "{\"d\":{\"dtype\":\"U64\",\"shape\":[1],\"data_offsets\":[0,8]},"
      "\"c\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[8,16]},"
      "\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[16,24]},"
      "\"g\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[24,28]},"
      "\"e\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[28,30]},"
      "\"f\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[30,32]},"
      "\"b\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[32,33]}}";
  ASSERT_GE(out.size(), 8 + expected_header.size());
  EXPECT_EQ(out.substr(8, expected_header.size()), expected_header);
  EXPECT_EQ((out.size() - 33) % 8, 0u);
}

TEST(SafetensorsWriter, EscapesNamesAndMetadataLikeSerde) {
  const std::string out =
      serialize_safetensors({{"a\"b\\c\n\x01", StDType::U8, {0}, ""}}, {{"k\t", "v\xc3\xa9/"}});
  const std::string header =
      "{\"__metadata__\":{\"k\\t\":\"v\xc3\xa9/\"},"
      "\"a\\\"b\\\\c\\n\\u0001\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}}";
  EXPECT_EQ(out.substr(8, header.size()), header);
}

TEST(SafetensorsWriter, RejectsInconsistentTensors) {
  expect_error(
      [] {
        serialize_safetensors({{"w", StDType::F32, {2, 2}, std::string(12, '\0')}});
      },
      {"tensor 'w'", "has 12 bytes", "need 16"});
  expect_error(
      [] {
        serialize_safetensors({{"w", StDType::F32, {-1}, ""}});
      },
      {"tensor 'w'", "negative dimension -1"});
  expect_error(
      [] {
        serialize_safetensors({{"w", StDType::U8, {1}, "a"}, {"w", StDType::U8, {1}, "b"}});
      },
      {"tensor 'w'", "given twice"});
  expect_error(
      [] {
        serialize_safetensors({{"__metadata__", StDType::U8, {1}, "a"}});
      },
      {"reserved"});
  expect_error(
      [] {
        serialize_safetensors({{"bad\xff", StDType::U8, {1}, "a"}});
      },
      {"not valid UTF-8"});
}

TEST(SafetensorsDType, NamesSizesAndUnknown) {
  const std::vector<std::pair<StDType, size_t>> all = {
      {StDType::BOOL, 1}, {StDType::U8, 1},      {StDType::I8, 1},     {StDType::I16, 2},
      {StDType::U16, 2},  {StDType::F16, 2},     {StDType::BF16, 2},   {StDType::I32, 4},
      {StDType::U32, 4},  {StDType::F32, 4},     {StDType::F64, 8},    {StDType::I64, 8},
      {StDType::U64, 8},  {StDType::F8_E5M2, 1}, {StDType::F8_E4M3, 1}};
  for (const auto& [dtype, size] : all) {
    EXPECT_EQ(parse_st_dtype(st_dtype_name(dtype), "x"), dtype);
    EXPECT_EQ(st_dtype_size(dtype), size) << st_dtype_name(dtype);
  }
  EXPECT_EQ(st_dtype_name(StDType::BF16), "BF16");
  expect_error([] { parse_st_dtype("F4", "model.safetensors: tensor 'w'"); },
               {"model.safetensors: tensor 'w'", "unknown dtype 'F4'"});
}

// ---- reading ----

TEST(SafetensorsReader, ReadsUpstreamSerialization) {
  const std::string path = kFixtures + "/upstream_serialization.safetensors";
  auto file = SafetensorsFile::open(path);
  EXPECT_EQ(file->path(), path);
  EXPECT_EQ(file->names(), std::vector<std::string>{"attn.0"});
  EXPECT_TRUE(file->metadata().empty());
  const TensorView& t = file->tensor("attn.0");
  EXPECT_EQ(t.name, "attn.0");
  EXPECT_EQ(t.dtype, StDType::F32);
  EXPECT_EQ(t.shape, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(t.numel(), 6);
  EXPECT_EQ(t.nbytes, 24u);
  EXPECT_EQ(t.file, path);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data) % 4, 0u);
  EXPECT_EQ(floats_of(t), (std::vector<float>{0, 1, 2, 3, 4, 5}));
}

TEST(SafetensorsReader, ReadsUpstreamSmallCases) {
  auto aligned = SafetensorsFile::open(kFixtures + "/upstream_forced_alignment.safetensors");
  EXPECT_EQ(aligned->tensor("attn0").shape, (std::vector<int64_t>{1, 1, 2, 3}));
  EXPECT_EQ(floats_of(aligned->tensor("attn0")), (std::vector<float>{0, 1, 2, 3, 4, 5}));

  auto empty = SafetensorsFile::open(kFixtures + "/upstream_empty.safetensors");
  EXPECT_TRUE(empty->names().empty());

  auto meta = SafetensorsFile::open(kFixtures + "/upstream_empty_metadata.safetensors");
  EXPECT_TRUE(meta->names().empty());
  EXPECT_EQ(meta->metadata(), (std::map<std::string, std::string>{{"framework", "pt"}}));

  auto i32 = SafetensorsFile::open(kFixtures + "/upstream_deserialization.safetensors");
  const TensorView& t = i32->tensor("test");
  EXPECT_EQ(t.dtype, StDType::I32);
  EXPECT_EQ(t.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(t.data), t.nbytes), std::string(16, '\0'));

  // test_empty_shapes_allowed: a 0-rank tensor holds one element.
  auto scalar = SafetensorsFile::open(kFixtures + "/upstream_scalar_i32.safetensors");
  EXPECT_TRUE(scalar->tensor("test").shape.empty());
  EXPECT_EQ(scalar->tensor("test").numel(), 1);
  EXPECT_EQ(scalar->tensor("test").nbytes, 4u);

  // test_zero_sized_tensor: shape [2, 0], no bytes, header with a space inside [0, 0].
  auto zero = SafetensorsFile::open(kFixtures + "/upstream_zero_sized.safetensors");
  EXPECT_EQ(zero->tensor("test").shape, (std::vector<int64_t>{2, 0}));
  EXPECT_EQ(zero->tensor("test").numel(), 0);
  EXPECT_EQ(zero->tensor("test").nbytes, 0u);

  // test_whitespace_padded_header: JSON whitespace after the object is fine.
  auto padded = SafetensorsFile::open(kFixtures + "/upstream_whitespace_padded.safetensors");
  EXPECT_TRUE(padded->names().empty());
}

TEST(SafetensorsReader, MissingTensorNamesTheFile) {
  const std::string path = kFixtures + "/upstream_serialization.safetensors";
  auto file = SafetensorsFile::open(path);
  EXPECT_FALSE(file->contains("attn.1"));
  expect_error([&] { file->tensor("attn.1"); }, {path, "no tensor named 'attn.1'"});
  expect_error([] { SafetensorsFile::open("/nonexistent/x.safetensors"); },
               {"/nonexistent/x.safetensors", "cannot open"});
}

using SafetensorsRoundTrip = TempDir;

TEST_F(SafetensorsRoundTrip, MixedDtypesWithMetadata) {
  const std::vector<TensorData> tensors = {
      {"model.embed_tokens.weight", StDType::BF16, {2, 3}, bf16_bytes({1, -2, 0.5f, 3, 0, -0.25f})},
      {"model.norm.weight", StDType::F32, {3}, le_bytes<float>({1.5f, -2.25f, 1e-3f})},
      {"half", StDType::F16, {2}, u8s({0x00, 0x3C, 0x00, 0xC0})},  // 1.0, -2.0
      {"ids", StDType::I64, {1, 4}, le_bytes<int64_t>({0, -1, 128000, INT64_MAX})},
      {"loss", StDType::F32, {}, le_bytes<float>({2.5f})},
      {"empty", StDType::F32, {0, 5}, ""},
  };
  const std::map<std::string, std::string> metadata = {{"format", "pt"}, {"step", "12"}};
  const std::string path = join_path(dir_, "model.safetensors");
  write_safetensors(path, tensors, metadata);
  EXPECT_FALSE(file_exists(path + ".tmp"));

  auto file = SafetensorsFile::open(path);
  EXPECT_EQ(file->metadata(), metadata);
  EXPECT_EQ(file->names(),
            (std::vector<std::string>{"empty", "half", "ids", "loss", "model.embed_tokens.weight",
                                      "model.norm.weight"}));
  for (const TensorData& want : tensors) {
    const TensorView& got = file->tensor(want.name);
    EXPECT_EQ(got.dtype, want.dtype) << want.name;
    EXPECT_EQ(got.shape, want.shape) << want.name;
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(got.data), got.nbytes), want.bytes)
        << want.name;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(got.data) % st_dtype_size(got.dtype), 0u) << want.name;
  }
  // Writing what was read gives the same bytes back.
  std::vector<TensorData> again;
  for (const std::string& name : file->names()) {
    const TensorView& t = file->tensor(name);
    again.push_back(
        {name, t.dtype, t.shape, std::string(reinterpret_cast<const char*>(t.data), t.nbytes)});
  }
  EXPECT_EQ(serialize_safetensors(again, metadata), read_file(path));
}

// ---- corrupt files: every error names the file and says what is wrong ----

struct CorruptCase {
  const char* name;
  std::string bytes;
  std::vector<std::string> phrases;
};

std::vector<CorruptCase> corrupt_cases() {
  const std::string i32_2x2 =
      "{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
  const std::string zeros16(16, '\0');
  std::string attack = "{";
  for (int i = 0; i < 10; ++i) {
    attack += std::string(i ? "," : "") + "\"weight_" + std::to_string(i) +
              "\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}";
  }
  attack += "}";
  return {
      // tensor.rs test_header_too_small, and a 7-byte file.
      {"empty", "", {"file is 0 bytes", "shorter than the 8-byte header"}},
      {"seven_bytes", std::string(7, '\0'), {"file is 7 bytes"}},
      // test_header_too_large
      {"header_too_large",
       bytes_of("<\x00\x00\x00\x00\xff\xff\xff{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],"
                "\"data_offsets\":[0,16]}}\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
                "\x00\x00\x00"),
       {"exceeds the limit of 100000000 bytes"}},
      {"header_just_over_limit",
       u8s({0x01, 0xE1, 0xF5, 0x05, 0, 0, 0, 0}) + "{}",
       {"header length 100000001 exceeds"}},
      // test_invalid_header_length
      {"header_past_end",
       bytes_of("<\x00\x00\x00\x00\x00\x00\x00"),
       {"header length 60 runs past the end of the file (8 bytes)"}},
      // test_invalid_header_non_utf8
      {"non_utf8", bytes_of("\x01\x00\x00\x00\x00\x00\x00\x00\xff"), {"not valid UTF-8"}},
      {"overlong_utf8", st_file("{\"\xc0\xaf\":1}", ""), {"not valid UTF-8"}},
      // test_invalid_header_not_json
      {"not_json", bytes_of("\x01\x00\x00\x00\x00\x00\x00\x00{"), {"header is not valid JSON"}},
      {"not_object", st_file("[1,2]", ""), {"header is not a JSON object"}},
      {"entry_not_object", st_file("{\"w\":5}", ""), {"tensor 'w'", "must be a JSON object"}},
      {"missing_dtype",
       st_file("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", std::string(4, '\0')),
       {"tensor 'w'", "no \"dtype\""}},
      {"missing_shape",
       st_file("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", std::string(4, '\0')),
       {"tensor 'w'", "no \"shape\""}},
      {"missing_offsets",
       st_file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", std::string(4, '\0')),
       {"tensor 'w'", "no \"data_offsets\""}},
      {"unknown_dtype",
       st_file("{\"w\":{\"dtype\":\"F7\",\"shape\":[1],\"data_offsets\":[0,1]}}", "x"),
       {"tensor 'w'", "unknown dtype 'F7'"}},
      {"dtype_not_string",
       st_file("{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", std::string(4, '\0')),
       {"tensor 'w'", "dtype must be a string"}},
      {"negative_dim",
       st_file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1,2],\"data_offsets\":[0,0]}}", ""),
       {"tensor 'w'", "negative dimension -1"}},
      {"fractional_dim",
       st_file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}",
               std::string(4, '\0')),
       {"tensor 'w'", "dimension must be a non-negative integer"}},
      {"shape_not_array",
       st_file("{\"w\":{\"dtype\":\"F32\",\"shape\":3,\"data_offsets\":[0,12]}}",
               std::string(12, '\0')),
       {"tensor 'w'", "shape must be an array"}},
      {"offsets_three",
       st_file("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1,2]}}", "x"),
       {"tensor 'w'", "data_offsets must be an array [begin, end]"}},
      {"offsets_reversed",
       st_file("{\"w\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[4,0]}}",
               std::string(4, '\0')),
       {"tensor 'w'", "end 0 is before begin 4"}},
      // test_invalid_info
      {"size_mismatch",
       bytes_of("<\x00\x00\x00\x00\x00\x00\x00{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],"
                "\"data_offsets\":[0, 4]}}"),
       {"tensor 'test'", "byte size 4", "does not match shape [2,2] of I32 (16 bytes)"}},
      // test_validation_overflow, both buffers
      {"overflow_dim",
       bytes_of("O\x00\x00\x00\x00\x00\x00\x00{\"test\":{\"dtype\":\"I32\",\"shape\":[2,"
                "18446744073709551614],\"data_offsets\":[0,16]}}\x00\x00\x00\x00\x00\x00\x00"
                "\x00\x00\x00\x00\x00\x00\x00\x00\x00"),
       {"tensor 'test'", "dimension 18446744073709551614 is too large"}},
      {"overflow_bytes",
       bytes_of("N\x00\x00\x00\x00\x00\x00\x00{\"test\":{\"dtype\":\"I32\",\"shape\":[2,"
                "9223372036854775807],\"data_offsets\":[0,16]}}\x00\x00\x00\x00\x00\x00\x00\x00"
                "\x00\x00\x00\x00\x00\x00\x00\x00"),
       {"tensor 'test'", "overflows the byte size"}},
      // test_metadata_incomplete_buffer, both buffers
      {"trailing_bytes",
       st_file(i32_2x2, zeros16 + "extra_bogus_data_for_polyglot_file"),
       {"trailing bytes", "cover 16 bytes of a 50-byte data buffer"}},
      {"missing_bytes",
       st_file(i32_2x2, std::string(14, '\0')),
       {"tensor 'test'", "runs past the end of the file", "14 bytes"}},
      {"gap",
       st_file("{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]},"
               "\"b\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[8,12]}}",
               std::string(12, '\0')),
       {"tensor 'b'", "gap in the data buffer: starts at byte 8", "end at 4"}},
      {"starts_late",
       st_file("{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,8]}}",
               std::string(8, '\0')),
       {"tensor 'a'", "gap"}},
      {"overlap",
       st_file("{\"a\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]},"
               "\"b\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[4,12]}}",
               std::string(12, '\0')),
       {"tensor 'b'", "overlaps tensor 'a'"}},
      // test_json_attack: ten tensors on the same 16 bytes.
      {"json_attack", st_file(attack, zeros16), {"overlaps tensor 'weight_0'"}},
      {"duplicate_name",
       st_file("{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
               "\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}",
               "ab"),
       {"duplicate entry 'w'"}},
      {"metadata_not_object",
       st_file("{\"__metadata__\":[\"a\"]}", ""),
       {"__metadata__", "must be an object of strings"}},
      {"metadata_value_not_string",
       st_file("{\"__metadata__\":{\"step\":12}}", ""),
       {"__metadata__", "value of 'step' must be a string, got 12"}},
  };
}

using SafetensorsCorrupt = TempDir;

TEST_F(SafetensorsCorrupt, EveryProblemIsNamed) {
  for (const CorruptCase& c : corrupt_cases()) {
    SCOPED_TRACE(c.name);
    const std::string path = write(std::string(c.name) + ".safetensors", c.bytes);
    std::vector<std::string> phrases = c.phrases;
    phrases.push_back(path);
    expect_error([&] { SafetensorsFile::open(path); }, phrases);
  }
}

// ---- checkpoint folders ----

class CheckpointFilesTest : public TempDir {
 protected:
  // Two shards as transformers writes them, plus the index.
  void write_sharded(const std::string& index_text) {
    write_safetensors(
        join_path(dir_, "model-00001-of-00002.safetensors"),
        {{"model.embed_tokens.weight", StDType::F32, {2, 2}, le_bytes<float>({1, 2, 3, 4})},
         {"model.layers.0.input_layernorm.weight", StDType::F32, {2}, le_bytes<float>({5, 6})}});
    write_safetensors(join_path(dir_, "model-00002-of-00002.safetensors"),
                      {{"model.norm.weight", StDType::BF16, {2}, bf16_bytes({7, 8})},
                       {"lm_head.weight", StDType::F32, {2, 2}, le_bytes<float>({9, 10, 11, 12})}});
    write("model.safetensors.index.json", index_text);
  }
  static std::string good_index() {
    return R"({"metadata": {"total_size": 44}, "weight_map": {
      "lm_head.weight": "model-00002-of-00002.safetensors",
      "model.embed_tokens.weight": "model-00001-of-00002.safetensors",
      "model.layers.0.input_layernorm.weight": "model-00001-of-00002.safetensors",
      "model.norm.weight": "model-00002-of-00002.safetensors"}})";
  }
  std::string index_path() const { return join_path(dir_, "model.safetensors.index.json"); }
};

TEST_F(CheckpointFilesTest, SingleFile) {
  write_safetensors(join_path(dir_, "model.safetensors"),
                    {{"a", StDType::F32, {1}, le_bytes<float>({3})},
                     {"b", StDType::I64, {}, le_bytes<int64_t>({4})}});
  CheckpointFiles files = CheckpointFiles::open_folder(dir_);
  EXPECT_EQ(files.names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(files.contains("a"));
  EXPECT_FALSE(files.contains("c"));
  EXPECT_EQ(floats_of(files.tensor("a")), std::vector<float>{3});
  EXPECT_EQ(files.tensor("b").file, join_path(dir_, "model.safetensors"));
  expect_error([&] { files.tensor("c"); },
               {join_path(dir_, "model.safetensors"), "no tensor named 'c'"});
}

TEST_F(CheckpointFilesTest, ShardedIndex) {
  write_sharded(good_index());
  CheckpointFiles files = CheckpointFiles::open_folder(dir_ + "/");
  EXPECT_EQ(files.names(), (std::vector<std::string>{"lm_head.weight", "model.embed_tokens.weight",
                                                     "model.layers.0.input_layernorm.weight",
                                                     "model.norm.weight"}));
  const TensorView& embed = files.tensor("model.embed_tokens.weight");
  const TensorView& norm0 = files.tensor("model.layers.0.input_layernorm.weight");
  const TensorView& head = files.tensor("lm_head.weight");
  const TensorView& norm = files.tensor("model.norm.weight");
  EXPECT_EQ(floats_of(embed), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(floats_of(norm0), (std::vector<float>{5, 6}));
  EXPECT_EQ(floats_of(head), (std::vector<float>{9, 10, 11, 12}));
  EXPECT_EQ(norm.dtype, StDType::BF16);
  EXPECT_EQ(norm.file, join_path(dir_, "model-00002-of-00002.safetensors"));
  EXPECT_EQ(embed.file, join_path(dir_, "model-00001-of-00002.safetensors"));
  // Tensors of one shard come from one mapping: their addresses differ by their offsets.
  EXPECT_EQ(norm0.data - embed.data, 16);
  EXPECT_EQ(norm.data - head.data, 16);
  expect_error([&] { files.tensor("model.layers.1.mlp.up_proj.weight"); },
               {index_path(), "no tensor named 'model.layers.1.mlp.up_proj.weight'"});
}

TEST_F(CheckpointFilesTest, SingleFileWinsOverIndex) {
  write_sharded(good_index());
  write_safetensors(join_path(dir_, "model.safetensors"), {{"only", StDType::U8, {1}, "x"}});
  EXPECT_EQ(CheckpointFiles::open_folder(dir_).names(), std::vector<std::string>{"only"});
}

TEST_F(CheckpointFilesTest, Errors) {
  expect_error([&] { CheckpointFiles::open_folder(dir_); },
               {dir_, "neither model.safetensors nor model.safetensors.index.json"});
  write_sharded("{\"weight_map\": ");
  expect_error([&] { CheckpointFiles::open_folder(dir_); }, {index_path(), "not valid JSON"});
  write("model.safetensors.index.json", "[1]");
  expect_error([&] { CheckpointFiles::open_folder(dir_); },
               {index_path(), "must be a JSON object"});
  write("model.safetensors.index.json", R"({"metadata": {}})");
  expect_error([&] { CheckpointFiles::open_folder(dir_); }, {index_path(), "no \"weight_map\""});
  write("model.safetensors.index.json", R"({"weight_map": ["a"]})");
  expect_error([&] { CheckpointFiles::open_folder(dir_); },
               {index_path(), "weight_map", "must be an object"});
  write("model.safetensors.index.json", R"({"weight_map": {"lm_head.weight": 2}})");
  expect_error([&] { CheckpointFiles::open_folder(dir_); },
               {index_path(), "tensor 'lm_head.weight'", "shard must be a file name string"});
  write("model.safetensors.index.json",
        R"({"weight_map": {"lm_head.weight": "model-00003-of-00003.safetensors"}})");
  expect_error([&] { CheckpointFiles::open_folder(dir_); },
               {index_path(), "tensor 'lm_head.weight'",
                "shard 'model-00003-of-00003.safetensors' is missing"});
  write(
      "model.safetensors.index.json",
      R"({"weight_map": {"model.layers.9.mlp.up_proj.weight": "model-00001-of-00002.safetensors"}})");
  expect_error([&] { CheckpointFiles::open_folder(dir_); },
               {index_path(), "tensor 'model.layers.9.mlp.up_proj.weight'",
                "listed in the index but not present in shard 'model-00001-of-00002.safetensors'"});
  write("model.safetensors.index.json", R"({"weight_map": {"w": "../model.safetensors"}})");
  expect_error([&] { CheckpointFiles::open_folder(dir_); },
               {index_path(), "must be a file inside the folder"});
  // A corrupt shard reports the shard itself.
  write("model-00002-of-00002.safetensors", "short");
  write("model.safetensors.index.json", good_index());
  expect_error([&] { CheckpointFiles::open_folder(dir_); },
               {join_path(dir_, "model-00002-of-00002.safetensors"), "file is 5 bytes"});
}

}  // namespace
}  // namespace greater
