// The list messages of greater/dist/messages.h: a list travels as its length, then its ids,
// so lists of any lengths share two collectives.
#include "greater/dist/messages.h"

#include <algorithm>

namespace greater {

namespace {

using Lengths = std::vector<int64_t>;

void flatten(const std::vector<TokenIds>& lists, Lengths& lengths, TokenIds& ids) {
  for (const TokenIds& list : lists) {
    lengths.push_back(static_cast<int64_t>(list.size()));
    ids.insert(ids.end(), list.begin(), list.end());
  }
}

std::vector<TokenIds> unflatten(const Lengths& lengths, const TokenIds& ids) {
  std::vector<TokenIds> lists;
  size_t at = 0;
  for (int64_t n : lengths) {
    lists.emplace_back(ids.begin() + at, ids.begin() + at + n);
    at += n;
  }
  return lists;
}

}  // namespace

std::vector<TokenIds> all_gather_lists(Communicator& comm, const std::vector<TokenIds>& local) {
  Lengths lengths;
  TokenIds ids;
  flatten(local, lengths, ids);
  return unflatten(comm.all_gather(lengths), all_gather_values(comm, ids));
}

void broadcast_lists(Communicator& comm, std::vector<TokenIds>& lists, int root) {
  Lengths lengths;
  TokenIds ids;
  if (comm.rank() == root) flatten(lists, lengths, ids);
  broadcast_values(comm, lengths, root);
  broadcast_values(comm, ids, root);
  lists = unflatten(lengths, ids);
}

bool any_rank(Communicator& comm, bool flag) {
  return max_over_ranks(comm, flag ? 1 : 0) > 0;
}

int64_t max_over_ranks(Communicator& comm, int64_t value) {
  const std::vector<int64_t> all = comm.all_gather(std::vector<int64_t>{value});
  return *std::max_element(all.begin(), all.end());
}

}  // namespace greater
