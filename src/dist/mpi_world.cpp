// MPI lifetime, rank-to-GPU mapping and the choice of backend. Every function here that makes a
// communicator is collective over MPI_COMM_WORLD.
#include "greater/dist/mpi_world.h"

#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

#ifdef GREATER_HAVE_NCCL
#include <cuda_runtime.h>
#endif

#include "communicators.h"
#include "greater/common/error.h"

namespace greater {
namespace {

using dist_detail::check_mpi;

// The launcher's node-local rank, or -1 when no launcher variable is set.
int local_rank_from_environment() {
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID"}) {
    const char* value = std::getenv(name);
    if (value == nullptr || value[0] == '\0') continue;
    char* end = nullptr;
    const long parsed = std::strtol(value, &end, 10);
    if (*end != '\0' || parsed < 0) {
      throw Error(name, std::string("is '") + value + "', not a node-local rank");
    }
    return static_cast<int>(parsed);
  }
  return -1;
}

// Whether every rank on this node can have a GPU of its own. Without a driver,
// cudaGetDeviceCount fails: that counts as no GPU.
bool node_has_gpu_per_rank(int local_size) {
#ifdef GREATER_HAVE_NCCL
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess) {
    cudaGetLastError();  // clear the error so that later CUDA calls do not report it
    devices = 0;
  }
  return devices >= local_size;
#else
  (void)local_size;
  return false;
#endif
}

// Takes ownership of `comm`. All ranks of `comm` agree on the backend (a minimum over them), so
// a node short of GPUs moves everyone to MPI instead of leaving ranks in different libraries.
std::unique_ptr<Communicator> make_communicator(MPI_Comm comm, bool prefer_nccl, int local_rank,
                                                int local_size) {
#ifdef GREATER_HAVE_NCCL
  int nccl_everywhere = prefer_nccl && node_has_gpu_per_rank(local_size) ? 1 : 0;
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, &nccl_everywhere, 1, MPI_INT, MPI_MIN, comm),
            "MPI_Allreduce (backend choice)");
  if (nccl_everywhere == 1) {
    const cudaError_t code = cudaSetDevice(local_rank);
    if (code != cudaSuccess) {
      throw Error("cudaSetDevice(" + std::to_string(local_rank) + ")",
                  std::string("failed: ") + cudaGetErrorString(code));
    }
    return dist_detail::make_nccl_communicator(comm);
  }
#else
  (void)prefer_nccl;
  (void)local_rank;
  (void)local_size;
#endif
  return dist_detail::make_mpi_communicator(comm);
}

}  // namespace

MpiWorld::MpiWorld(int* argc, char*** argv) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) {
    throw Error("MpiWorld", "MPI is already initialized; make one MpiWorld per process");
  }
  int provided = 0;
  // Until MPI_ERRORS_RETURN is set, a failure here aborts inside MPI with its own message.
  check_mpi(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  check_mpi(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  if (provided < MPI_THREAD_FUNNELED) {
    throw Error("MPI_Init_thread", "the MPI library does not provide MPI_THREAD_FUNNELED");
  }
  check_mpi(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  check_mpi(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");

  // The ranks sharing this node's memory are the ranks sharing its GPUs, whatever the launcher.
  MPI_Comm node = MPI_COMM_NULL;
  check_mpi(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node),
            "MPI_Comm_split_type");
  int node_rank = 0;
  check_mpi(MPI_Comm_rank(node, &node_rank), "MPI_Comm_rank (node)");
  check_mpi(MPI_Comm_size(node, &local_size_), "MPI_Comm_size (node)");
  check_mpi(MPI_Comm_free(&node), "MPI_Comm_free (node)");

  const int from_launcher = local_rank_from_environment();
  local_rank_ = from_launcher >= 0 ? from_launcher : node_rank;
  if (local_rank_ >= local_size_) {
    throw Error("local rank", std::to_string(local_rank_) + " from the launcher, but only " +
                                  std::to_string(local_size_) + " ranks share this node");
  }
}

MpiWorld::~MpiWorld() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  // MPI_Finalize waits for every rank; if an error is unwinding here, the others may be waiting
  // in a collective for this one, and the job would hang instead of failing.
  if (std::uncaught_exceptions() > 0 && size_ > 1) {
    abort_all(
        "an exception left the scope of MpiWorld; catch errors inside it and pass their "
        "message to MpiWorld::abort_all");
  }
  MPI_Finalize();
}

int MpiWorld::rank() const { return rank_; }
int MpiWorld::size() const { return size_; }
int MpiWorld::local_rank() const { return local_rank_; }
int MpiWorld::local_size() const { return local_size_; }

std::unique_ptr<Communicator> MpiWorld::world_communicator(bool prefer_nccl) const {
  // A duplicate, so that our collectives never match messages of other code on MPI_COMM_WORLD.
  MPI_Comm comm = MPI_COMM_NULL;
  check_mpi(MPI_Comm_dup(MPI_COMM_WORLD, &comm), "MPI_Comm_dup");
  return make_communicator(comm, prefer_nccl, local_rank_, local_size_);
}

std::unique_ptr<Communicator> MpiWorld::group_communicator(int ranks_per_group, int* group_index,
                                                           bool prefer_nccl) const {
  if (ranks_per_group < 1) {
    throw Error("group_communicator",
                "ranks_per_group must be >= 1, got " + std::to_string(ranks_per_group));
  }
  // Consecutive ranks share a group; when size is not a multiple, the last group is smaller.
  const int color = rank_ / ranks_per_group;
  MPI_Comm comm = MPI_COMM_NULL;
  check_mpi(MPI_Comm_split(MPI_COMM_WORLD, color, rank_, &comm), "MPI_Comm_split");
  if (group_index != nullptr) *group_index = color;
  return make_communicator(comm, prefer_nccl, local_rank_, local_size_);
}

int MpiWorld::max_over_world(int value) const {
  int result = value;
  check_mpi(MPI_Allreduce(&value, &result, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD),
            "MPI_Allreduce (max over the world)");
  return result;
}

void MpiWorld::abort_all(const std::string& message, int exit_code) {
  int initialized = 0;
  int finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  const bool mpi_running = initialized && !finalized;
  int rank = -1;
  if (mpi_running) MPI_Comm_rank(MPI_COMM_WORLD, &rank);

  std::cout.flush();
  if (rank >= 0) {
    std::fprintf(stderr, "greater_dist rank %d: %s\n", rank, message.c_str());
  } else {
    std::fprintf(stderr, "greater_dist: %s\n", message.c_str());
  }
  std::fflush(nullptr);
  // mpirun kills every other rank of the job when one calls MPI_Abort.
  if (mpi_running) MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::_Exit(exit_code);
}

}  // namespace greater
