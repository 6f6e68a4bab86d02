// The demo's one source of randomness: the project's seeded SplitMix64, so the same seed gives
// the same task files and training data with any standard library.
#pragma once

#include "greater/common/random.h"

namespace greater::demo {

using Rng = greater::SplitMix64;

}  // namespace greater::demo
