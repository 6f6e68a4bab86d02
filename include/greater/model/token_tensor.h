// Token ids in and out of LibTorch tensors, which index with int64.
#pragma once

#include <ATen/ATen.h>

#include "greater/common/token_id.h"

namespace greater {

// [n] int64 tensor of `ids` on `device`.
at::Tensor token_tensor(const TokenIds& ids, at::Device device);

// The ids of an integer tensor of any shape (flattened, row-major), each checked to be a TokenId.
TokenIds token_ids_of(const at::Tensor& ids);

}  // namespace greater
