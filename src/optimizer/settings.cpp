#include "greater/optimizer/settings.h"

namespace greater {

std::map<std::string, std::string> algorithm_notes() {
  return {
      {"seed_scope",
       "the seed fixes every random choice: candidate pools are drawn from "
       "SplitMix64(seed, step); splits from split_seed; decoding is greedy"},
      {"fixes",
       "prompt NLL uses each example's candidate tokens; sequences built from token "
       "ids; candidates that do not survive decode->encode are dropped; extractor "
       "option lists cover every gold letter"},
  };
}

}  // namespace greater
