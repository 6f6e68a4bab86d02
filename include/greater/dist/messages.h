// Typed messages between the ranks of one communicator. Every exchange in the program goes
// through these: plain structs of numbers (trivially copyable) and lists of ids travel as
// their bytes, so no caller packs or unpacks a byte format of its own. Each function is a
// collective: every rank of `comm` calls it, in the same order.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "greater/common/token_id.h"
#include "greater/dist/communicator.h"

namespace greater {

namespace dist_detail {

// A trivially copyable value as whole int64 words (the padding is carried, never read).
template <typename T>
constexpr size_t words_of() {
  return (sizeof(T) + sizeof(int64_t) - 1) / sizeof(int64_t);
}

template <typename T>
std::vector<int64_t> to_words(const std::vector<T>& values) {
  static_assert(std::is_trivially_copyable_v<T>, "only plain structs of numbers travel");
  std::vector<int64_t> words(values.size() * words_of<T>(), 0);
  for (size_t i = 0; i < values.size(); ++i)
    std::memcpy(&words[i * words_of<T>()], &values[i], sizeof(T));
  return words;
}

template <typename T>
std::vector<T> from_words(const std::vector<int64_t>& words) {
  std::vector<T> values(words.size() / words_of<T>());
  for (size_t i = 0; i < values.size(); ++i)
    std::memcpy(&values[i], &words[i * words_of<T>()], sizeof(T));
  return values;
}

}  // namespace dist_detail

// Root's `values` on every rank (resized on the others).
template <typename T>
void broadcast_values(Communicator& comm, std::vector<T>& values, int root = 0) {
  static_assert(std::is_trivially_copyable_v<T>, "only plain structs of numbers travel");
  std::string bytes;
  if (comm.rank() == root)
    bytes.assign(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
  comm.broadcast(bytes, root);
  values.resize(bytes.size() / sizeof(T));
  if (!bytes.empty()) std::memcpy(static_cast<void*>(values.data()), bytes.data(), bytes.size());
}

// Root's `value` on every rank.
template <typename T>
void broadcast_value(Communicator& comm, T& value, int root = 0) {
  std::vector<T> one = {value};
  broadcast_values(comm, one, root);
  value = one.at(0);
}

// Every rank's values concatenated in rank order (ranks may hold different counts).
template <typename T>
std::vector<T> all_gather_values(Communicator& comm, const std::vector<T>& local) {
  return dist_detail::from_words<T>(comm.all_gather(dist_detail::to_words(local)));
}
inline std::vector<double> all_gather_values(Communicator& comm,
                                             const std::vector<double>& local) {
  return comm.all_gather(local);
}

// Every rank's lists of token ids concatenated in rank order.
std::vector<TokenIds> all_gather_lists(Communicator& comm, const std::vector<TokenIds>& local);

// Root's lists of token ids on every rank.
void broadcast_lists(Communicator& comm, std::vector<TokenIds>& lists, int root = 0);

// True on every rank when `flag` is true on any rank.
bool any_rank(Communicator& comm, bool flag);

// The largest `value` over the ranks, on every rank.
int64_t max_over_ranks(Communicator& comm, int64_t value);

}  // namespace greater
