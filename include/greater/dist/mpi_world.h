// The MPI side of a process: initialization, the world communicator, groups of ranks that run
// separate jobs, the GPU of each rank, and failing together.
#pragma once

#include <memory>
#include <string>

#include "greater/dist/communicator.h"

namespace greater {

class MpiWorld {
 public:
  // MPI_Init_thread (FUNNELED); MPI errors return codes instead of aborting silently.
  MpiWorld(int* argc, char*** argv);
  ~MpiWorld();  // MPI_Finalize
  MpiWorld(const MpiWorld&) = delete;
  MpiWorld& operator=(const MpiWorld&) = delete;

  int rank() const;
  int size() const;
  int local_rank() const;  // OMPI_COMM_WORLD_LOCAL_RANK, else SLURM_LOCALID, else 0
  int local_size() const;

  // Communicator over all ranks: NCCL when `prefer_nccl` and every rank has its own GPU and
  // the build has NCCL, MPI otherwise.
  std::unique_ptr<Communicator> world_communicator(bool prefer_nccl) const;

  // Splits the world into groups of `ranks_per_group` consecutive ranks (MPI_Comm_split);
  // returns this rank's group communicator and its group index.
  std::unique_ptr<Communicator> group_communicator(int ranks_per_group, int* group_index,
                                                   bool prefer_nccl) const;

  // Collective over the whole world: the largest `value` of any rank (e.g. the worst exit
  // code of a multi-job launch, whose groups have no communicator in common).
  int max_over_world(int value) const;

  // Ends every rank of the world within seconds, after printing `message` on stderr with this
  // rank's number. Used when any rank fails, so that no rank waits forever in a collective.
  [[noreturn]] static void abort_all(const std::string& message, int exit_code = 1);

 private:
  int rank_ = 0;
  int size_ = 1;
  int local_rank_ = 0;
  int local_size_ = 1;
};

}  // namespace greater
