#include "greater/demo/instruction_grammar.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace greater::demo {

namespace {

// A neutral instruction answers carelessly (p_careful = sigmoid(-5)), and so does one with a
// single strongly positive word (sigmoid(-1): greedy decoding takes the careless answer); two of
// them make it careful (sigmoid(3)). A search must find two of the few such words at once, which
// chance rarely does with a few candidates per step, while the answer's loss already falls with
// the first one found, which a gradient can follow.
constexpr double kBias = -2.5;
constexpr double kSharpness = 2.0;

// One slot of the grammar: filled with probability `p` by one of the phrases.
struct Slot {
  double p;
  std::vector<std::string> phrases;
};

const std::vector<Slot>& opening_slots() {
  static const std::vector<Slot> slots{
      {0.6, {"let's", "please", "now", "you", "we", "first"}},
      {0.3, {"just", "only", "quickly", "carefully", "briefly", "simply"}},
  };
  return slots;
}

// verb, object, manner: the clause that may repeat after "and" / "then".
const std::vector<Slot>& clause_slots() {
  static const std::vector<Slot> slots{
      {0.95,
       {"think", "work", "answer", "solve", "reason", "reply", "guess", "show", "explain",
        "compute", "write"}},
      {0.5,
       {"the problem", "this", "it", "the question", "the answer", "it out", "the work",
        "each step"}},
      {0.6,
       {"step by step", "carefully", "quickly", "briefly", "in detail", "directly", "in order",
        "at once", "aloud"}},
  };
  return slots;
}

const std::map<std::string, double>& weights() {
  // A handful of words ask for care; the words that ask for speed hurt; the rest of the
  // grammar's words are neutral.
  static const std::map<std::string, double> w{
      {"carefully", 2.0}, {"think", 2.0},   {"detail", 2.0},   {"step", 2.0},   {"quickly", -2.0},
      {"directly", -2.0}, {"guess", -2.0},  {"briefly", -1.5}, {"once", -1.5},  {"just", -1.0},
      {"only", -1.0},     {"simply", -1.0}, {"answer", -0.5},  {"reply", -0.5},
  };
  return w;
}

void append_phrase(const std::string& phrase, Words& words) {
  for (auto& w : split_words(phrase)) words.push_back(std::move(w));
}

void fill(const Slot& slot, Rng& rng, Words& words) {
  if (rng.uniform() < slot.p) append_phrase(slot.phrases[rng.below(slot.phrases.size())], words);
}

}  // namespace

Words sample_instruction(Rng& rng) {
  Words words;
  for (const Slot& s : opening_slots()) fill(s, rng, words);
  for (const Slot& s : clause_slots()) fill(s, rng, words);
  if (rng.uniform() < 0.35) {
    words.push_back(rng.uniform() < 0.5 ? "and" : "then");
    for (const Slot& s : clause_slots()) fill(s, rng, words);
  }
  words.push_back(".");
  return words;
}

double word_weight(const std::string& word) {
  const auto it = weights().find(word);
  return it == weights().end() ? 0.0 : it->second;
}

double careful_probability(const Words& instruction) {
  double sum = kBias;
  for (const auto& w : instruction) sum += word_weight(w);
  return 1.0 / (1.0 + std::exp(-kSharpness * sum));
}

Words grammar_words() {
  Words words;
  auto add = [&](const Slot& slot) {
    for (const auto& phrase : slot.phrases) append_phrase(phrase, words);
  };
  for (const Slot& s : opening_slots()) add(s);
  for (const Slot& s : clause_slots()) add(s);
  words.insert(words.end(), {"and", "then", "."});
  return words;  // duplicates are removed by the vocabulary
}

Words careful_words() {
  Words words;
  for (const auto& w : grammar_words())
    if (careful_probability({w, w, "."}) > 0.5 &&
        std::find(words.begin(), words.end(), w) == words.end())
      words.push_back(w);
  return words;
}

const std::vector<std::string>& report_instructions() {
  static const std::vector<std::string> list{
      kPoorInstruction,
      "please solve this .",
      "answer the question quickly .",
      "please show the work .",
      "think carefully and show the work .",
      kGoodInstruction,
  };
  return list;
}

}  // namespace greater::demo
