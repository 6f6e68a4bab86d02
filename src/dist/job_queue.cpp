#include "greater/dist/job_queue.h"

#include <mpi.h>

#include "greater/common/error.h"

namespace greater {

struct JobQueue::Window {
  MPI_Win handle = MPI_WIN_NULL;
  long long* counter = nullptr;
};

JobQueue::JobQueue(int jobs) : jobs_(jobs), window_(std::make_unique<Window>()) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  const MPI_Aint bytes = rank == 0 ? sizeof(long long) : 0;
  if (MPI_Win_allocate(bytes, sizeof(long long), MPI_INFO_NULL, MPI_COMM_WORLD,
                       &window_->counter, &window_->handle) != MPI_SUCCESS)
    throw Error("job queue", "MPI_Win_allocate failed");
  if (rank == 0) {
    MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, window_->handle);
    *window_->counter = 0;
    MPI_Win_unlock(0, window_->handle);
  }
  MPI_Barrier(MPI_COMM_WORLD);  // nobody takes a job before the counter is zero
}

JobQueue::~JobQueue() {
  if (window_->handle != MPI_WIN_NULL) MPI_Win_free(&window_->handle);
}

int JobQueue::take() {
  const long long one = 1;
  long long taken = 0;
  MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, window_->handle);
  MPI_Fetch_and_op(&one, &taken, MPI_LONG_LONG, 0, 0, MPI_SUM, window_->handle);
  MPI_Win_unlock(0, window_->handle);
  return taken < jobs_ ? static_cast<int>(taken) : -1;
}

}  // namespace greater
