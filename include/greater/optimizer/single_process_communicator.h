// The communicator of an optimizer that runs in one process (benchmarks, tests): every
// collective is the identity.
#pragma once

#include "greater/dist/communicator.h"

namespace greater {

class SingleProcessCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string backend() const override { return "none"; }
  std::vector<double> all_gather(const std::vector<double>& local) override { return local; }
  std::vector<int64_t> all_gather(const std::vector<int64_t>& local) override { return local; }
  void all_reduce_sum(std::vector<double>&) override {}
  void broadcast(std::string&, int) override {}
  void barrier() override {}
};

}  // namespace greater
