// Process-wide compute settings: intra-op threads, device and dtype from option strings.
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <utility>
#include <vector>

namespace greater {

// Sets LibTorch's intra-op threads (Debian's build defaults to 1). `threads` <= 0 means the
// machine's cores divided among the `ranks_on_node` processes that share them, at least 1.
// Returns the number set.
int set_compute_threads(int threads, int ranks_on_node = 1);

// "cpu", "cuda", "cuda:N"; "auto" picks CUDA when available. Errors name the option.
at::Device parse_device(const std::string& text);

// "float32", "bfloat16", "float16"; "auto" = bfloat16 on CUDA, float32 on CPU.
at::ScalarType parse_dtype(const std::string& text, at::Device device);
std::string dtype_name(at::ScalarType dtype);

// True for LibTorch's allocation failures (CUDA's "out of memory", the CPU allocator's).
bool is_out_of_memory(const c10::Error& error);

// Calls fn(first, count) once for the items [first, first + count); when memory runs out, for
// each half instead, recursively down to single items. `fn` must write each item's results in
// that item's own place, so that a failed attempt leaves nothing behind.
template <typename F>
void in_batches_that_fit(int64_t first, int64_t count, const F& fn) {
  std::vector<std::pair<int64_t, int64_t>> pending = {{first, count}};  // (first, count)
  while (!pending.empty()) {
    const auto [begin, size] = pending.back();
    pending.pop_back();
    try {
      fn(begin, size);
    } catch (const c10::Error& e) {
      if (size <= 1 || !is_out_of_memory(e)) throw;
      pending.emplace_back(begin + size / 2, size - size / 2);  // runs after the first half
      pending.emplace_back(begin, size / 2);
    }
  }
}

}  // namespace greater
