// The safetensors format, read and written without LibTorch.
//
// Layout: 8-byte little-endian header length N, N bytes of JSON
// {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}},
// then the byte buffer. Offsets are relative to the buffer and must tile it exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace greater {

enum class StDType { BOOL, U8, I8, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64, F8_E5M2, F8_E4M3 };

// "BF16" -> StDType::BF16; throws greater::Error(source, ...) for an unknown name.
StDType parse_st_dtype(const std::string& name, const std::string& source);
std::string st_dtype_name(StDType dtype);
size_t st_dtype_size(StDType dtype);

// A tensor inside a mapped file: valid while its SafetensorsFile lives.
struct TensorView {
  std::string name;
  StDType dtype = StDType::F32;
  std::vector<int64_t> shape;
  const uint8_t* data = nullptr;
  size_t nbytes = 0;
  std::string file;  // the file it came from, for error messages

  int64_t numel() const;
};

class SafetensorsFile {
 public:
  // Maps the file read-only and validates the header: length, JSON, dtypes, shapes against
  // byte sizes, offsets tiling the buffer. Errors name the file and the tensor.
  static std::shared_ptr<SafetensorsFile> open(const std::string& path);

  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::string& path() const { return path_; }
  bool contains(const std::string& name) const { return tensors_.count(name) > 0; }
  // Throws greater::Error naming the file when the tensor is absent.
  const TensorView& tensor(const std::string& name) const;
  std::vector<std::string> names() const;  // sorted
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

 private:
  SafetensorsFile() = default;
  std::string path_;
  void* map_ = nullptr;
  size_t map_size_ = 0;
  std::map<std::string, TensorView> tensors_;
  std::map<std::string, std::string> metadata_;
};

// A tensor to write: bytes are little-endian, C order.
struct TensorData {
  std::string name;
  StDType dtype = StDType::F32;
  std::vector<int64_t> shape;
  std::string bytes;
};

// Serializes as the reference writer does: tensors sorted by descending dtype size, then
// name; header padded with spaces to a multiple of 8.
std::string serialize_safetensors(const std::vector<TensorData>& tensors,
                                  const std::map<std::string, std::string>& metadata = {});
void write_safetensors(const std::string& path, const std::vector<TensorData>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// A checkpoint folder: model.safetensors, or model.safetensors.index.json with shards.
class CheckpointFiles {
 public:
  // Throws greater::Error naming the folder when neither file exists, or the index when it is
  // malformed or names a shard that is missing.
  static CheckpointFiles open_folder(const std::string& folder);

  bool contains(const std::string& name) const;
  // Throws greater::Error naming the file (or the index) when the tensor is missing.
  const TensorView& tensor(const std::string& name) const;
  std::vector<std::string> names() const;  // sorted, over all shards

 private:
  std::string folder_;
  std::map<std::string, std::shared_ptr<SafetensorsFile>> by_tensor_;
};

}  // namespace greater
