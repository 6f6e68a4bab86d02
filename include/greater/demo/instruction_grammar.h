// The instructions of the demo's training data and the hidden rule that links them to how
// carefully the response turns its working into the answer.
//
// Instructions come from a small grammar ("let's think step by step .", "just answer the
// problem .", "please solve it quickly and show the work ."), so a model trained on them
// proposes sensible words at every prompt position. Every training response writes the working;
// each instruction word carries a hidden weight, and the probability that the response then
// answers with the working's last result (carefully) rather than its first value (carelessly) is
//     p_careful = sigmoid(kSharpness * (kBias + sum of the weights of the instruction's words)).
// The model never sees the weights, only responses drawn with these probabilities, and under
// greedy decoding p_careful > 0.5 becomes "answers carefully". So even a poor prompt yields a
// chain, and the loss of the answer read through that chain moves smoothly with the words: the
// signal GReaTer's gradient needs. Only a few words carry a large positive weight, and it takes
// two of them, so a random choice of a few candidates per step rarely gets there.
#pragma once

#include "greater/demo/random.h"
#include "greater/demo/task_family.h"

namespace greater::demo {

// A random instruction of the grammar, ending with ".".
Words sample_instruction(Rng& rng);

// Hidden weight of one word (0 for words without one).
double word_weight(const std::string& word);

// Probability that a training response to this instruction answers carefully.
double careful_probability(const Words& instruction);

// Every word the grammar can produce, in a fixed order.
Words grammar_words();

// The grammar's words that weigh enough for two of them to make an otherwise neutral
// instruction careful (none does alone), in grammar order, without repeats: the few that a
// search must find.
Words careful_words();

// Instructions used to report accuracy: the deliberately poor initial prompt of the job files,
// a good instruction, and a few others in between.
const std::string kPoorInstruction = "just answer the problem .";
const std::string kGoodInstruction = "let's think step by step .";
const std::vector<std::string>& report_instructions();

}  // namespace greater::demo
