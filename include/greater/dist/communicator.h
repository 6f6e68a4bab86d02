// How ranks of one job exchange data. The optimizer only calls this interface; MPI and NCCL
// implement it. Every collective is called by all ranks of the communicator in the same order.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace greater {

// The names backend() answers. The app's --no-nccl option is spelt from kNcclBackend, so that
// the library names of the transports live in src/dist alone.
inline constexpr char kMpiBackend[] = "mpi";
inline constexpr char kNcclBackend[] = "nccl";

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual std::string backend() const = 0;  // kMpiBackend or kNcclBackend

  // Concatenation of every rank's vector in rank order (vectors may differ in length).
  virtual std::vector<double> all_gather(const std::vector<double>& local) = 0;
  virtual std::vector<int64_t> all_gather(const std::vector<int64_t>& local) = 0;

  // Element-wise sum over ranks, in place (same length on every rank).
  virtual void all_reduce_sum(std::vector<double>& values) = 0;

  // Root's bytes to every rank; `bytes` is resized on non-root ranks.
  virtual void broadcast(std::string& bytes, int root) = 0;

  virtual void barrier() = 0;
};

// Sharding that does not depend on the world size: examples are cut into fixed micro-batches
// by example index, and ranks own whole micro-batches (contiguous blocks, rank order). So every
// per-example number is computed in the same batch whatever the number of ranks.
struct MicroBatch {
  int64_t first = 0;  // index into the train split
  int64_t count = 0;
};
std::vector<MicroBatch> micro_batches_of_rank(int64_t examples, int64_t micro_batch, int rank,
                                             int world_size);

}  // namespace greater
