#include <algorithm>
#include <string>
#include <vector>

#include "greater/common/error.h"
#include "greater/dist/communicator.h"

namespace greater {

std::vector<MicroBatch> micro_batches_of_rank(int64_t examples, int64_t micro_batch, int rank,
                                              int world_size) {
  const std::string where = "micro_batches_of_rank";
  if (examples < 0) throw Error(where, "examples must be >= 0, got " + std::to_string(examples));
  if (micro_batch < 1) {
    throw Error(where, "micro_batch must be >= 1, got " + std::to_string(micro_batch));
  }
  if (world_size < 1) {
    throw Error(where, "world_size must be >= 1, got " + std::to_string(world_size));
  }
  if (rank < 0 || rank >= world_size) {
    throw Error(
        where, "rank " + std::to_string(rank) + " outside [0, " + std::to_string(world_size) + ")");
  }

  // The batches depend only on `examples` and `micro_batch`; the world size only decides which
  // contiguous block of them this rank owns (the first `extra` ranks get one more).
  const int64_t batches = (examples + micro_batch - 1) / micro_batch;
  const int64_t base = batches / world_size;
  const int64_t extra = batches % world_size;
  const int64_t first_batch = rank * base + std::min<int64_t>(rank, extra);
  const int64_t owned = base + (rank < extra ? 1 : 0);

  std::vector<MicroBatch> out;
  out.reserve(static_cast<size_t>(owned));
  for (int64_t b = first_batch; b < first_batch + owned; ++b) {
    MicroBatch batch;
    batch.first = b * micro_batch;
    batch.count = std::min(micro_batch, examples - batch.first);
    out.push_back(batch);
  }
  return out;
}

}  // namespace greater
