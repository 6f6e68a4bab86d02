// Work done by the model, counted as it runs, so a benchmark can compare measured time with
// what the hardware allows. Counting costs a few integer operations per forward pass.
//
// FLOPs are the multiply-adds of the matrix products (2 per multiply-add): the projections,
// attention scores and weighted sums as computed (masked entries included), and the LM head
// rows actually evaluated. Bytes are what a pass must at least read from memory: every weight
// matrix it uses once, plus the cached keys and values.
#pragma once

#include <cstdint>

namespace greater {

struct ComputeCounter {
  double matmul_flops = 0;     // projections, MLP and LM head
  double attention_flops = 0;  // QK^T and PV
  double bytes = 0;            // weights and KV read
  double decode_bytes = 0;     // part of `bytes` read by one-token decode steps
  double floor_seconds = 0;    // Σ over passes of max(flops / peak, bytes / bandwidth)
  int64_t decode_steps = 0;
  int64_t generated_tokens = 0;  // tokens chosen by greedy decoding (stop tokens included)

  // Set once by a benchmark (0 = floors not accumulated).
  double peak_flops_per_s = 0;
  double bandwidth_bytes_per_s = 0;

  double flops() const { return matmul_flops + attention_flops; }
  // Adds one pass (forward or backward) and its floor.
  void add(double matmul, double attention, double read_bytes, bool decode_step);
};

// The process-wide counter (the model runs on one thread of control).
ComputeCounter& compute_counter();

// Counters' difference (the work of one stage) and sum; rates are taken from `a`.
ComputeCounter operator-(const ComputeCounter& a, const ComputeCounter& b);
ComputeCounter operator+(const ComputeCounter& a, const ComputeCounter& b);

}  // namespace greater
