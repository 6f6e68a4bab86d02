// BPE as Hugging Face tokenizers runs it (models/bpe/model.rs, word.rs): characters of the word
// are looked up first (unknown ones become byte-fallback tokens <0xNN>, or unk, or are dropped),
// then the lowest-ranked adjacent pair is merged until no pair has a rank, ties going to the
// leftmost pair. Merge ranks live in a flat hash table keyed by the id pair; results are cached
// per word.
#include <algorithm>
#include <cstdio>
#include <mutex>

#include "models.h"
#include "unicode.h"

namespace greater::tok {

namespace {

// (left id, right id) -> (rank, merged id), open addressing with linear probing.
class MergeTable {
 public:
  struct Entry {
    uint64_t key = kEmpty;
    uint32_t rank = 0;
    TokenId merged = -1;
  };

  void reserve(size_t n) {
    size_t cap = 16;
    while (cap < n * 2) cap <<= 1;
    slots_.assign(cap, Entry{});
    mask_ = cap - 1;
  }

  // A later merge of the same pair replaces the earlier one, as in HF's HashMap collect.
  void insert(TokenId left, TokenId right, uint32_t rank, TokenId merged) {
    const uint64_t key = pack(left, right);
    for (size_t i = hash(key) & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].key == kEmpty || slots_[i].key == key) {
        slots_[i] = {key, rank, merged};
        return;
      }
    }
  }

  const Entry* find(TokenId left, TokenId right) const {
    const uint64_t key = pack(left, right);
    for (size_t i = hash(key) & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return &slots_[i];
      if (slots_[i].key == kEmpty) return nullptr;
    }
  }

 private:
  static constexpr uint64_t kEmpty = ~uint64_t{0};
  static uint64_t pack(TokenId a, TokenId b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); }
  static uint64_t hash(uint64_t x) {  // splitmix64 finalizer
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }
  std::vector<Entry> slots_;
  size_t mask_ = 0;
};

struct BpeOptions {
  std::string unk_token;
  std::string continuing_subword_prefix;
  std::string end_of_word_suffix;
  bool fuse_unk = false;
  bool byte_fallback = false;
  bool ignore_merges = false;
};

class Bpe : public Model {
 public:
  Bpe(Vocab vocab, BpeOptions options) : vocab_(std::move(vocab)), options_(std::move(options)) {
    if (!options_.unk_token.empty()) unk_id_ = lookup(options_.unk_token);
    for (int b = 0; b < 256; ++b) {
      char name[8];
      std::snprintf(name, sizeof(name), "<0x%02X>", b);
      byte_ids_[b] = lookup(name);
    }
  }

  MergeTable& merges() { return merges_; }
  TokenId lookup(std::string_view token) const { return vocab_.find(token); }
  const Vocab& vocab() const override { return vocab_; }

  void tokenize(const std::string& word, TokenIds& out) const override {
    if (word.empty()) return;
    if (options_.ignore_merges) {
      const TokenId whole = lookup(word);
      if (whole >= 0) {
        out.push_back(whole);
        return;
      }
    }
    const bool cacheable = word.size() < kMaxCachedWord;
    if (cacheable) {
      std::lock_guard<std::mutex> lock(cache_mutex_);
      auto it = cache_.find(word);
      if (it != cache_.end()) {
        out.insert(out.end(), it->second.begin(), it->second.end());
        return;
      }
    }
    TokenIds ids = merge_word(word);
    out.insert(out.end(), ids.begin(), ids.end());
    if (cacheable) {
      std::lock_guard<std::mutex> lock(cache_mutex_);
      if (cache_.size() >= kCacheCapacity) cache_.clear();
      cache_.emplace(word, std::move(ids));
    }
  }

 private:
  static constexpr size_t kMaxCachedWord = 256;
  static constexpr size_t kCacheCapacity = 10000;

  struct Symbol {
    TokenId id;
    int prev;
    int next;
  };
  struct Candidate {
    uint32_t rank;
    int pos;
    TokenId merged;
    // Makes std::push_heap a min-heap on (rank, pos).
    bool operator<(const Candidate& o) const {
      return rank != o.rank ? rank > o.rank : pos > o.pos;
    }
  };

  // The word's characters as initial symbols: known characters, byte-fallback bytes, unk.
  TokenIds initial_symbols(const std::string& word) const {
    TokenIds ids;
    ids.reserve(word.size());
    bool unk_pending = false;
    size_t pos = 0;
    while (pos < word.size()) {
      const size_t start = pos;
      pos += utf8_length(static_cast<unsigned char>(word[pos]));
      std::string_view s(word.data() + start, pos - start);
      std::string affixed;
      if ((start > 0 && !options_.continuing_subword_prefix.empty()) ||
          (pos == word.size() && !options_.end_of_word_suffix.empty())) {
        if (start > 0) affixed += options_.continuing_subword_prefix;
        affixed += s;
        if (pos == word.size()) affixed += options_.end_of_word_suffix;
        s = affixed;
      }
      const TokenId id = lookup(s);
      if (id >= 0) {
        if (unk_pending) ids.push_back(unk_id_);
        unk_pending = false;
        ids.push_back(id);
        continue;
      }
      if (options_.byte_fallback && std::all_of(s.begin(), s.end(), [&](char c) {
            return byte_ids_[static_cast<unsigned char>(c)] >= 0;
          })) {
        // HF leaves a pending unk in place here and emits it before the next known character.
        for (char c : s) ids.push_back(byte_ids_[static_cast<unsigned char>(c)]);
        continue;
      }
      if (unk_id_ >= 0) {
        if (unk_pending && !options_.fuse_unk) ids.push_back(unk_id_);
        unk_pending = true;
      }
      // Without an unk token HF drops the character; so do we.
    }
    if (unk_pending) ids.push_back(unk_id_);
    return ids;
  }

  TokenIds merge_word(const std::string& word) const {
    const TokenIds initial = initial_symbols(word);
    const int n = static_cast<int>(initial.size());
    std::vector<Symbol> symbols(n);
    for (int i = 0; i < n; ++i) symbols[i] = {initial[i], i - 1, i + 1 < n ? i + 1 : -1};

    std::vector<Candidate> heap;
    heap.reserve(n);
    auto consider = [&](int pos) {
      const int next = symbols[pos].next;
      if (next < 0) return;
      if (const MergeTable::Entry* e = merges_.find(symbols[pos].id, symbols[next].id)) {
        heap.push_back({e->rank, pos, e->merged});
        std::push_heap(heap.begin(), heap.end());
      }
    };
    for (int i = 0; i + 1 < n; ++i) consider(i);

    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end());
      const Candidate top = heap.back();
      heap.pop_back();
      Symbol& left = symbols[top.pos];
      if (left.id < 0 || left.next < 0) continue;  // merged away, or now the last symbol
      Symbol& right = symbols[left.next];
      const MergeTable::Entry* e = merges_.find(left.id, right.id);
      if (!e || e->merged != top.merged) continue;  // stale: a neighbour changed
      left.id = top.merged;
      right.id = -1;
      left.next = right.next;
      if (left.next >= 0) symbols[left.next].prev = top.pos;
      if (left.prev >= 0) consider(left.prev);
      consider(top.pos);
    }

    TokenIds out;
    for (int i = n > 0 ? 0 : -1; i >= 0; i = symbols[i].next) out.push_back(symbols[i].id);
    return out;
  }

  Vocab vocab_;
  BpeOptions options_;
  MergeTable merges_;
  TokenId unk_id_ = -1;
  TokenId byte_ids_[256];
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, TokenIds> cache_;
};

// One merge in either JSON form: "a b" or ["a", "b"]; the views point into `m`.
std::pair<std::string_view, std::string_view> read_merge(const Json& m, const JsonPath& at) {
  if (m.is_string()) {
    const std::string& s = m.get_ref<const std::string&>();
    const size_t space = s.find(' ');
    if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos) {
      at.fail("expected two tokens separated by one space, got \"" + s + "\"");
    }
    const std::string_view v(s);
    return {v.substr(0, space), v.substr(space + 1)};
  }
  if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
    return {m[0].get_ref<const std::string&>(), m[1].get_ref<const std::string&>()};
  }
  at.fail("expected \"a b\" or [\"a\", \"b\"]");
}

}  // namespace

Vocab read_vocab(const Json& spec, const JsonPath& at) {
  const Json& v = require_field(spec, "vocab", at);
  if (!v.is_object()) (at / "vocab").fail("expected an object {\"token\": id}");
  Vocab vocab;
  vocab.reserve(v.size());
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!it.value().is_number_integer() || it.value().get<int64_t>() < 0 ||
        it.value().get<int64_t>() > INT32_MAX) {
      (at / "vocab" / it.key()).fail("expected a non-negative integer id");
    }
    vocab.insert(it.key(), static_cast<TokenId>(it.value().get<int64_t>()));
  }
  return vocab;
}

std::unique_ptr<Model> make_bpe_model(const Json& spec, const JsonPath& at) {
  if (const Json* dropout = find_field(spec, "dropout")) {
    if (!dropout->is_number() || dropout->get<double>() != 0.0) {
      (at / "dropout").fail("BPE dropout is not supported (it makes encoding random)");
    }
  }
  BpeOptions options;
  options.unk_token = get_string_or(spec, "unk_token", at, "");
  options.continuing_subword_prefix = get_string_or(spec, "continuing_subword_prefix", at, "");
  options.end_of_word_suffix = get_string_or(spec, "end_of_word_suffix", at, "");
  options.fuse_unk = get_bool_or(spec, "fuse_unk", at, false);
  options.byte_fallback = get_bool_or(spec, "byte_fallback", at, false);
  options.ignore_merges = get_bool_or(spec, "ignore_merges", at, false);

  auto bpe = std::make_unique<Bpe>(read_vocab(spec, at), options);
  if (!options.unk_token.empty() && bpe->lookup(options.unk_token) < 0) {
    (at / "unk_token").fail("\"" + options.unk_token + "\" is not in model.vocab");
  }

  const Json& merges = get_array(spec, "merges", at);
  const JsonPath merges_at = at / "merges";
  const size_t prefix_len = options.continuing_subword_prefix.size();
  bpe->merges().reserve(merges.size());
  std::string merged_token;
  for (size_t i = 0; i < merges.size(); ++i) {
    const auto [a, b] = read_merge(merges[i], merges_at[i]);
    const TokenId left = bpe->lookup(a);
    if (left < 0) merges_at[i].fail("token \"" + std::string(a) + "\" is not in model.vocab");
    const TokenId right = bpe->lookup(b);
    if (right < 0) merges_at[i].fail("token \"" + std::string(b) + "\" is not in model.vocab");
    // With a continuing-subword prefix ("##"), the right part loses it in the merged token.
    const bool strip =
        prefix_len > 0 && b.substr(0, prefix_len) == options.continuing_subword_prefix;
    merged_token.assign(a);
    merged_token.append(strip ? b.substr(prefix_len) : b);
    const TokenId merged = bpe->lookup(merged_token);
    if (merged < 0)
      merges_at[i].fail("merged token \"" + merged_token + "\" is not in model.vocab");
    bpe->merges().insert(left, right, static_cast<uint32_t>(i), merged);
  }
  return bpe;
}

}  // namespace greater::tok
