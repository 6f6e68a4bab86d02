// Shared by the parity tests (plain-PyTorch and transformers fixtures): reading reference
// tensors and computing the loss and one-hot gradient the way the references do.
#pragma once

#include <ATen/ATen.h>

#include <string>

#include "greater/model/generation.h"
#include "greater/model/safetensors.h"
#include "greater/model/tensor_convert.h"
#include "greater/model/transformer.h"

namespace greater::test {

// A reference tensor as float32 (int64 for integer tensors), on CPU.
inline at::Tensor reference_tensor(const SafetensorsFile& ref, const std::string& name) {
  const TensorView& view = ref.tensor(name);
  return tensor_from_view(view, view.dtype == StDType::I64 ? at::kLong : at::kFloat, at::kCPU);
}

// A tensor of token ids as TokenIds (any shape, read in order).
inline TokenIds to_ids(const at::Tensor& t) {
  const at::Tensor flat = t.flatten().contiguous();
  return TokenIds(flat.data_ptr<int64_t>(), flat.data_ptr<int64_t>() + flat.numel());
}

inline double cosine(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor x = a.flatten().to(at::kDouble), y = b.flatten().to(at::kDouble);
  return (x * y).sum().item<double>() / (x.norm().item<double>() * y.norm().item<double>());
}

inline double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kFloat) - b.to(at::kFloat)).abs().max().item<double>();
}

struct LossAndGradient {
  double loss;             // mean next-token cross-entropy of ids [1, T]
  at::Tensor onehot_grad;  // [T, vocab]: d loss / d one-hot input = (d loss / d embeddings) · Eᵀ
};

// The loss is computed as the optimizer computes its losses: through input_embedding_gradient,
// which returns the gradient with respect to the unscaled input embeddings. ids [1, T] on the
// CPU; the model may live on any device; the gradient comes back on the CPU.
inline LossAndGradient loss_and_onehot_gradient(const Transformer& model, const at::Tensor& ids) {
  const PaddedBatch batch = right_padded(
      {TokenIds(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + ids.numel())}, model.device());
  const at::Tensor targets = ids[0].to(model.device());
  at::Tensor loss_value;
  const at::Tensor grad = input_embedding_gradient(model, batch, [&](const at::Tensor& hidden) {
    const at::Tensor out = model.lm_head(hidden);
    const int64_t n = out.size(1);
    loss_value = at::cross_entropy_loss(out[0].narrow(0, 0, n - 1), targets.narrow(0, 1, n - 1));
    return loss_value;
  });
  return {loss_value.item<double>(),
          at::matmul(grad, model.weights().embed_tokens.t()).squeeze(0).cpu()};
}

}  // namespace greater::test
