// GGUF reader: header, metadata and tensor table of a memory-mapped file (docs/GGUF.md).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>
#include <cerrno>
#include <cstring>
#include <limits>

#include "greater/common/error.h"
#include "greater/common/file_util.h"
#include "greater/model/gguf.h"

namespace greater {

namespace {

// A bounds-checked little-endian cursor over the mapped bytes. Every read past the end is a
// "truncated" error that says what was being read, so a cut file never crashes the reader.
class Cursor {
 public:
  Cursor(const uint8_t* data, size_t size, const std::string& path)
      : data_(data), size_(size), path_(path) {}

  size_t position() const { return pos_; }

  const uint8_t* take(uint64_t n, const std::string& what) {
    if (n > size_ - pos_)
      throw Error(path_, "truncated: the file ends inside " + what + " (offset " +
                             std::to_string(pos_) + ", " + std::to_string(size_) + " bytes)");
    const uint8_t* p = data_ + pos_;
    pos_ += n;
    return p;
  }
  template <typename T>
  T read(const std::string& what) {
    T v;
    std::memcpy(&v, take(sizeof(T), what), sizeof(T));  // the file and every target are LE
    return v;
  }
  std::string read_string(const std::string& what) {
    const uint64_t n = read<uint64_t>(what);
    const uint8_t* p = take(n, what);
    return std::string(reinterpret_cast<const char*>(p), n);
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  const std::string& path_;
};

GgufValue read_value(Cursor& in, GgufValueType type, const std::string& where,
                     const std::string& path) {
  GgufValue v;
  v.type = type;
  switch (type) {
    case GgufValueType::U8:
      v.integer = in.read<uint8_t>(where);
      break;
    case GgufValueType::I8:
      v.integer = in.read<int8_t>(where);
      break;
    case GgufValueType::U16:
      v.integer = in.read<uint16_t>(where);
      break;
    case GgufValueType::I16:
      v.integer = in.read<int16_t>(where);
      break;
    case GgufValueType::U32:
      v.integer = in.read<uint32_t>(where);
      break;
    case GgufValueType::I32:
      v.integer = in.read<int32_t>(where);
      break;
    case GgufValueType::BOOL:
      v.integer = in.read<uint8_t>(where) != 0;
      break;
    case GgufValueType::U64:
      v.integer = static_cast<int64_t>(in.read<uint64_t>(where));
      break;
    case GgufValueType::I64:
      v.integer = in.read<int64_t>(where);
      break;
    case GgufValueType::F32:
      v.number = in.read<float>(where);
      break;
    case GgufValueType::F64:
      v.number = in.read<double>(where);
      break;
    case GgufValueType::STRING:
      v.text = in.read_string(where);
      break;
    case GgufValueType::ARRAY: {
      const uint32_t element = in.read<uint32_t>(where);
      if (element > static_cast<uint32_t>(GgufValueType::F64) ||
          element == static_cast<uint32_t>(GgufValueType::ARRAY))
        throw Error(path + ": key " + where,
                    "unknown array element type " + std::to_string(element));
      v.element_type = static_cast<GgufValueType>(element);
      const uint64_t count = in.read<uint64_t>(where);
      // Every element takes at least one byte, so a corrupt count ends in a truncation error;
      // the reservation is capped so that it cannot ask for absurd amounts first.
      v.array.reserve(std::min<uint64_t>(count, 1u << 20));
      for (uint64_t i = 0; i < count; ++i)
        v.array.push_back(read_value(in, v.element_type, where, path));
      break;
    }
  }
  return v;
}

size_t block_values(GgmlType type) {
  switch (type) {
    case GgmlType::F32:
    case GgmlType::F16:
    case GgmlType::BF16:
      return 1;
    case GgmlType::Q4_0:
    case GgmlType::Q4_1:
    case GgmlType::Q8_0:
      return 32;
  }
  return 1;
}

size_t block_bytes(GgmlType type) {
  switch (type) {
    case GgmlType::F32:
      return 4;
    case GgmlType::F16:
    case GgmlType::BF16:
      return 2;
    case GgmlType::Q4_0:
      return 2 + 16;
    case GgmlType::Q4_1:
      return 2 + 2 + 16;
    case GgmlType::Q8_0:
      return 2 + 32;
  }
  return 0;
}

bool known_ggml_type(uint32_t t) {
  return t == 0 || t == 1 || t == 2 || t == 3 || t == 8 || t == 30;
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

bool GgufValue::is_integer() const {
  switch (type) {
    case GgufValueType::F32:
    case GgufValueType::F64:
    case GgufValueType::STRING:
    case GgufValueType::ARRAY:
      return false;
    default:
      return true;
  }
}

bool GgufValue::is_float() const {
  return type == GgufValueType::F32 || type == GgufValueType::F64;
}

std::string ggml_type_name(GgmlType type) {
  switch (type) {
    case GgmlType::F32:
      return "F32";
    case GgmlType::F16:
      return "F16";
    case GgmlType::Q4_0:
      return "Q4_0";
    case GgmlType::Q4_1:
      return "Q4_1";
    case GgmlType::Q8_0:
      return "Q8_0";
    case GgmlType::BF16:
      return "BF16";
  }
  return "?";
}

int64_t GgufTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

std::vector<int64_t> GgufTensor::torch_shape() const { return {dims.rbegin(), dims.rend()}; }

std::shared_ptr<GgufFile> GgufFile::open(const std::string& path) {
  Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.fd < 0) throw Error(path, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0)
    throw Error(path, std::string("cannot stat: ") + std::strerror(errno));
  const size_t size = static_cast<size_t>(st.st_size);
  std::shared_ptr<GgufFile> f(new GgufFile());
  f->path_ = path;
  if (size > 0) {
    void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.fd, 0);
    if (map == MAP_FAILED) throw Error(path, std::string("cannot mmap: ") + std::strerror(errno));
    f->map_ = map;
    f->map_size_ = size;
  }
  const auto* bytes = static_cast<const uint8_t*>(f->map_);
  Cursor in(bytes, size, path);

  const uint8_t* magic = in.take(4, "the magic");
  if (std::memcmp(magic, "GGUF", 4) != 0) throw Error(path, "not a GGUF file (bad magic)");
  f->version_ = in.read<uint32_t>("the version");
  if (f->version_ != 2 && f->version_ != 3)
    throw Error(path,
                "unsupported GGUF version " + std::to_string(f->version_) + " (expected 2 or 3)");
  const uint64_t tensor_count = in.read<uint64_t>("the tensor count");
  const uint64_t kv_count = in.read<uint64_t>("the metadata count");

  for (uint64_t i = 0; i < kv_count; ++i) {
    const std::string what = "metadata entry " + std::to_string(i);
    std::string key = in.read_string(what);
    const uint32_t type = in.read<uint32_t>("key " + key);
    if (type > static_cast<uint32_t>(GgufValueType::F64))
      throw Error(path + ": key " + key, "unknown value type " + std::to_string(type));
    f->metadata_[key] = read_value(in, static_cast<GgufValueType>(type), key, path);
  }

  uint64_t alignment = 32;
  if (f->has("general.alignment")) {
    const int64_t a = f->get_int("general.alignment");
    if (a <= 0 || (a & (a - 1)) != 0)
      throw Error(path + ": key general.alignment",
                  "must be a power of two, got " + std::to_string(a));
    alignment = static_cast<uint64_t>(a);
  }

  for (uint64_t i = 0; i < tensor_count; ++i) {
    GgufTensor t;
    t.name = in.read_string("tensor info " + std::to_string(i));
    const std::string what = "tensor " + t.name;
    const uint32_t n_dims = in.read<uint32_t>(what);
    if (n_dims == 0 || n_dims > 4)
      throw Error(path + ": " + what,
                  "has " + std::to_string(n_dims) + " dimensions (expected 1 to 4)");
    for (uint32_t d = 0; d < n_dims; ++d) {
      const uint64_t dim = in.read<uint64_t>(what);
      if (dim == 0 || dim > (1ull << 40))
        throw Error(path + ": " + what, "bad dimension " + std::to_string(dim));
      t.dims.push_back(static_cast<int64_t>(dim));
    }
    const uint32_t type = in.read<uint32_t>(what);
    if (!known_ggml_type(type))
      throw Error(path + ": " + what, "unsupported ggml type " + std::to_string(type) +
                                          " (this reader knows F32, F16, BF16, Q8_0, Q4_0, Q4_1)");
    t.type = static_cast<GgmlType>(type);
    t.offset = in.read<uint64_t>(what);
    if (t.offset % alignment != 0)
      throw Error(path + ": " + what,
                  "data offset " + std::to_string(t.offset) + " is not aligned");
    if (t.dims[0] % static_cast<int64_t>(block_values(t.type)) != 0)
      throw Error(path + ": " + what, "row length " + std::to_string(t.dims[0]) +
                                          " is not a multiple of the " + ggml_type_name(t.type) +
                                          " block");
    t.nbytes = static_cast<size_t>(t.numel()) / block_values(t.type) * block_bytes(t.type);
    if (f->index_.count(t.name))
      throw Error(path + ": " + what, "appears twice in the tensor table");
    f->index_[t.name] = f->tensors_.size();
    f->tensors_.push_back(std::move(t));
  }

  const uint64_t data_start = (in.position() + alignment - 1) / alignment * alignment;
  for (GgufTensor& t : f->tensors_) {
    const uint64_t begin = data_start + t.offset;
    if (begin > size || t.nbytes > size - begin)
      throw Error(path + ": tensor " + t.name,
                  "data [" + std::to_string(begin) + ", " + std::to_string(begin + t.nbytes) +
                      ") lies outside the file (" + std::to_string(size) + " bytes)");
    t.data = bytes + begin;
  }
  return f;
}

GgufFile::~GgufFile() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
}

const GgufValue& GgufFile::value(const std::string& key) const {
  auto it = metadata_.find(key);
  if (it == metadata_.end()) throw Error(path_ + ": key " + key, "missing");
  return it->second;
}

std::string GgufFile::get_string(const std::string& key) const {
  const GgufValue& v = value(key);
  if (v.type != GgufValueType::STRING) throw Error(path_ + ": key " + key, "expected a string");
  return v.text;
}

int64_t GgufFile::get_int(const std::string& key) const {
  const GgufValue& v = value(key);
  if (!v.is_integer()) throw Error(path_ + ": key " + key, "expected an integer");
  return v.integer;
}

double GgufFile::get_float(const std::string& key) const {
  const GgufValue& v = value(key);
  if (v.is_float()) return v.number;
  if (v.is_integer()) return static_cast<double>(v.integer);
  throw Error(path_ + ": key " + key, "expected a number");
}

bool GgufFile::get_bool(const std::string& key, bool fallback) const {
  if (!has(key)) return fallback;
  const GgufValue& v = value(key);
  if (v.type != GgufValueType::BOOL) throw Error(path_ + ": key " + key, "expected a bool");
  return v.integer != 0;
}

std::vector<std::string> GgufFile::get_string_array(const std::string& key) const {
  const GgufValue& v = value(key);
  if (v.type != GgufValueType::ARRAY || v.element_type != GgufValueType::STRING)
    throw Error(path_ + ": key " + key, "expected an array of strings");
  std::vector<std::string> out;
  out.reserve(v.array.size());
  for (const GgufValue& e : v.array) out.push_back(e.text);
  return out;
}

std::vector<int64_t> GgufFile::get_int_array(const std::string& key) const {
  const GgufValue& v = value(key);
  GgufValue element;
  element.type = v.element_type;
  if (v.type != GgufValueType::ARRAY || !element.is_integer())
    throw Error(path_ + ": key " + key, "expected an array of integers");
  std::vector<int64_t> out;
  out.reserve(v.array.size());
  for (const GgufValue& e : v.array) out.push_back(e.integer);
  return out;
}

const GgufTensor& GgufFile::tensor(const std::string& name) const {
  auto it = index_.find(name);
  if (it == index_.end()) throw Error(path_, "has no tensor " + name);
  return tensors_[it->second];
}

std::string find_gguf(const std::string& path) {
  auto ends_with_gguf = [](const std::string& s) {
    return s.size() > 5 && s.compare(s.size() - 5, 5, ".gguf") == 0;
  };
  if (ends_with_gguf(path)) return path;
  if (file_exists(join_path(path, "config.json"))) return "";
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return "";
  std::vector<std::string> found;
  while (const dirent* e = ::readdir(dir))
    if (ends_with_gguf(e->d_name)) found.push_back(e->d_name);
  ::closedir(dir);
  if (found.size() > 1)
    throw Error(path, "holds " + std::to_string(found.size()) +
                          " .gguf files and no config.json; name the file to load");
  return found.empty() ? "" : join_path(path, found[0]);
}

}  // namespace greater
