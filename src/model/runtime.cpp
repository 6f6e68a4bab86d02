#include "greater/model/runtime.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>

#include <thread>

#include "greater/common/error.h"

namespace greater {

int set_compute_threads(int threads, int ranks_on_node) {
  if (threads <= 0) {
    const int cores = static_cast<int>(std::thread::hardware_concurrency());
    threads = std::max(1, cores / std::max(1, ranks_on_node));
  }
  at::set_num_threads(threads);
  return threads;
}

at::Device parse_device(const std::string& text) {
  if (text == "auto") return at::hasCUDA() ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
  try {
    const at::Device device(text);
    if (device.is_cuda() && !at::hasCUDA())
      throw Error("--device " + text, "this build or machine has no CUDA device");
    return device;
  } catch (const c10::Error&) {
    throw Error("--device " + text, "expected cpu, cuda, cuda:N or auto");
  }
}

at::ScalarType parse_dtype(const std::string& text, at::Device device) {
  if (text == "auto") return device.is_cuda() ? at::kBFloat16 : at::kFloat;
  if (text == "float32" || text == "fp32") return at::kFloat;
  if (text == "bfloat16" || text == "bf16") return at::kBFloat16;
  if (text == "float16" || text == "fp16") return at::kHalf;
  throw Error("--dtype " + text, "expected float32, bfloat16, float16 or auto");
}

std::string dtype_name(at::ScalarType dtype) {
  switch (dtype) {
    case at::kFloat:
      return "float32";
    case at::kBFloat16:
      return "bfloat16";
    case at::kHalf:
      return "float16";
    default:
      return c10::toString(dtype);
  }
}

bool is_out_of_memory(const c10::Error& error) {
  const std::string text = error.what();
  // CUDA's allocator says "out of memory"; the CPU allocator "not enough memory" (LibTorch 2.x)
  // or "can't allocate memory" (1.13).
  return text.find("out of memory") != std::string::npos ||
         text.find("not enough memory") != std::string::npos ||
         text.find("can't allocate memory") != std::string::npos;
}

}  // namespace greater
