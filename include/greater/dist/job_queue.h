// A queue of job indices shared by every rank of the world: groups of ranks take the next job
// when they finish one, so short and long jobs balance out. The counter lives on world rank 0
// and is advanced with one-sided MPI (MPI_Fetch_and_op), so nobody has to serve requests.
#pragma once

#include <mpi.h>

namespace greater {

class JobQueue {
 public:
  // Collective over MPI_COMM_WORLD.
  explicit JobQueue(int jobs);
  ~JobQueue();  // collective: frees the window
  JobQueue(const JobQueue&) = delete;
  JobQueue& operator=(const JobQueue&) = delete;

  // The next job index, or -1 when every job has been taken. Called by one rank per group,
  // which then tells the others.
  int take();

 private:
  int jobs_;
  MPI_Win window_ = MPI_WIN_NULL;
  long long* counter_ = nullptr;
};

}  // namespace greater
