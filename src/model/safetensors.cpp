// safetensors reader (mmap) and writer, following huggingface/safetensors `tensor.rs`.
#include "greater/model/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "greater/common/error.h"
#include "greater/common/file_util.h"

namespace greater {
namespace {

using json = nlohmann::json;

// tensor.rs MAX_HEADER_SIZE: larger headers are rejected before any parsing.
constexpr uint64_t kMaxHeaderSize = 100000000;

struct DTypeInfo {
  StDType dtype;
  const char* name;
  size_t size;
  // Position in tensor.rs's `enum Dtype`, which derives Ord; the reference writer sorts by it
  // (descending), so within one size U64 precedes I64 precedes F64, and so on.
  int writer_rank;
};

constexpr DTypeInfo kDTypes[] = {
    {StDType::BOOL, "BOOL", 1, 0},       {StDType::U8, "U8", 1, 1},
    {StDType::I8, "I8", 1, 2},           {StDType::F8_E5M2, "F8_E5M2", 1, 3},
    {StDType::F8_E4M3, "F8_E4M3", 1, 4}, {StDType::I16, "I16", 2, 5},
    {StDType::U16, "U16", 2, 6},         {StDType::F16, "F16", 2, 7},
    {StDType::BF16, "BF16", 2, 8},       {StDType::I32, "I32", 4, 9},
    {StDType::U32, "U32", 4, 10},        {StDType::F32, "F32", 4, 11},
    {StDType::F64, "F64", 8, 12},        {StDType::I64, "I64", 8, 13},
    {StDType::U64, "U64", 8, 14},
};

const DTypeInfo& dtype_info(StDType dtype) {
  for (const auto& info : kDTypes) {
    if (info.dtype == dtype) return info;
  }
  throw Error("safetensors", "invalid StDType value " + std::to_string(static_cast<int>(dtype)));
}

std::string in_quotes(const std::string& name) { return "'" + name + "'"; }

// Byte offset of the first invalid UTF-8 sequence, or npos (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF).
size_t find_invalid_utf8(const uint8_t* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    const uint8_t c = s[i];
    size_t len = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    const uint32_t min_cp = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
    if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string::npos;
}

// A JSON value as a non-negative integer that fits in int64, or an error saying what it is.
uint64_t json_to_count(const json& value, const std::string& where, const std::string& what) {
  if (value.is_number_unsigned()) {
    const uint64_t v = value.get<uint64_t>();
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      throw Error(where, what + " " + std::to_string(v) + " is too large");
    }
    return v;
  }
  if (value.is_number_integer()) {
    throw Error(where, "negative " + what + " " + std::to_string(value.get<int64_t>()));
  }
  throw Error(where, what + " must be a non-negative integer, got " + value.dump());
}

// A tensor entry of the header before its data pointer is known.
struct HeaderEntry {
  std::string name;
  StDType dtype;
  std::vector<int64_t> shape;
  uint64_t begin = 0;
  uint64_t end = 0;
};

HeaderEntry parse_entry(const std::string& name, const json& info, const std::string& path) {
  const std::string where = path + ": tensor " + in_quotes(name);
  if (!info.is_object()) throw Error(where, "entry must be a JSON object, got " + info.dump());
  for (const char* key : {"dtype", "shape", "data_offsets"}) {
    if (!info.contains(key)) throw Error(where, std::string("entry has no \"") + key + "\"");
  }
  HeaderEntry entry;
  entry.name = name;

  const json& dtype = info.at("dtype");
  if (!dtype.is_string()) throw Error(where, "dtype must be a string, got " + dtype.dump());
  entry.dtype = parse_st_dtype(dtype.get<std::string>(), where);

  const json& shape = info.at("shape");
  if (!shape.is_array()) throw Error(where, "shape must be an array, got " + shape.dump());
  uint64_t numel = 1;
  bool overflow = false;
  for (const json& dim : shape) {
    const uint64_t d = json_to_count(dim, where, "dimension");
    entry.shape.push_back(static_cast<int64_t>(d));
    overflow = overflow || __builtin_mul_overflow(numel, d, &numel);
  }
  uint64_t nbytes = 0;
  overflow = overflow || __builtin_mul_overflow(numel, dtype_info(entry.dtype).size, &nbytes);

  const json& offsets = info.at("data_offsets");
  if (!offsets.is_array() || offsets.size() != 2) {
    throw Error(where, "data_offsets must be an array [begin, end], got " + offsets.dump());
  }
  entry.begin = json_to_count(offsets[0], where, "data offset");
  entry.end = json_to_count(offsets[1], where, "data offset");
  if (entry.end < entry.begin) {
    throw Error(where, "data_offsets end " + std::to_string(entry.end) + " is before begin " +
                           std::to_string(entry.begin));
  }
  if (overflow) throw Error(where, "shape " + shape.dump() + " overflows the byte size");
  if (entry.end - entry.begin != nbytes) {
    throw Error(where, "byte size " + std::to_string(entry.end - entry.begin) +
                           " from data_offsets does not match shape " + shape.dump() + " of " +
                           dtype.get<std::string>() + " (" + std::to_string(nbytes) + " bytes)");
  }
  return entry;
}

std::map<std::string, std::string> parse_metadata(const json& value, const std::string& path) {
  const std::string where = path + ": __metadata__";
  std::map<std::string, std::string> metadata;
  if (value.is_null()) return metadata;
  if (!value.is_object()) throw Error(where, "must be an object of strings, got " + value.dump());
  for (const auto& [key, v] : value.items()) {
    if (!v.is_string()) {
      throw Error(where, "value of " + in_quotes(key) + " must be a string, got " + v.dump());
    }
    metadata[key] = v.get<std::string>();
  }
  return metadata;
}

// Parses the JSON header, rejecting duplicate top-level keys that plain parsing would merge.
json parse_header_json(const char* begin, const char* end, const std::string& path) {
  std::set<std::string> seen;
  std::string duplicate;
  json::parser_callback_t on_event = [&](int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::key && depth == 1 && duplicate.empty()) {
      const std::string key = parsed.get<std::string>();
      if (!seen.insert(key).second) duplicate = key;
    }
    return true;
  };
  json header;
  try {
    header = json::parse(begin, end, on_event);
  } catch (const json::exception& e) {
    throw Error(path, std::string("header is not valid JSON: ") + e.what());
  }
  if (!duplicate.empty()) throw Error(path, "header has a duplicate entry " + in_quotes(duplicate));
  if (!header.is_object()) {
    throw Error(path, "header is not a JSON object (" + std::string(header.type_name()) + ")");
  }
  return header;
}

// A file descriptor closed on scope exit.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string header_json_string(const std::string& text, const std::string& where) {
  try {
    return json(text).dump();
  } catch (const json::exception& e) {
    throw Error(where, std::string("not valid UTF-8: ") + e.what());
  }
}

}  // namespace

StDType parse_st_dtype(const std::string& name, const std::string& source) {
  for (const auto& info : kDTypes) {
    if (name == info.name) return info.dtype;
  }
  std::string known;
  for (const auto& info : kDTypes) known += std::string(known.empty() ? "" : " ") + info.name;
  throw Error(source, "unknown dtype " + in_quotes(name) + " (known: " + known + ")");
}

std::string st_dtype_name(StDType dtype) { return dtype_info(dtype).name; }

size_t st_dtype_size(StDType dtype) { return dtype_info(dtype).size; }

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::shared_ptr<SafetensorsFile> SafetensorsFile::open(const std::string& path) {
  std::shared_ptr<SafetensorsFile> file(new SafetensorsFile());
  file->path_ = path;

  Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.fd < 0) throw Error(path, std::string("cannot open: ") + std::strerror(errno));
  struct stat st;
  if (::fstat(fd.fd, &st) != 0)
    throw Error(path, std::string("cannot stat: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw Error(path, "not a regular file");
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size < 8) {
    throw Error(path, "file is " + std::to_string(size) +
                          " bytes, shorter than the 8-byte header length (not a safetensors file)");
  }
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.fd, 0);
  if (map == MAP_FAILED) throw Error(path, std::string("cannot mmap: ") + std::strerror(errno));
  file->map_ = map;  // unmapped by the destructor from here on, also when validation throws
  file->map_size_ = size;
  const auto* bytes = static_cast<const uint8_t*>(map);

  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | bytes[i];
  if (header_len > kMaxHeaderSize) {
    throw Error(path, "header length " + std::to_string(header_len) + " exceeds the limit of " +
                          std::to_string(kMaxHeaderSize) + " bytes (not a safetensors file?)");
  }
  if (8 + header_len > size) {
    throw Error(path, "header length " + std::to_string(header_len) +
                          " runs past the end of the file (" + std::to_string(size) + " bytes)");
  }
  const size_t bad = find_invalid_utf8(bytes + 8, header_len);
  if (bad != std::string::npos) {
    throw Error(path, "header is not valid UTF-8 (byte " + std::to_string(8 + bad) + ")");
  }
  const auto* header_begin = reinterpret_cast<const char*>(bytes + 8);
  const json header = parse_header_json(header_begin, header_begin + header_len, path);

  std::vector<HeaderEntry> entries;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") {
      file->metadata_ = parse_metadata(info, path);
    } else {
      entries.push_back(parse_entry(name, info, path));
    }
  }

  // The offsets must tile the buffer: sorted by offset, each tensor starts where the previous
  // one ended, and the last one ends at the end of the file.
  std::stable_sort(entries.begin(), entries.end(), [](const HeaderEntry& a, const HeaderEntry& b) {
    return std::make_pair(a.begin, a.end) < std::make_pair(b.begin, b.end);
  });
  const uint64_t buffer_size = size - 8 - header_len;
  const uint8_t* buffer = bytes + 8 + header_len;
  uint64_t covered = 0;
  std::string previous;
  for (const HeaderEntry& e : entries) {
    const std::string where = path + ": tensor " + in_quotes(e.name);
    if (e.begin > covered) {
      throw Error(where, "gap in the data buffer: starts at byte " + std::to_string(e.begin) +
                             " but the tensors before it end at " + std::to_string(covered));
    }
    if (e.begin < covered) {
      throw Error(where, "overlaps tensor " + in_quotes(previous) + ": starts at byte " +
                             std::to_string(e.begin) + " before " + std::to_string(covered));
    }
    if (e.end > buffer_size) {
      throw Error(where, "data_offsets end " + std::to_string(e.end) +
                             " runs past the end of the file (data buffer is " +
                             std::to_string(buffer_size) + " bytes; file truncated?)");
    }
    TensorView view;
    view.name = e.name;
    view.dtype = e.dtype;
    view.shape = e.shape;
    view.data = buffer + e.begin;
    view.nbytes = static_cast<size_t>(e.end - e.begin);
    view.file = path;
    file->tensors_.emplace(e.name, std::move(view));
    covered = e.end;
    previous = e.name;
  }
  if (covered != buffer_size) {
    throw Error(path, "trailing bytes: the tensors cover " + std::to_string(covered) +
                          " bytes of a " + std::to_string(buffer_size) + "-byte data buffer");
  }
  return file;
}

SafetensorsFile::~SafetensorsFile() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
}

const TensorView& SafetensorsFile::tensor(const std::string& name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) throw Error(path_, "no tensor named " + in_quotes(name));
  return it->second;
}

std::vector<std::string> SafetensorsFile::names() const {
  std::vector<std::string> out;
  out.reserve(tensors_.size());
  for (const auto& entry : tensors_) out.push_back(entry.first);
  return out;
}

namespace {

std::string serialize_to(const std::vector<TensorData>& tensors,
                         const std::map<std::string, std::string>& metadata,
                         const std::string& where) {
  std::vector<const TensorData*> order;
  std::set<std::string> names;
  for (const TensorData& t : tensors) {
    const std::string twhere = where + ": tensor " + in_quotes(t.name);
    if (t.name == "__metadata__") throw Error(twhere, "name is reserved for the metadata");
    if (!names.insert(t.name).second) throw Error(twhere, "given twice");
    uint64_t numel = 1;
    for (int64_t d : t.shape) {
      if (d < 0) throw Error(twhere, "negative dimension " + std::to_string(d));
      if (__builtin_mul_overflow(numel, static_cast<uint64_t>(d), &numel)) {
        throw Error(twhere, "shape overflows the byte size");
      }
    }
    uint64_t nbytes = 0;
    if (__builtin_mul_overflow(numel, st_dtype_size(t.dtype), &nbytes) ||
        nbytes != t.bytes.size()) {
      throw Error(twhere, "has " + std::to_string(t.bytes.size()) + " bytes but its shape and " +
                              st_dtype_name(t.dtype) + " need " + std::to_string(nbytes));
    }
    order.push_back(&t);
  }
  std::sort(order.begin(), order.end(), [](const TensorData* a, const TensorData* b) {
    const int ra = dtype_info(a->dtype).writer_rank;
    const int rb = dtype_info(b->dtype).writer_rank;
    if (ra != rb) return ra > rb;
    return a->name < b->name;
  });

  // Written by hand rather than through json::dump so that the key order is the reference
  // writer's (metadata first, then tensors in buffer order) and the spacing is serde_json's.
  std::string header = "{";
  if (!metadata.empty()) {
    header += "\"__metadata__\":{";
    bool first = true;
    for (const auto& [key, value] : metadata) {
      if (!first) header += ",";
      first = false;
      header += header_json_string(key, where + ": __metadata__") + ":" +
                header_json_string(value, where + ": __metadata__ " + in_quotes(key));
    }
    header += "}";
  }
  uint64_t offset = 0;
  for (const TensorData* t : order) {
    if (header.size() > 1) header += ",";
    header += header_json_string(t->name, where + ": tensor name") + ":{\"dtype\":\"" +
              st_dtype_name(t->dtype) + "\",\"shape\":[";
    for (size_t i = 0; i < t->shape.size(); ++i) {
      header += (i ? "," : "") + std::to_string(t->shape[i]);
    }
    header += "],\"data_offsets\":[" + std::to_string(offset) + "," +
              std::to_string(offset + t->bytes.size()) + "]}";
    offset += t->bytes.size();
  }
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' ');

  std::string out;
  out.reserve(8 + header.size() + offset);
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  out += header;
  for (const TensorData* t : order) out += t->bytes;
  return out;
}

}  // namespace

std::string serialize_safetensors(const std::vector<TensorData>& tensors,
                                  const std::map<std::string, std::string>& metadata) {
  return serialize_to(tensors, metadata, "safetensors writer");
}

void write_safetensors(const std::string& path, const std::vector<TensorData>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  write_file_atomic(path, serialize_to(tensors, metadata, path));
}

}  // namespace greater
