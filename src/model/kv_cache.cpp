#include "greater/model/kv_cache.h"

#include <algorithm>

#include <ATen/core/grad_mode.h>  // at::GradMode: not pulled in by ATen.h in LibTorch 2.x

namespace greater {

KVCache::KVCache(int64_t num_layers, int64_t batch, int64_t kv_heads, int64_t head_dim,
                 int64_t capacity, at::TensorOptions options)
    : batch_(batch), num_layers_(num_layers) {
  for (int64_t l = 0; l < num_layers; ++l) {
    keys_.push_back(at::zeros({batch, kv_heads, capacity, head_dim}, options));
    values_.push_back(at::zeros({batch, kv_heads, capacity, head_dim}, options));
  }
}

static at::Tensor grown(const at::Tensor& t, int64_t keep, int64_t needed) {
  // Doubling keeps appends amortized O(1) when a generation runs past its estimate.
  const int64_t capacity = std::max(needed, 2 * t.size(2));
  auto bigger = at::zeros({t.size(0), t.size(1), capacity, t.size(3)}, t.options());
  bigger.narrow(2, 0, keep).copy_(t.narrow(2, 0, keep));
  return bigger;
}

std::pair<at::Tensor, at::Tensor> KVCache::append(int64_t layer, const at::Tensor& k,
                                                  const at::Tensor& v) {
  const int64_t added = k.size(2);
  const int64_t new_length = length_ + added;
  at::Tensor& keys = keys_[layer];
  at::Tensor& values = values_[layer];
  const bool track_grad = at::GradMode::is_enabled() &&
                          (k.requires_grad() || v.requires_grad() || keys.requires_grad());
  if (track_grad) {
    // In-place writes into a preallocated buffer would hide the new keys from autograd.
    keys = at::cat({keys.narrow(2, 0, length_), k}, 2);
    values = at::cat({values.narrow(2, 0, length_), v}, 2);
  } else {
    if (new_length > keys.size(2)) {
      keys = grown(keys, length_, new_length);
      values = grown(values, length_, new_length);
    }
    keys.narrow(2, length_, added).copy_(k);
    values.narrow(2, length_, added).copy_(v);
  }
  if (layer == num_layers_ - 1) length_ = new_length;
  return {keys.narrow(2, 0, new_length), values.narrow(2, 0, new_length)};
}

void KVCache::write_rows(int64_t first, const KVCache& part) {
  const int64_t length = part.length_;
  for (int64_t l = 0; l < num_layers_; ++l) {
    if (length > keys_[l].size(2)) {
      keys_[l] = grown(keys_[l], length_, length);
      values_[l] = grown(values_[l], length_, length);
    }
    keys_[l].narrow(0, first, part.batch_).narrow(2, 0, length).copy_(
        part.keys_[l].narrow(2, 0, length));
    values_[l].narrow(0, first, part.batch_).narrow(2, 0, length).copy_(
        part.values_[l].narrow(2, 0, length));
  }
  length_ = length;
}

void KVCache::select_rows(const at::Tensor& rows) {
  for (auto& k : keys_) k = k.index_select(0, rows);
  for (auto& v : values_) v = v.index_select(0, rows);
  batch_ = rows.size(0);
}

}  // namespace greater
