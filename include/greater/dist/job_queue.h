// A queue of job indices shared by every rank of the world: groups of ranks take the next job
// when they finish one, so short and long jobs balance out. The counter lives on world rank 0
// and is advanced with one-sided MPI (fetch-and-add), so nobody has to serve requests.
#pragma once

#include <memory>

namespace greater {

class JobQueue {
 public:
  // Collective over the whole world.
  explicit JobQueue(int jobs);
  ~JobQueue();  // collective: frees the window
  JobQueue(const JobQueue&) = delete;
  JobQueue& operator=(const JobQueue&) = delete;

  // The next job index, or -1 when every job has been taken. Called by one rank per group,
  // which then tells the others.
  int take();

 private:
  struct Window;  // the MPI window, private to src/dist
  int jobs_;
  std::unique_ptr<Window> window_;
};

}  // namespace greater
