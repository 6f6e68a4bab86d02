// The list messages of greater/dist/messages.h: a list travels as its length, then its ids,
// so lists of any lengths share two collectives.
#include "greater/dist/messages.h"

#include <algorithm>

namespace greater {

namespace {

void flatten(const std::vector<IdList>& lists, IdList& lengths, IdList& ids) {
  for (const IdList& list : lists) {
    lengths.push_back(static_cast<int64_t>(list.size()));
    ids.insert(ids.end(), list.begin(), list.end());
  }
}

std::vector<IdList> unflatten(const IdList& lengths, const IdList& ids) {
  std::vector<IdList> lists;
  size_t at = 0;
  for (int64_t n : lengths) {
    lists.emplace_back(ids.begin() + at, ids.begin() + at + n);
    at += n;
  }
  return lists;
}

}  // namespace

std::vector<IdList> all_gather_lists(Communicator& comm, const std::vector<IdList>& local) {
  IdList lengths, ids;
  flatten(local, lengths, ids);
  return unflatten(comm.all_gather(lengths), comm.all_gather(ids));
}

void broadcast_lists(Communicator& comm, std::vector<IdList>& lists, int root) {
  IdList lengths, ids;
  if (comm.rank() == root) flatten(lists, lengths, ids);
  broadcast_values(comm, lengths, root);
  broadcast_values(comm, ids, root);
  lists = unflatten(lengths, ids);
}

bool any_rank(Communicator& comm, bool flag) {
  return max_over_ranks(comm, flag ? 1 : 0) > 0;
}

int64_t max_over_ranks(Communicator& comm, int64_t value) {
  const IdList all = comm.all_gather(IdList{value});
  return *std::max_element(all.begin(), all.end());
}

}  // namespace greater
