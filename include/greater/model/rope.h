// Rotary position embedding frequencies, with the llama3 long-context scaling.
#pragma once

#include <ATen/ATen.h>

#include "greater/model/model_config.h"

namespace greater {

// [head_dim / 2] float32 inverse frequencies, computed in fp32 as transformers does.
at::Tensor rope_inverse_frequencies(const RopeConfig& rope, int64_t head_dim);

}  // namespace greater
