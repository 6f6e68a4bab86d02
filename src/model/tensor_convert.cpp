#include "greater/model/tensor_convert.h"

#include <cstring>

#include "greater/common/error.h"

namespace greater {

static at::ScalarType scalar_type_of(const TensorView& view) {
  switch (view.dtype) {
    case StDType::F32:
      return at::kFloat;
    case StDType::BF16:
      return at::kBFloat16;
    case StDType::F16:
      return at::kHalf;
    case StDType::F64:
      return at::kDouble;
    case StDType::I64:
      return at::kLong;
    case StDType::I32:
      return at::kInt;
    case StDType::I16:
      return at::kShort;
    case StDType::I8:
      return at::kChar;
    case StDType::U8:
      return at::kByte;
    case StDType::BOOL:
      return at::kBool;
    default:
      throw Error(view.file + ": tensor " + view.name,
                  "dtype " + st_dtype_name(view.dtype) + " cannot be loaded into a tensor");
  }
}

at::Tensor tensor_from_view(const TensorView& view, at::ScalarType dtype, at::Device device) {
  const at::ScalarType stored = scalar_type_of(view);
  // from_blob does not copy; the .to()/.clone() below does, so the mapping may go away later.
  at::Tensor blob =
      at::from_blob(const_cast<uint8_t*>(view.data), view.shape, at::TensorOptions().dtype(stored));
  at::Tensor out = blob.to(device, dtype, /*non_blocking=*/false, /*copy=*/true);
  return out;
}

static StDType st_dtype_of(const at::Tensor& t, const std::string& name) {
  switch (t.scalar_type()) {
    case at::kFloat:
      return StDType::F32;
    case at::kBFloat16:
      return StDType::BF16;
    case at::kHalf:
      return StDType::F16;
    case at::kLong:
      return StDType::I64;
    case at::kInt:
      return StDType::I32;
    default:
      throw Error("tensor " + name, "unsupported dtype for safetensors output");
  }
}

TensorData tensor_to_data(const std::string& name, const at::Tensor& tensor) {
  TensorData data;
  data.name = name;
  data.dtype = st_dtype_of(tensor, name);
  data.shape = tensor.sizes().vec();
  const at::Tensor cpu = tensor.detach().to(at::kCPU).contiguous();
  data.bytes.assign(static_cast<const char*>(cpu.data_ptr()), cpu.numel() * cpu.element_size());
  return data;
}

}  // namespace greater
