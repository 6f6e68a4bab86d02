// Every knob of the GReaTer iteration, with the released scripts' values as defaults
// (docs/ALGORITHM.md §6, §9). The job file and command line set them (app/job_options).
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

namespace greater {

// How the candidates to evaluate are picked from the pool (the paper's ablations).
enum class Ranking {
  Gradient,     // by the gradient of the answer loss through the reasoning chain (GReaTer)
  Random,       // the same pool, drawn by the job's seeded generator; no gradient is computed
  NoReasoning,  // by the gradient with the chain removed: question, prompt, extractor, answer
};

inline const char* ranking_name(Ranking r) {
  switch (r) {
    case Ranking::Random: return "random";
    case Ranking::NoReasoning: return "no_reasoning";
    default: return "gradient";
  }
}

inline Ranking parse_ranking(const std::string& name) {
  for (Ranking r : {Ranking::Gradient, Ranking::Random, Ranking::NoReasoning})
    if (name == ranking_name(r)) return r;
  throw std::invalid_argument("ranking '" + name + "': expected gradient, random or no_reasoning");
}

struct OptimizerSettings {
  int64_t iterations = 125;               // coordinate steps
  int64_t topk = 40;                      // initial per-example top-k of the proposal
  int64_t topq = 6;                       // random intersections unioned
  int64_t intersection_size = 5;          // examples per intersection
  int64_t min_pool = 6;                   // grow k by 2 until the union has this many tokens
  int64_t topk_max = 256;                 // top-k lists exchanged once; k never grows past this
  int64_t candidates_evaluated = 3;       // best by gradient, evaluated on the train set
  Ranking ranking = Ranking::Gradient;    // how those candidates are picked from the pool
  double answer_temperature = 0.2;        // τ on answer logits (gradient loss and CE)
  double gradient_prompt_weight = 0.2;    // L = CE_τ(answer) + w · prompt NLL
  double selection_prompt_weight = 0.02;  // score = mistake rate + w · prompt NLL
  int64_t max_new_tokens = 1024;          // reasoning chain length limit
  int64_t max_answer_tokens = 10;         // tokens generated after the extractor at evaluation
  double period_rule_fraction = 0.5;      // a '.' candidate is accepted when pos >= this · L0
  double loss_threshold = 0.12;           // inner restart below this score (0: never)
  std::string filler = "_";               // appended when a sweep ends without '.'
  bool chain_stops_at_extractor = false;  // also end chains at the extractor's first token
  uint64_t seed = 1;                      // every random choice derives from it
  int64_t micro_batch = 8;                // examples per forward/generation batch, fixed by index
  int64_t eval_every = 0;                 // evaluate on dev every K iterations (0: only at the end)
  int64_t eval_top_prompts = 10;          // prompts compared on dev at an evaluation
  int64_t eval_chains_saved = 20;         // reasoning chains stored per evaluation
  bool fast_iteration = true;  // the stages of docs/FAST_ITERATION.md; false: straightforward
};

// What every run file states about this implementation, as root attributes: the scope of the
// seed ("seed_scope") and the fixes made to the reference algorithm ("fixes").
std::map<std::string, std::string> algorithm_notes();

}  // namespace greater
