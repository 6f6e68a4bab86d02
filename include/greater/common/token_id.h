// Token ids: one type from the tokenizer through the optimizer to the run file. LibTorch
// indexes with int64, so ids widen on their way into a tensor and come back through
// checked_token_id (greater/model/token_tensor.h does both for tensors).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "greater/common/error.h"

namespace greater {

using TokenId = std::int32_t;
using TokenIds = std::vector<TokenId>;

// `id` as a TokenId; throws greater::Error naming `where` when it is negative or too large.
inline TokenId checked_token_id(std::int64_t id, const std::string& where = "token id") {
  if (id < 0 || id > INT32_MAX)
    throw Error(where,
                std::to_string(id) + " is not a token id (0 to " + std::to_string(INT32_MAX) + ")");
  return static_cast<TokenId>(id);
}

}  // namespace greater
