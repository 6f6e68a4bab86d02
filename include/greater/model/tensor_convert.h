// Between safetensors bytes and LibTorch tensors.
#pragma once

#include <ATen/ATen.h>

#include <string>

#include "greater/model/safetensors.h"

namespace greater {

// A copy of the view's data as a tensor of `dtype` on `device` (F32, BF16, F16 and the
// integer types are read; anything else throws greater::Error naming the file and tensor).
at::Tensor tensor_from_view(const TensorView& view, at::ScalarType dtype, at::Device device);

// The tensor's bytes for writing (F32, BF16, F16, I64, I32 tensors; moved to CPU first).
TensorData tensor_to_data(const std::string& name, const at::Tensor& tensor);

}  // namespace greater
