// One greater_dist job on one communicator: load, open or resume the run file, optimize,
// evaluate, record. Used for a single job and for each job of a multi-job launch.
#pragma once

#include <functional>

#include "greater/dist/communicator.h"
#include "greater/dist/mpi_world.h"
#include "job_options.h"

namespace greater {

enum class JobOutcome {
  Finished,         // optimized and evaluated; run file marked finished
  AlreadyFinished,  // the run file was finished before (multi-job launches skip it)
  Interrupted,      // stopped by a signal at an iteration boundary; resume later
  Failed,           // bad input found before the run started; reported on stderr
};

// Collective over `comm`. Runtime errors (after setup) end every rank of the world through
// MpiWorld::abort_all; setup errors return Failed on every rank of `comm`.
// `world` places this rank on its node (GPU index, threads).
JobOutcome run_job(const JobOptions& options, Communicator& comm, const MpiWorld& world,
                   bool skip_finished, const std::function<bool()>& stop_requested);

}  // namespace greater
