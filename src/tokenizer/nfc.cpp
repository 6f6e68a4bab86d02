#include "nfc.h"

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "unicode.h"

namespace greater::tok {

namespace {

struct CombiningClassRange {
  uint32_t first, last;
  uint8_t ccc;
};

struct CanonicalDecomposition {
  uint32_t code_point, first, second;
  bool composes;
};

#include "nfc_tables.inc"

// Hangul syllables decompose and compose arithmetically (Unicode §3.12).
constexpr uint32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr uint32_t kLCount = 19, kVCount = 21, kTCount = 28;
constexpr uint32_t kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

uint8_t combining_class(uint32_t cp) {
  const auto it = std::upper_bound(
      std::begin(kCombiningClasses), std::end(kCombiningClasses), cp,
      [](uint32_t value, const CombiningClassRange& r) { return value < r.first; });
  if (it == std::begin(kCombiningClasses)) return 0;
  const CombiningClassRange& r = *(it - 1);
  return cp <= r.last ? r.ccc : 0;
}

const CanonicalDecomposition* find_decomposition(uint32_t cp) {
  const auto it = std::lower_bound(
      std::begin(kCanonicalDecompositions), std::end(kCanonicalDecompositions), cp,
      [](const CanonicalDecomposition& d, uint32_t value) { return d.code_point < value; });
  if (it == std::end(kCanonicalDecompositions) || it->code_point != cp) return nullptr;
  return &*it;
}

uint64_t pair_key(uint32_t first, uint32_t second) {
  return (static_cast<uint64_t>(first) << 32) | second;
}

const std::unordered_map<uint64_t, uint32_t>& primary_composites() {
  static const std::unordered_map<uint64_t, uint32_t> table = [] {
    std::unordered_map<uint64_t, uint32_t> t;
    for (const CanonicalDecomposition& d : kCanonicalDecompositions) {
      if (d.composes) t.emplace(pair_key(d.first, d.second), d.code_point);
    }
    return t;
  }();
  return table;
}

void decompose(uint32_t cp, std::vector<uint32_t>& out) {
  if (cp >= kSBase && cp < kSBase + kSCount) {
    const uint32_t s = cp - kSBase;
    out.push_back(kLBase + s / kNCount);
    out.push_back(kVBase + (s % kNCount) / kTCount);
    if (s % kTCount != 0) out.push_back(kTBase + s % kTCount);
    return;
  }
  const CanonicalDecomposition* d = find_decomposition(cp);
  if (!d) {
    out.push_back(cp);
    return;
  }
  decompose(d->first, out);
  if (d->second != 0) decompose(d->second, out);
}

// The composite of a starter and the next character, or 0 when they do not compose.
uint32_t compose_pair(uint32_t first, uint32_t second) {
  if (first >= kLBase && first < kLBase + kLCount && second >= kVBase &&
      second < kVBase + kVCount) {
    return kSBase + ((first - kLBase) * kVCount + (second - kVBase)) * kTCount;
  }
  if (first >= kSBase && first < kSBase + kSCount && (first - kSBase) % kTCount == 0 &&
      second > kTBase && second < kTBase + kTCount) {
    return first + (second - kTBase);
  }
  const auto& table = primary_composites();
  const auto it = table.find(pair_key(first, second));
  return it == table.end() ? 0 : it->second;
}

// Canonical ordering: stable sort of each run of non-starters by combining class.
void reorder(std::vector<uint32_t>& cps) {
  size_t i = 0;
  while (i < cps.size()) {
    if (combining_class(cps[i]) == 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < cps.size() && combining_class(cps[j]) != 0) ++j;
    std::stable_sort(cps.begin() + i, cps.begin() + j, [](uint32_t a, uint32_t b) {
      return combining_class(a) < combining_class(b);
    });
    i = j;
  }
}

// Canonical composition: each character composes with the last starter unless a character
// between them has a combining class of zero or at least its own (it is "blocked").
void compose(std::vector<uint32_t>& cps) {
  if (cps.empty()) return;
  size_t starter = kNoPosition;
  size_t out = 0;
  int last_class = -1;
  for (size_t i = 0; i < cps.size(); ++i) {
    const uint32_t cp = cps[i];
    const int cls = combining_class(cp);
    if (starter != kNoPosition) {
      const bool blocked = last_class != -1 && (last_class == 0 || last_class >= cls);
      if (!blocked) {
        if (const uint32_t composite = compose_pair(cps[starter], cp)) {
          cps[starter] = composite;
          continue;
        }
      }
    }
    if (cls == 0) {
      starter = out;
      last_class = -1;
    } else {
      last_class = cls;
    }
    cps[out++] = cp;
  }
  cps.resize(out);
}

}  // namespace

std::string to_nfc(const std::string& text) {
  if (std::all_of(text.begin(), text.end(), [](char c) { return (c & 0x80) == 0; })) return text;
  std::vector<uint32_t> cps;
  cps.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) decompose(next_code_point(text, pos), cps);
  reorder(cps);
  compose(cps);
  std::string out;
  out.reserve(text.size());
  for (uint32_t cp : cps) append_utf8(out, cp);
  return out;
}

}  // namespace greater::tok
