// Communicator over NCCL on this rank's GPU. Host vectors are staged through one device buffer;
// each collective ends with cudaStreamSynchronize, so calls are blocking like the MPI ones.
// MPI (the same ranks) carries the NCCL unique id, ragged counts and barriers.
#include <cuda_runtime.h>
#include <nccl.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "communicators.h"
#include "greater/common/error.h"

namespace greater::dist_detail {
namespace {

void check_cuda(cudaError_t code, const char* call) {
  if (code == cudaSuccess) return;
  throw Error(call, std::string("failed: ") + cudaGetErrorName(code) + " (" +
                        cudaGetErrorString(code) + ")");
}

void check_nccl(ncclResult_t code, const char* call, ncclComm_t comm = nullptr) {
  if (code == ncclSuccess) return;
  std::string detail;
#if defined(NCCL_VERSION_CODE) && NCCL_VERSION_CODE >= NCCL_VERSION(2, 13, 0)
  const char* last = ncclGetLastError(comm);
  if (last != nullptr && last[0] != '\0') detail = "; " + std::string(last);
#else
  (void)comm;
#endif
  throw Error(call, std::string("failed: ") + ncclGetErrorString(code) + detail);
}

ncclDataType_t nccl_type(const double*) { return ncclFloat64; }
ncclDataType_t nccl_type(const int64_t*) { return ncclInt64; }

class NcclCommunicator final : public Communicator {
 public:
  explicit NcclCommunicator(MPI_Comm comm) : mpi_comm_(comm) {
    check_mpi(MPI_Comm_rank(mpi_comm_, &rank_), "MPI_Comm_rank");
    check_mpi(MPI_Comm_size(mpi_comm_, &size_), "MPI_Comm_size");
    ncclUniqueId id;
    std::memset(&id, 0, sizeof id);
    if (rank_ == 0) check_nccl(ncclGetUniqueId(&id), "ncclGetUniqueId");
    check_mpi(MPI_Bcast(&id, sizeof id, MPI_BYTE, 0, mpi_comm_), "MPI_Bcast (NCCL unique id)");
    check_cuda(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking),
               "cudaStreamCreateWithFlags");
    check_nccl(ncclCommInitRank(&nccl_comm_, size_, id, rank_), "ncclCommInitRank");
  }

  ~NcclCommunicator() override {
    // Nothing here may throw; errors at teardown cannot be acted on.
    if (stream_ != nullptr) cudaStreamSynchronize(stream_);
    if (nccl_comm_ != nullptr) ncclCommDestroy(nccl_comm_);
    if (buffer_ != nullptr) cudaFree(buffer_);
    if (stream_ != nullptr) cudaStreamDestroy(stream_);
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized && mpi_comm_ != MPI_COMM_NULL) MPI_Comm_free(&mpi_comm_);
  }

  NcclCommunicator(const NcclCommunicator&) = delete;
  NcclCommunicator& operator=(const NcclCommunicator&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string backend() const override { return kNcclBackend; }

  std::vector<double> all_gather(const std::vector<double>& local) override {
    return gather_ragged(local);
  }
  std::vector<int64_t> all_gather(const std::vector<int64_t>& local) override {
    return gather_ragged(local);
  }

  void all_reduce_sum(std::vector<double>& values) override {
    require_same_length(mpi_comm_, static_cast<int64_t>(values.size()), "all_reduce_sum");
    if (values.empty()) return;
    const size_t bytes = values.size() * sizeof(double);
    double* device = static_cast<double*>(device_buffer(bytes));
    check_cuda(cudaMemcpyAsync(device, values.data(), bytes, cudaMemcpyHostToDevice, stream_),
               "cudaMemcpyAsync (all_reduce_sum in)");
    check_nccl(
        ncclAllReduce(device, device, values.size(), ncclFloat64, ncclSum, nccl_comm_, stream_),
        "ncclAllReduce", nccl_comm_);
    check_cuda(cudaMemcpyAsync(values.data(), device, bytes, cudaMemcpyDeviceToHost, stream_),
               "cudaMemcpyAsync (all_reduce_sum out)");
    synchronize();
  }

  void broadcast(std::string& bytes, int root) override {
    require_valid_root(root, size_);
    int64_t length = static_cast<int64_t>(bytes.size());
    void* device = device_buffer(sizeof length);
    check_cuda(cudaMemcpyAsync(device, &length, sizeof length, cudaMemcpyHostToDevice, stream_),
               "cudaMemcpyAsync (broadcast size in)");
    check_nccl(ncclBroadcast(device, device, 1, ncclInt64, root, nccl_comm_, stream_),
               "ncclBroadcast (size)", nccl_comm_);
    check_cuda(cudaMemcpyAsync(&length, device, sizeof length, cudaMemcpyDeviceToHost, stream_),
               "cudaMemcpyAsync (broadcast size out)");
    synchronize();
    if (rank_ != root) bytes.resize(static_cast<size_t>(length));
    if (length == 0) return;

    device = device_buffer(bytes.size());
    if (rank_ == root) {
      check_cuda(
          cudaMemcpyAsync(device, bytes.data(), bytes.size(), cudaMemcpyHostToDevice, stream_),
          "cudaMemcpyAsync (broadcast bytes in)");
    }
    check_nccl(ncclBroadcast(device, device, bytes.size(), ncclUint8, root, nccl_comm_, stream_),
               "ncclBroadcast (bytes)", nccl_comm_);
    check_cuda(cudaMemcpyAsync(bytes.data(), device, bytes.size(), cudaMemcpyDeviceToHost, stream_),
               "cudaMemcpyAsync (broadcast bytes out)");
    synchronize();
  }

  // Every collective above has already synchronized its stream, so the host barrier suffices.
  void barrier() override { check_mpi(MPI_Barrier(mpi_comm_), "MPI_Barrier"); }

 private:
  // NCCL has no ragged all-gather: every rank sends a block of the longest length, in place in
  // one buffer of size × longest elements, and the host keeps each block's real prefix.
  template <typename T>
  std::vector<T> gather_ragged(const std::vector<T>& local) {
    const std::vector<int> counts = all_gather_counts(mpi_comm_, local.size(), "all_gather");
    const size_t longest = static_cast<size_t>(*std::max_element(counts.begin(), counts.end()));
    size_t total = 0;
    for (int c : counts) total += static_cast<size_t>(c);
    std::vector<T> out(total);
    if (longest == 0) return out;

    std::vector<T> padded(longest * static_cast<size_t>(size_));
    T* device = static_cast<T*>(device_buffer(padded.size() * sizeof(T)));
    T* mine = device + static_cast<size_t>(rank_) * longest;
    if (!local.empty()) {
      check_cuda(cudaMemcpyAsync(mine, local.data(), local.size() * sizeof(T),
                                 cudaMemcpyHostToDevice, stream_),
                 "cudaMemcpyAsync (all_gather in)");
    }
    check_nccl(ncclAllGather(mine, device, longest, nccl_type(device), nccl_comm_, stream_),
               "ncclAllGather", nccl_comm_);
    check_cuda(cudaMemcpyAsync(padded.data(), device, padded.size() * sizeof(T),
                               cudaMemcpyDeviceToHost, stream_),
               "cudaMemcpyAsync (all_gather out)");
    synchronize();

    auto next = out.begin();
    for (int r = 0; r < size_; ++r) {
      const auto block = padded.begin() + static_cast<std::ptrdiff_t>(r * longest);
      next = std::copy(block, block + counts[r], next);
    }
    return out;
  }

  // One device buffer that only grows; the exchanges are kilobytes, so it stays small.
  void* device_buffer(size_t bytes) {
    if (bytes > capacity_) {
      if (buffer_ != nullptr) {
        synchronize();
        check_cuda(cudaFree(buffer_), "cudaFree");
        buffer_ = nullptr;
        capacity_ = 0;
      }
      const size_t rounded = std::max<size_t>(bytes, 4096);
      check_cuda(cudaMalloc(&buffer_, rounded), "cudaMalloc");
      capacity_ = rounded;
    }
    return buffer_;
  }

  void synchronize() { check_cuda(cudaStreamSynchronize(stream_), "cudaStreamSynchronize"); }

  MPI_Comm mpi_comm_;
  int rank_ = 0;
  int size_ = 1;
  cudaStream_t stream_ = nullptr;
  ncclComm_t nccl_comm_ = nullptr;
  void* buffer_ = nullptr;
  size_t capacity_ = 0;
};

}  // namespace

std::unique_ptr<Communicator> make_nccl_communicator(MPI_Comm comm) {
  return std::make_unique<NcclCommunicator>(comm);
}

}  // namespace greater::dist_detail
