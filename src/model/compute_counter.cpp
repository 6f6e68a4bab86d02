#include "greater/model/compute_counter.h"

#include <algorithm>

namespace greater {

void ComputeCounter::add(double matmul, double attention, double read_bytes, bool decode_step) {
  matmul_flops += matmul;
  attention_flops += attention;
  bytes += read_bytes;
  if (decode_step) {
    decode_bytes += read_bytes;
    ++decode_steps;
  }
  if (peak_flops_per_s > 0 && bandwidth_bytes_per_s > 0)
    floor_seconds +=
        std::max((matmul + attention) / peak_flops_per_s, read_bytes / bandwidth_bytes_per_s);
}

ComputeCounter& compute_counter() {
  static ComputeCounter counter;
  return counter;
}

ComputeCounter operator-(const ComputeCounter& a, const ComputeCounter& b) {
  ComputeCounter d = a;
  d.matmul_flops -= b.matmul_flops;
  d.attention_flops -= b.attention_flops;
  d.bytes -= b.bytes;
  d.decode_bytes -= b.decode_bytes;
  d.floor_seconds -= b.floor_seconds;
  d.decode_steps -= b.decode_steps;
  d.generated_tokens -= b.generated_tokens;
  return d;
}

ComputeCounter operator+(const ComputeCounter& a, const ComputeCounter& b) {
  ComputeCounter negative;
  return a - (negative - b);
}

}  // namespace greater
