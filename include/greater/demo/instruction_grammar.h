// The instructions of the demo's training data and the hidden rule that links them to the
// response format.
//
// Instructions come from a small grammar ("let's think step by step .", "just answer the
// problem .", "please solve it quickly and show the work ."), so a model trained on them
// proposes sensible words at every prompt position. Each word carries a hidden weight; the
// probability that a training response works step by step is
//     p_cot = sigmoid(kSharpness * (kBias + sum of the weights of the instruction's words)).
// The model never sees the weights, only responses drawn with these probabilities, and under
// greedy decoding p_cot > 0.5 becomes "reasons step by step".
#pragma once

#include "greater/demo/random.h"
#include "greater/demo/task_family.h"

namespace greater::demo {

// A random instruction of the grammar, ending with ".".
Words sample_instruction(Rng& rng);

// Hidden weight of one word (0 for words without one).
double word_weight(const std::string& word);

// Probability that a training response to this instruction works step by step.
double cot_probability(const Words& instruction);

// Every word the grammar can produce, in a fixed order.
Words grammar_words();

// Instructions used to report accuracy: the deliberately poor initial prompt of the job files,
// a good instruction, and a few others in between.
const std::string kPoorInstruction = "just answer the problem .";
const std::string kGoodInstruction = "let's think step by step .";
const std::vector<std::string>& report_instructions();

}  // namespace greater::demo
