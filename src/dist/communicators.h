// Private to the dist module: the concrete communicators behind greater::Communicator, and the
// checked-call helper for MPI. Only mpi_world.cpp creates communicators.
#pragma once

#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "greater/dist/communicator.h"

namespace greater::dist_detail {

// Throws greater::Error naming `call` and MPI's text for `code` unless it is MPI_SUCCESS.
// Needs MPI_ERRORS_RETURN on the communicator, which MpiWorld sets on MPI_COMM_WORLD (and
// communicators derived from it inherit).
void check_mpi(int code, const char* call);

// Throws the same greater::Error on every rank of `comm` unless all hold `length` elements for
// `operation`. A mismatch is a caller bug that MPI or NCCL would turn into garbage or a hang;
// one tiny all-reduce turns it into an error instead.
void require_same_length(MPI_Comm comm, int64_t length, const char* operation);

// Throws unless 0 <= root < size (same answer on every rank, so nobody is left waiting).
void require_valid_root(int root, int size);

// Every rank's element count, in rank order (MPI_Allgather); throws past INT_MAX in all.
std::vector<int> all_gather_counts(MPI_Comm comm, size_t local_count, const char* operation);

// Both take ownership of `comm` (a duplicate or split of MPI_COMM_WORLD) and free it when
// destroyed, unless MPI is already finalized.
std::unique_ptr<Communicator> make_mpi_communicator(MPI_Comm comm);

#ifdef GREATER_HAVE_NCCL
// Collective over `comm`: rank 0 makes the NCCL unique id and broadcasts it over MPI. The
// caller has already selected this rank's GPU (cudaSetDevice).
std::unique_ptr<Communicator> make_nccl_communicator(MPI_Comm comm);
#endif

}  // namespace greater::dist_detail
