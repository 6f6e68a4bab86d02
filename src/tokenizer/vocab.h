// Token string -> id table, looked up by string_view so that BPE can probe substrings and
// merge halves without building std::string keys (this is most of the load time of the 9 MB
// Llama-3 file and of the per-character lookups in encode).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "greater/tokenizer/tokenizer.h"

namespace greater::tok {

class Vocab {
 public:
  using Entry = std::pair<std::string, TokenId>;

  void reserve(size_t n) {
    entries_.reserve(n);
    rehash(n);
  }

  // False (and no change) when the token is already present.
  bool insert(std::string token, TokenId id) {
    if (find(token) >= 0) return false;
    if ((entries_.size() + 1) * 2 > slots_.size()) rehash(entries_.size() + 1);
    entries_.emplace_back(std::move(token), id);
    place(static_cast<uint32_t>(entries_.size() - 1));
    return true;
  }

  // -1 when absent.
  TokenId find(std::string_view token) const {
    if (slots_.empty()) return -1;
    const size_t h = std::hash<std::string_view>()(token);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.index == kEmpty) return -1;
      if (s.hash == h && entries_[s.index].first == token) return entries_[s.index].second;
    }
  }

  size_t size() const { return entries_.size(); }
  std::vector<Entry>::const_iterator begin() const { return entries_.begin(); }
  std::vector<Entry>::const_iterator end() const { return entries_.end(); }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  struct Slot {
    size_t hash = 0;
    uint32_t index = kEmpty;
  };

  void rehash(size_t n) {
    size_t cap = 16;
    while (cap < n * 2) cap <<= 1;
    if (cap <= slots_.size()) return;
    slots_.assign(cap, Slot{});
    mask_ = cap - 1;
    for (uint32_t i = 0; i < entries_.size(); ++i) place(i);
  }

  void place(uint32_t index) {
    const size_t h = std::hash<std::string_view>()(entries_[index].first);
    size_t i = h & mask_;
    while (slots_[i].index != kEmpty) i = (i + 1) & mask_;
    slots_[i] = {h, index};
  }

  std::vector<Entry> entries_;
  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

}  // namespace greater::tok
