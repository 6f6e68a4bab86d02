#include "greater/demo/training_stages.h"

#include <nlohmann/json.hpp>

#include "greater/common/error.h"
#include "greater/common/file_util.h"

namespace greater::demo {

namespace {

std::string record_path(const std::string& folder) { return join_path(folder, "training.json"); }

}  // namespace

std::vector<TrainingStage> read_training_stages(const std::string& folder) {
  const std::string path = record_path(folder);
  if (!file_exists(path)) return {};
  std::vector<TrainingStage> stages;
  try {
    const auto record = nlohmann::json::parse(read_file(path));
    for (const auto& s : record.at("stages"))
      stages.push_back({s.at("command").get<std::string>(), s.at("tokens").get<int64_t>(),
                        s.at("seconds").get<double>(), s.at("threads").get<int>()});
  } catch (const nlohmann::json::exception& e) {
    throw Error(path, std::string("not a training record: ") + e.what());
  }
  return stages;
}

void write_training_stages(const std::string& folder, const std::vector<TrainingStage>& stages) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& s : stages)
    list.push_back({{"command", s.command},
                    {"tokens", s.tokens},
                    {"seconds", s.seconds},
                    {"threads", s.threads}});
  write_file_atomic(record_path(folder), nlohmann::ordered_json{{"stages", list}}.dump(2) + "\n");
}

}  // namespace greater::demo
