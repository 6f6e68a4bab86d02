// Synthetic reasoning tasks of the demo model, modelled on BIG-Bench Hard: every problem takes
// several steps, its step-by-step working makes each step a one-token lookup, and its answer is
// a single word: the working's last result, or, in a careless response, its first value.
//
//   arithmetic (like multistep_arithmetic_two): mod-10 chains
//     question: Q : start 9 , step1 + 4 , step2 * 3 , step3 - 7 .
//     chain:    step1 9 + 4 = 3 ; step2 3 * 3 = 9 ; step3 9 - 7 = 2 ;        answer: 2
//   tracking (like tracking_shuffled_objects): who holds an object after pairwise swaps
//     question: Q : who has ball ? ball alice , hat bob , key carol , book dave , cup eve .
//               step1 alice-bob , step2 carol-eve , step3 bob-dave .
//     chain:    start ball alice ; step1 alice alice-bob = bob ; step2 bob carol-eve = bob ;
//               step3 bob bob-dave = dave ;                                    answer: dave
#pragma once

#include <string>
#include <vector>

#include "greater/demo/random.h"

namespace greater::demo {

enum class TaskFamily { Arithmetic, Tracking };

using Words = std::vector<std::string>;

struct Problem {
  TaskFamily family = TaskFamily::Arithmetic;
  int steps = 0;
  Words question;      // "Q : ... ." (or "... ?"), what a task file's "input" holds
  Words chain;         // the step-by-step working, without the final "answer <y>"
  std::string answer;  // one word, what a task file's "target" holds
  // What a careless response answers: the working's first value (the start digit, the first
  // holder) instead of its last result. Equal to `answer` only by coincidence.
  std::string careless_answer;
};

struct StepRange {
  int min = 0, max = 0;
};

struct FamilyInfo {
  TaskFamily family;
  std::string name;           // "arithmetic", "tracking": file and option names
  std::string answer_format;  // for job files: "integer" or "free_text" (a name)
  StepRange train_steps;      // what training examples use
  StepRange eval_steps;       // held-out questions: 3 or more steps, so direct answers fail
  Words answer_words;         // every possible answer (the chance level is 1 / their number)
};

const FamilyInfo& family_info(TaskFamily family);
const std::vector<TaskFamily>& all_families();
// "arithmetic" -> Arithmetic; throws greater::Error naming `where` for an unknown name.
TaskFamily parse_family(const std::string& name, const std::string& where);
// "arithmetic,tracking" -> both, in the order given, no duplicates.
std::vector<TaskFamily> parse_families(const std::string& list, const std::string& where);

// A random problem with `steps` steps.
Problem make_problem(TaskFamily family, int steps, Rng& rng);
Problem make_arithmetic_problem(int steps, Rng& rng);
Problem make_tracking_problem(int steps, Rng& rng);
// The objects a tracking question can ask about; a question uses as many as it has people.
const Words& tracking_objects();
// The one word naming a swap of tracking people a and b (indices into answer_words), in a fixed
// order: "alice-bob" for (0, 1) and (1, 0).
std::string swap_word(int a, int b);

// Every word a problem of the family can contain (question, chain, "answer", answers).
Words family_words(TaskFamily family);

// The step marker of step k (1-based): "step1", "step2", ...
std::string step_marker(int k);
constexpr int kMaxSteps = 6;

std::string join_words(const Words& words);
Words split_words(const std::string& text);

}  // namespace greater::demo
