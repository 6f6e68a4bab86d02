// Run under mpirun at 1, 2 and 4 ranks (see CMakeLists.txt). Modes:
//   (none)         collectives of the world and of groups, with and without NCCL preferred
//   expect-mpi     additionally requires the MPI backend when NCCL is preferred (no GPU visible)
//   expect-nccl    additionally requires the NCCL backend when NCCL is preferred (a GPU per rank;
//                  run by scripts/gpu_check.sh on a GPU machine)
//   abort          rank 1 calls abort_all while the others wait in a barrier or compute (rank 2,
//                  which also catches SIGTERM)
//   unwind         rank 1 lets an exception leave MpiWorld's scope while the others wait
// A failed check ends every rank through abort_all, which is also what the product does.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "greater/common/error.h"
#include "greater/dist/communicator.h"
#include "greater/dist/messages.h"
#include "greater/dist/mpi_world.h"

namespace {

volatile std::sig_atomic_t g_stop_requested = 0;

using greater::Communicator;
using greater::MpiWorld;

#define CHECK(condition, what)                                                                 \
  do {                                                                                         \
    if (!(condition)) {                                                                        \
      std::ostringstream message_;                                                             \
      message_ << __FILE__ << ":" << __LINE__ << ": check failed: " #condition << " (" << what \
               << ")";                                                                         \
      MpiWorld::abort_all(message_.str());                                                     \
    }                                                                                          \
  } while (false)

template <typename Call>
bool throws_greater_error(Call call) {
  try {
    call();
  } catch (const greater::Error&) {
    return true;
  }
  return false;
}

void check_collectives(Communicator& comm, const std::string& label) {
  const int rank = comm.rank();
  const int size = comm.size();

  // Ragged all-gather: rank r contributes r doubles (rank 0 none).
  std::vector<double> local;
  for (int i = 0; i < rank; ++i) local.push_back(1000.0 * rank + i + 0.25);
  std::vector<double> expected;
  for (int r = 0; r < size; ++r) {
    for (int i = 0; i < r; ++i) expected.push_back(1000.0 * r + i + 0.25);
  }
  CHECK(comm.all_gather(local) == expected, label << " all_gather double");

  // Ragged int64 all-gather with values beyond double precision: rank r sends size - r values.
  std::vector<int64_t> ids;
  for (int i = 0; i < size - rank; ++i) ids.push_back((int64_t{1} << 60) + 10 * rank + i);
  ids.push_back(-rank - 1);
  std::vector<int64_t> expected_ids;
  for (int r = 0; r < size; ++r) {
    for (int i = 0; i < size - r; ++i) expected_ids.push_back((int64_t{1} << 60) + 10 * r + i);
    expected_ids.push_back(-r - 1);
  }
  CHECK(comm.all_gather(ids) == expected_ids, label << " all_gather int64");
  CHECK(comm.all_gather(std::vector<double>{}).empty(), label << " all_gather of nothing");

  // Sum: exact in double for these values.
  std::vector<double> values(7);
  for (int i = 0; i < 7; ++i) values[i] = (rank + 1) * i + 0.5;
  comm.all_reduce_sum(values);
  for (int i = 0; i < 7; ++i) {
    const double want = size * (size + 1) / 2.0 * i + 0.5 * size;
    CHECK(values[i] == want, label << " all_reduce_sum[" << i << "] = " << values[i]);
  }
  std::vector<double> none;
  comm.all_reduce_sum(none);
  CHECK(none.empty(), label << " all_reduce_sum of nothing");

  // Broadcast of binary bytes from the last rank; other ranks start with different lengths.
  std::string payload;
  for (int i = 0; i < 3000; ++i) payload.push_back(static_cast<char>(i * 7 % 256));
  std::string bytes = rank == size - 1 ? payload : std::string(rank + 1, 'x');
  comm.broadcast(bytes, size - 1);
  CHECK(bytes == payload, label << " broadcast of " << bytes.size() << " bytes");
  std::string empty = rank == 0 ? std::string() : std::string("stale");
  comm.broadcast(empty, 0);
  CHECK(empty.empty(), label << " broadcast of nothing");

  // Misuse fails on every rank alike instead of hanging.
  std::string unused = "x";
  CHECK(throws_greater_error([&] { comm.broadcast(unused, size); }), label << " bad root");
  if (size > 1) {
    std::vector<double> ragged(rank == 0 ? 2 : 3, 1.0);
    CHECK(throws_greater_error([&] { comm.all_reduce_sum(ragged); }),
          label << " all_reduce_sum of different lengths");
  }
  comm.barrier();
}

// Sharding and gathering together: the examples of all ranks are 0..N-1 in order.
// The typed messages: structs of numbers and id lists arrive whole, in rank order.
void check_messages(Communicator& comm, const std::string& label) {
  const int rank = comm.rank();
  const int size = comm.size();
  struct Decision {
    int64_t index;
    double score;
    bool flag;
  };
  Decision decision = rank == 0 ? Decision{7, 0.25, true} : Decision{-1, -1.0, false};
  greater::broadcast_value(comm, decision);
  CHECK(decision.index == 7 && decision.score == 0.25 && decision.flag, label);

  // Rank r holds r structs and r lists; list j of rank r holds j + 1 copies of r.
  std::vector<Decision> mine;
  std::vector<greater::TokenIds> lists;
  for (int j = 0; j < rank; ++j) {
    mine.push_back({rank, 0.5 * j, j % 2 == 0});
    lists.push_back(greater::TokenIds(j + 1, rank));
  }
  const std::vector<Decision> all = greater::all_gather_values(comm, mine);
  const std::vector<greater::TokenIds> all_lists = greater::all_gather_lists(comm, lists);
  CHECK(all.size() == static_cast<size_t>(size * (size - 1) / 2), label);
  CHECK(all_lists.size() == all.size(), label);
  size_t at = 0;
  for (int r = 0; r < size; ++r)
    for (int j = 0; j < r; ++j, ++at) {
      CHECK(all[at].index == r && all[at].score == 0.5 * j && all[at].flag == (j % 2 == 0), label);
      CHECK(all_lists[at] == greater::TokenIds(j + 1, r), label);
    }

  std::vector<greater::TokenIds> from_root;
  if (rank == 0) from_root = {{1, 2, 3}, {}, {4}};
  greater::broadcast_lists(comm, from_root);
  CHECK((from_root == std::vector<greater::TokenIds>{{1, 2, 3}, {}, {4}}), label);

  CHECK(greater::any_rank(comm, rank == size - 1), label);
  CHECK(!greater::any_rank(comm, false), label);
  CHECK(greater::max_over_ranks(comm, rank * 10) == (size - 1) * 10, label);
}

void check_sharded_examples(Communicator& comm) {
  const int64_t examples = 50;
  std::vector<int64_t> mine;
  for (const greater::MicroBatch& b :
       greater::micro_batches_of_rank(examples, 9, comm.rank(), comm.size())) {
    for (int64_t i = b.first; i < b.first + b.count; ++i) mine.push_back(i);
  }
  const std::vector<int64_t> all = comm.all_gather(mine);
  CHECK(static_cast<int64_t>(all.size()) == examples, "sharded examples: " << all.size());
  for (int64_t i = 0; i < examples; ++i) CHECK(all[i] == i, "sharded example " << i);
}

void check_groups(const MpiWorld& world, int ranks_per_group, bool prefer_nccl) {
  int group_index = -1;
  std::unique_ptr<Communicator> group =
      world.group_communicator(ranks_per_group, &group_index, prefer_nccl);
  const int first = group_index * ranks_per_group;
  const int members = std::min(ranks_per_group, world.size() - first);
  const std::string label = "group " + std::to_string(group_index) + " of " +
                            std::to_string(ranks_per_group) + " ranks (" + group->backend() + ")";
  CHECK(group_index == world.rank() / ranks_per_group, label);
  CHECK(group->rank() == world.rank() - first, label << " rank " << group->rank());
  CHECK(group->size() == members, label << " size " << group->size());

  // Each group sums on its own: the sum of its members' world ranks + 1.
  std::vector<double> value = {static_cast<double>(world.rank() + 1)};
  group->all_reduce_sum(value);
  double want = 0;
  for (int r = first; r < first + members; ++r) want += r + 1;
  CHECK(value[0] == want, label << " sum " << value[0] << ", want " << want);

  std::vector<int64_t> ranks = group->all_gather(std::vector<int64_t>{world.rank()});
  CHECK(static_cast<int>(ranks.size()) == members, label << " gathered " << ranks.size());
  for (int i = 0; i < members; ++i) CHECK(ranks[i] == first + i, label << " member " << i);
  check_collectives(*group, label);
}

enum class Expect { any, mpi, nccl };

void run_collectives(const MpiWorld& world, Expect expect) {
  CHECK(world.local_rank() >= 0 && world.local_rank() < world.local_size(),
        "local rank " << world.local_rank() << " of " << world.local_size());
  for (bool prefer_nccl : {false, true}) {
    std::unique_ptr<Communicator> comm = world.world_communicator(prefer_nccl);
    const std::string label = std::string("world (") + comm->backend() + ")";
    CHECK(comm->rank() == world.rank() && comm->size() == world.size(), label);
    if (!prefer_nccl || expect == Expect::mpi) CHECK(comm->backend() == "mpi", label);
    if (prefer_nccl && expect == Expect::nccl) CHECK(comm->backend() == "nccl", label);
    if (world.rank() == 0) {
      std::printf("%d ranks, prefer_nccl=%d: backend %s\n", world.size(), prefer_nccl,
                  comm->backend().c_str());
    }
    check_collectives(*comm, label);
    check_messages(*comm, label);
    CHECK(world.max_over_world(world.rank()) == world.size() - 1, label);
    check_sharded_examples(*comm);
    check_groups(world, world.size() >= 2 ? world.size() / 2 : 1, prefer_nccl);
    if (world.size() >= 3) check_groups(world, world.size() - 1, prefer_nccl);  // short last
    comm->barrier();
  }
}

void run_abort(const MpiWorld& world) {
  std::unique_ptr<Communicator> comm = world.world_communicator(false);
  comm->barrier();
  if (world.rank() == 1) {
    const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    MpiWorld::abort_all("abort test at " + std::to_string(now.count()) + " us", 3);
  }
  if (world.rank() == 2) {
    // Busy elsewhere, not in MPI, and catching SIGTERM as greater_dist does to stop cleanly:
    // mpirun's SIGKILL must still end it.
    std::signal(SIGTERM, [](int) { g_stop_requested = 1; });
    std::this_thread::sleep_for(std::chrono::seconds(120));
  } else {
    comm->barrier();  // never completes: rank 1 does not join
  }
  std::fprintf(stderr, "rank %d survived the abort\n", world.rank());
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  try {
    MpiWorld world(&argc, &argv);
    if (mode == "abort") {
      run_abort(world);
      return 0;
    }
    if (mode == "unwind") {
      std::unique_ptr<Communicator> comm = world.world_communicator(false);
      comm->barrier();
      if (world.rank() == 1) throw std::runtime_error("unwind test");
      comm->barrier();
      return 0;
    }
    run_collectives(world, mode == "expect-mpi"    ? Expect::mpi
                           : mode == "expect-nccl" ? Expect::nccl
                                                   : Expect::any);
    if (world.rank() == 0) std::printf("all checks passed at %d ranks\n", world.size());
  } catch (const std::exception& e) {
    MpiWorld::abort_all(e.what());
  }
  return 0;
}
