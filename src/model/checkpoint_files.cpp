// A Hugging Face checkpoint folder: one model.safetensors, or shards named by
// model.safetensors.index.json ({"metadata": {...}, "weight_map": {tensor: shard file}}).
#include <nlohmann/json.hpp>

#include "greater/common/error.h"
#include "greater/common/file_util.h"
#include "greater/model/safetensors.h"

namespace greater {
namespace {

using json = nlohmann::json;

constexpr const char* kSingleFile = "model.safetensors";
constexpr const char* kIndexFile = "model.safetensors.index.json";  // SAFE_WEIGHTS_INDEX_NAME

std::string in_quotes(const std::string& name) { return "'" + name + "'"; }

// Shard names come from a file we do not control: keep them inside the folder.
void check_shard_name(const std::string& shard, const std::string& where) {
  if (shard.empty() || shard.front() == '/' || shard == ".." || shard.rfind("../", 0) == 0 ||
      shard.find("/../") != std::string::npos ||
      (shard.size() >= 3 && shard.compare(shard.size() - 3, 3, "/..") == 0)) {
    throw Error(where, "shard name " + in_quotes(shard) + " must be a file inside the folder");
  }
}

}  // namespace

CheckpointFiles CheckpointFiles::open_folder(const std::string& folder) {
  CheckpointFiles files;
  files.folder_ = folder;

  const std::string single_path = join_path(folder, kSingleFile);
  if (file_exists(single_path)) {
    auto file = SafetensorsFile::open(single_path);
    for (const std::string& name : file->names()) files.by_tensor_[name] = file;
    return files;
  }

  const std::string index_path = join_path(folder, kIndexFile);
  if (!file_exists(index_path)) {
    throw Error(folder, std::string("no checkpoint: neither ") + kSingleFile + " nor " +
                            kIndexFile + " exists in this folder");
  }
  json index;
  try {
    index = json::parse(read_file(index_path));
  } catch (const json::exception& e) {
    throw Error(index_path, std::string("not valid JSON: ") + e.what());
  }
  if (!index.is_object()) throw Error(index_path, "index must be a JSON object");
  if (!index.contains("weight_map")) throw Error(index_path, "index has no \"weight_map\"");
  const json& weight_map = index.at("weight_map");
  if (!weight_map.is_object()) {
    throw Error(index_path + ": weight_map", "must be an object {tensor: shard file}, got " +
                                                 std::string(weight_map.type_name()));
  }

  std::map<std::string, std::shared_ptr<SafetensorsFile>> shards;  // each shard mapped once
  for (const auto& [name, shard_value] : weight_map.items()) {
    const std::string where = index_path + ": tensor " + in_quotes(name);
    if (!shard_value.is_string()) {
      throw Error(where, "shard must be a file name string, got " + shard_value.dump());
    }
    const std::string shard = shard_value.get<std::string>();
    check_shard_name(shard, where);
    auto it = shards.find(shard);
    if (it == shards.end()) {
      const std::string shard_path = join_path(folder, shard);
      if (!file_exists(shard_path)) {
        throw Error(where, "shard " + in_quotes(shard) + " is missing (" + shard_path + ")");
      }
      it = shards.emplace(shard, SafetensorsFile::open(shard_path)).first;
    }
    if (!it->second->contains(name)) {
      throw Error(where, "listed in the index but not present in shard " + in_quotes(shard));
    }
    files.by_tensor_[name] = it->second;
  }
  return files;
}

bool CheckpointFiles::contains(const std::string& name) const { return by_tensor_.count(name) > 0; }

const TensorView& CheckpointFiles::tensor(const std::string& name) const {
  auto it = by_tensor_.find(name);
  if (it == by_tensor_.end()) {
    const std::string single_path = join_path(folder_, kSingleFile);
    const std::string source =
        file_exists(single_path) ? single_path : join_path(folder_, kIndexFile);
    throw Error(source, "no tensor named " + in_quotes(name));
  }
  return it->second->tensor(name);
}

std::vector<std::string> CheckpointFiles::names() const {
  std::vector<std::string> out;
  out.reserve(by_tensor_.size());
  for (const auto& entry : by_tensor_) out.push_back(entry.first);
  return out;
}

}  // namespace greater
