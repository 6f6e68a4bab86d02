// Communicator over MPI: every collective is one or two blocking MPI calls on the host.
#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "communicators.h"
#include "greater/common/error.h"

namespace greater::dist_detail {

void check_mpi(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) length = 0;
  throw Error(call, "failed with MPI error " + std::to_string(code) +
                        (length > 0 ? " (" + std::string(text, length) + ")" : ""));
}

void require_same_length(MPI_Comm comm, int64_t length, const char* operation) {
  int64_t bounds[2] = {length, -length};
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, bounds, 2, MPI_INT64_T, MPI_MAX, comm),
            "MPI_Allreduce (lengths)");
  if (bounds[0] != -bounds[1]) {
    throw Error(operation, "ranks hold different lengths (" + std::to_string(-bounds[1]) + " to " +
                               std::to_string(bounds[0]) + "); this rank holds " +
                               std::to_string(length));
  }
}

void require_valid_root(int root, int size) {
  if (root < 0 || root >= size) {
    throw Error("broadcast",
                "root " + std::to_string(root) + " outside [0, " + std::to_string(size) + ")");
  }
}

std::vector<int> all_gather_counts(MPI_Comm comm, size_t local_count, const char* operation) {
  // Every rank learns whether any count is too large, so they all throw together.
  const int count = local_count > static_cast<size_t>(INT_MAX) ? -1 : static_cast<int>(local_count);
  int size = 0;
  check_mpi(MPI_Comm_size(comm, &size), "MPI_Comm_size");
  std::vector<int> counts(static_cast<size_t>(size));
  check_mpi(MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, comm),
            "MPI_Allgather (counts)");
  int64_t total = 0;
  for (int c : counts) {
    total += c < 0 ? int64_t{INT_MAX} + 1 : c;
  }
  if (total > INT_MAX) {
    throw Error(operation, "more than " + std::to_string(INT_MAX) +
                               " elements in all; MPI counts cannot hold them");
  }
  return counts;
}

namespace {

MPI_Datatype mpi_type(const double*) { return MPI_DOUBLE; }
MPI_Datatype mpi_type(const int64_t*) { return MPI_INT64_T; }

class MpiCommunicator final : public Communicator {
 public:
  explicit MpiCommunicator(MPI_Comm comm) : comm_(comm) {
    check_mpi(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
    check_mpi(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
  }

  ~MpiCommunicator() override {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized && comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string backend() const override { return kMpiBackend; }

  std::vector<double> all_gather(const std::vector<double>& local) override {
    return gather_ragged(local);
  }
  std::vector<int64_t> all_gather(const std::vector<int64_t>& local) override {
    return gather_ragged(local);
  }

  void all_reduce_sum(std::vector<double>& values) override {
    require_same_length(comm_, static_cast<int64_t>(values.size()), "all_reduce_sum");
    if (values.empty()) return;
    check_mpi(MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()),
                            MPI_DOUBLE, MPI_SUM, comm_),
              "MPI_Allreduce");
  }

  void broadcast(std::string& bytes, int root) override {
    require_valid_root(root, size_);
    int64_t length = static_cast<int64_t>(bytes.size());
    check_mpi(MPI_Bcast(&length, 1, MPI_INT64_T, root, comm_), "MPI_Bcast (size)");
    if (length > INT_MAX) {
      throw Error("broadcast",
                  std::to_string(length) + " bytes is more than one MPI_Bcast carries");
    }
    if (rank_ != root) bytes.resize(static_cast<size_t>(length));
    if (length == 0) return;
    check_mpi(MPI_Bcast(bytes.data(), static_cast<int>(length), MPI_CHAR, root, comm_),
              "MPI_Bcast (bytes)");
  }

  void barrier() override { check_mpi(MPI_Barrier(comm_), "MPI_Barrier"); }

 private:
  template <typename T>
  std::vector<T> gather_ragged(const std::vector<T>& local) {
    const std::vector<int> counts = all_gather_counts(comm_, local.size(), "all_gather");
    std::vector<int> displacements(counts.size());
    int total = 0;
    for (size_t r = 0; r < counts.size(); ++r) {
      displacements[r] = total;
      total += counts[r];
    }
    std::vector<T> out(static_cast<size_t>(total));
    if (total == 0) return out;
    check_mpi(MPI_Allgatherv(local.data(), static_cast<int>(local.size()), mpi_type(local.data()),
                             out.data(), counts.data(), displacements.data(), mpi_type(out.data()),
                             comm_),
              "MPI_Allgatherv");
    return out;
  }

  MPI_Comm comm_;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace

std::unique_ptr<Communicator> make_mpi_communicator(MPI_Comm comm) {
  return std::make_unique<MpiCommunicator>(comm);
}

}  // namespace greater::dist_detail
