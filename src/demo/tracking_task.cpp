// The tracking family: five people hold five objects, pairs of them swap, and the question asks
// who holds one object at the end.
#include <algorithm>
#include <string>

#include "greater/demo/task_family.h"

namespace greater::demo {

const Words& tracking_objects() {
  static const Words objects{"ball", "hat", "key", "book", "cup", "pen", "box"};
  return objects;
}

std::string swap_word(int a, int b) {
  const Words& people = family_info(TaskFamily::Tracking).answer_words;
  return people[std::min(a, b)] + "-" + people[std::max(a, b)];
}

Problem make_tracking_problem(int steps, Rng& rng) {
  const Words& people = family_info(TaskFamily::Tracking).answer_words;
  const int n = static_cast<int>(people.size());

  // Objects: a random choice of n of the pool, in random order (a partial Fisher-Yates).
  Words objects = tracking_objects();
  for (int i = 0; i < n; ++i) std::swap(objects[i], objects[i + rng.below(objects.size() - i)]);

  Problem p;
  p.family = TaskFamily::Tracking;
  p.steps = steps;
  const int asked = static_cast<int>(rng.below(n));
  // Each person follows their object ("ball alice"): finding who first holds the asked object
  // is then "find the object, read the next word", an induction-style lookup.
  p.question = {"Q", ":", "who", "has", objects[asked], "?"};
  for (int i = 0; i < n; ++i)
    p.question.insert(p.question.end(), {objects[i], people[i], i + 1 < n ? "," : "."});

  int holder = asked;  // person i starts with objects[i]
  p.careless_answer = people[holder];
  p.chain = {"start", objects[asked], people[holder], ";"};
  int last_a = -1, last_b = -1;
  for (int k = 1; k <= steps; ++k) {
    int a, b;
    do {  // two different people, and never the pair that just swapped (that swap undoes it)
      a = static_cast<int>(rng.below(n));
      b = static_cast<int>(rng.below(n - 1));
      if (b >= a) ++b;
    } while (std::min(a, b) == std::min(last_a, last_b) &&
             std::max(a, b) == std::max(last_a, last_b));
    last_a = a;
    last_b = b;
    const int next = holder == a ? b : holder == b ? a : holder;
    // A swap is one word ("alice-bob"), so the working copies it as the one word after the step
    // marker, and each step of the working is "holder, swap = new holder": a table lookup on
    // the two words just written, the same shape as an arithmetic step.
    p.question.insert(p.question.end(), {step_marker(k), swap_word(a, b), k < steps ? "," : "."});
    p.chain.insert(p.chain.end(),
                   {step_marker(k), people[holder], swap_word(a, b), "=", people[next], ";"});
    holder = next;
  }
  p.answer = people[holder];
  return p;
}

}  // namespace greater::demo
