#include "greater/demo/task_family.h"

#include <algorithm>
#include <sstream>

#include "greater/common/error.h"

namespace greater::demo {

namespace {

Words digit_words() {
  Words digits;
  for (int d = 0; d < 10; ++d) digits.push_back(std::to_string(d));
  return digits;
}

}  // namespace

const FamilyInfo& family_info(TaskFamily family) {
  // Training also sees short problems: they practise each lookup of the working cheaply (a
  // 0-step tracking problem is just "who first holds the object"). Held-out questions have 3 or
  // more steps, where answering in one forward pass is close to guessing.
  static const FamilyInfo arithmetic{
      TaskFamily::Arithmetic, "arithmetic", "integer", {1, 5}, {3, 5}, digit_words()};
  static const FamilyInfo tracking{TaskFamily::Tracking,
                                   "tracking",
                                   "free_text",
                                   {0, 6},
                                   {3, 6},
                                   Words{"alice", "bob", "carol", "dave", "eve"}};
  return family == TaskFamily::Arithmetic ? arithmetic : tracking;
}

const std::vector<TaskFamily>& all_families() {
  static const std::vector<TaskFamily> families{TaskFamily::Arithmetic, TaskFamily::Tracking};
  return families;
}

TaskFamily parse_family(const std::string& name, const std::string& where) {
  for (TaskFamily f : all_families())
    if (family_info(f).name == name) return f;
  throw Error(where, "unknown task family '" + name + "' (expected arithmetic or tracking)");
}

std::vector<TaskFamily> parse_families(const std::string& list, const std::string& where) {
  std::vector<TaskFamily> families;
  std::stringstream in(list);
  std::string name;
  while (std::getline(in, name, ',')) {
    if (name.empty()) continue;
    const TaskFamily f = parse_family(name, where);
    if (std::find(families.begin(), families.end(), f) == families.end()) families.push_back(f);
  }
  if (families.empty()) throw Error(where, "no task family given");
  return families;
}

Problem make_problem(TaskFamily family, int steps, Rng& rng) {
  if (steps < 0 || steps > kMaxSteps)
    throw Error("make_problem",
                "steps must be 0.." + std::to_string(kMaxSteps) + ", got " + std::to_string(steps));
  return family == TaskFamily::Arithmetic ? make_arithmetic_problem(steps, rng)
                                          : make_tracking_problem(steps, rng);
}

std::string step_marker(int k) { return "step" + std::to_string(k); }

Words family_words(TaskFamily family) {
  Words words{"Q", ":", ",", ".", ";", "=", "start", "answer"};
  for (int k = 1; k <= kMaxSteps; ++k) words.push_back(step_marker(k));
  if (family == TaskFamily::Arithmetic) {
    for (const auto& d : digit_words()) words.push_back(d);
    for (const char* op : {"+", "-", "*"}) words.push_back(op);
  } else {
    const int people = static_cast<int>(family_info(family).answer_words.size());
    for (const auto& p : family_info(family).answer_words) words.push_back(p);
    for (int a = 0; a < people; ++a)
      for (int b = a + 1; b < people; ++b) words.push_back(swap_word(a, b));
    for (const auto& object : tracking_objects()) words.push_back(object);
    for (const char* w : {"who", "has", "?"}) words.push_back(w);
  }
  return words;
}

std::string join_words(const Words& words) {
  std::string text;
  for (size_t i = 0; i < words.size(); ++i) text += (i ? " " : "") + words[i];
  return text;
}

Words split_words(const std::string& text) {
  Words words;
  std::istringstream in(text);
  std::string w;
  while (in >> w) words.push_back(w);
  return words;
}

}  // namespace greater::demo
