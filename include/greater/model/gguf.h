// GGUF, llama.cpp's model file, read without LibTorch (docs/GGUF.md).
//
// Layout (little-endian): magic "GGUF", uint32 version (2 or 3), uint64 tensor count, uint64
// metadata count; metadata entries (key, uint32 value type, value); tensor infos (name,
// uint32 n_dims, uint64 dims fastest-varying first, uint32 ggml type, uint64 offset); then the
// data section at the next multiple of general.alignment (default 32).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace greater {

// GGUF metadata value types, as numbered in the file.
enum class GgufValueType : uint32_t {
  U8 = 0,
  I8 = 1,
  U16 = 2,
  I16 = 3,
  U32 = 4,
  I32 = 5,
  F32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  U64 = 10,
  I64 = 11,
  F64 = 12
};

// One metadata value. Integers and bools live in `integer`, floats in `number`, strings in
// `text`; arrays hold their elements (of `element_type`) in `array`.
struct GgufValue {
  GgufValueType type = GgufValueType::U8;
  GgufValueType element_type = GgufValueType::U8;  // arrays only
  int64_t integer = 0;
  double number = 0.0;
  std::string text;
  std::vector<GgufValue> array;

  bool is_integer() const;  // every integer type and bool
  bool is_float() const;    // F32, F64
};

// ggml tensor types this reader knows the block layout of (numbering of ggml.h).
enum class GgmlType : uint32_t { F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q8_0 = 8, BF16 = 30 };

std::string ggml_type_name(GgmlType type);

struct GgufTensor {
  std::string name;
  GgmlType type = GgmlType::F32;
  std::vector<int64_t> dims;  // as stored: fastest-varying first
  uint64_t offset = 0;        // relative to the data section
  const uint8_t* data = nullptr;
  size_t nbytes = 0;

  int64_t numel() const;
  // PyTorch order (slowest first): a [out, in] weight is stored with dims [in, out].
  std::vector<int64_t> torch_shape() const;
};

class GgufFile {
 public:
  // Maps the file and reads header, metadata and tensor table. Throws greater::Error naming the
  // file (and the key or tensor) for a bad magic or version, a truncated file, an unknown value
  // or tensor type, and tensor data that lies outside the file.
  static std::shared_ptr<GgufFile> open(const std::string& path);

  ~GgufFile();
  GgufFile(const GgufFile&) = delete;
  GgufFile& operator=(const GgufFile&) = delete;

  const std::string& path() const { return path_; }
  uint32_t version() const { return version_; }

  bool has(const std::string& key) const { return metadata_.count(key) > 0; }
  // Errors name the file and the key: missing, or of another type.
  const GgufValue& value(const std::string& key) const;
  std::string get_string(const std::string& key) const;
  int64_t get_int(const std::string& key) const;
  double get_float(const std::string& key) const;  // integers accepted too
  bool get_bool(const std::string& key, bool fallback) const;
  std::vector<std::string> get_string_array(const std::string& key) const;
  std::vector<int64_t> get_int_array(const std::string& key) const;
  const std::map<std::string, GgufValue>& metadata() const { return metadata_; }

  bool contains(const std::string& name) const { return index_.count(name) > 0; }
  // Throws greater::Error naming the file and the tensor when it is absent.
  const GgufTensor& tensor(const std::string& name) const;
  const std::vector<GgufTensor>& tensors() const { return tensors_; }

 private:
  GgufFile() = default;
  std::string path_;
  void* map_ = nullptr;
  size_t map_size_ = 0;
  uint32_t version_ = 0;
  std::map<std::string, GgufValue> metadata_;
  std::vector<GgufTensor> tensors_;
  std::map<std::string, size_t> index_;
};

// The values of a tensor as float32, in PyTorch order. Errors name the file and the tensor.
std::vector<float> dequantize(const GgufTensor& tensor, const std::string& file);

// A .gguf path given as `path`: the path itself when it ends in ".gguf", else the one .gguf
// file in the folder `path` when the folder has no config.json; "" otherwise. Throws when a
// folder without config.json holds several .gguf files.
std::string find_gguf(const std::string& path);

}  // namespace greater
