#include "greater/model/token_tensor.h"

namespace greater {

at::Tensor token_tensor(const TokenIds& ids, at::Device device) {
  return at::tensor(std::vector<int64_t>(ids.begin(), ids.end()), at::kLong).to(device);
}

TokenIds token_ids_of(const at::Tensor& ids) {
  const at::Tensor host = ids.to(at::kCPU, at::kLong).contiguous();
  const int64_t* data = host.data_ptr<int64_t>();
  TokenIds out;
  out.reserve(host.numel());
  for (int64_t i = 0; i < host.numel(); ++i) out.push_back(checked_token_id(data[i]));
  return out;
}

}  // namespace greater
