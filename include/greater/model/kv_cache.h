// Keys and values of tokens already run, per layer, for incremental decoding.
#pragma once

#include <ATen/ATen.h>

#include <vector>

namespace greater {

class KVCache {
 public:
  // Room for `capacity` tokens per sequence; grows if exceeded.
  KVCache(int64_t num_layers, int64_t batch, int64_t kv_heads, int64_t head_dim, int64_t capacity,
          at::TensorOptions options);

  int64_t length() const { return length_; }  // tokens cached per sequence
  int64_t batch() const { return batch_; }

  // Appends k, v [B, kv_heads, T, head_dim] for `layer` and returns views of everything cached
  // for it, [B, kv_heads, length + T, head_dim]. The last layer's call advances length().
  // With autograd on, tensors are concatenated instead of written in place, so gradients flow.
  std::pair<at::Tensor, at::Tensor> append(int64_t layer, const at::Tensor& k, const at::Tensor& v);

  // Copies everything `part` has cached into sequences [first, first + part.batch()) of this
  // cache, which then holds part.length() tokens: for a batch prefilled in parts. Every part
  // must have the same length.
  void write_rows(int64_t first, const KVCache& part);

  // Keeps only the sequences at `rows` (int64 [B']), for dropping finished ones from a batch.
  void select_rows(const at::Tensor& rows);

 private:
  std::vector<at::Tensor> keys_, values_;  // [B, kv_heads, capacity, head_dim]
  int64_t batch_;
  int64_t length_ = 0;
  int64_t num_layers_;
};

}  // namespace greater
