// The tracking family: five people hold five objects, pairs of them swap, and the question asks
// who holds one object at the end.
#include <algorithm>
#include <string>

#include "greater/demo/task_family.h"

namespace greater::demo {

Problem make_tracking_problem(int steps, Rng& rng) {
  static const Words kObjects{"ball", "hat", "key", "book", "cup", "pen", "box"};
  const Words& people = family_info(TaskFamily::Tracking).answer_words;
  const int n = static_cast<int>(people.size());

  // Objects: a random choice of n of the pool, in random order (a partial Fisher-Yates).
  Words objects = kObjects;
  for (int i = 0; i < n; ++i)
    std::swap(objects[i], objects[i + rng.below(objects.size() - i)]);

  Problem p;
  p.family = TaskFamily::Tracking;
  p.steps = steps;
  p.question = {"Q", ":"};
  // "ball alice": each person follows their object, so finding who holds the asked object is
  // "find the object, read the next word" - the same lookup as copying a step's operation.
  for (int i = 0; i < n; ++i)
    p.question.insert(p.question.end(), {objects[i], people[i], i + 1 < n ? "," : "."});

  const int asked = static_cast<int>(rng.below(n));
  int holder = asked;  // person i starts with objects[i]
  // "start ball alice": the working names the object, then reads its first holder.
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
    p.question.insert(p.question.end(),
                      {step_marker(k), people[a], people[b], k < steps ? "," : "."});
    p.chain.insert(p.chain.end(), {step_marker(k), people[a], people[b], ":", people[holder],
                                   "=", people[next], ";"});
    holder = next;
  }
  p.question.insert(p.question.end(), {"who", "has", objects[asked], "?"});
  p.answer = people[holder];
  return p;
}

}  // namespace greater::demo
