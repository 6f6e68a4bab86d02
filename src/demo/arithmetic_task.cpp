// The arithmetic family: a start digit and a chain of + - * with digit operands, mod 10.
#include <string>

#include "greater/demo/task_family.h"

namespace greater::demo {

namespace {

int apply(char op, int a, int b) {
  switch (op) {
    case '+':
      return (a + b) % 10;
    case '-':
      return (a - b + 10) % 10;
    default:
      return (a * b) % 10;
  }
}

}  // namespace

Problem make_arithmetic_problem(int steps, Rng& rng) {
  // Multiplication by 0 or 5 would fix the answer (or its half) from the last step alone, a
  // shortcut that lifts direct answers far above chance; those operands are left out.
  static const int kMultipliers[] = {1, 2, 3, 4, 6, 7, 8, 9};
  static const char kOps[] = {'+', '-', '*'};

  Problem p;
  p.family = TaskFamily::Arithmetic;
  p.steps = steps;
  int value = static_cast<int>(rng.below(10));
  p.question = {"Q", ":", "start", std::to_string(value)};
  p.careless_answer = std::to_string(value);
  for (int k = 1; k <= steps; ++k) {
    const char op = kOps[rng.below(3)];
    const int operand = op == '*' ? kMultipliers[rng.below(8)] : static_cast<int>(rng.below(10));
    const int next = apply(op, value, operand);
    const std::string op_word(1, op);
    p.question.insert(p.question.end(), {",", step_marker(k), op_word, std::to_string(operand)});
    p.chain.insert(p.chain.end(), {step_marker(k), std::to_string(value), op_word,
                                   std::to_string(operand), "=", std::to_string(next), ";"});
    value = next;
  }
  p.question.push_back(".");
  p.answer = std::to_string(value);
  return p;
}

}  // namespace greater::demo
