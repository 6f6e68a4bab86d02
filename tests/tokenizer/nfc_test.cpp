// The NFC normalizer (Qwen2/Qwen3 tokenizer.json) on a WordLevel vocabulary of precomposed
// characters: canonically equivalent inputs must reach the same ids. The exhaustive check is
// the Qwen3 parity against HF's Rust library (rust_parity_test.cpp).
#include <gtest/gtest.h>

#include "greater/tokenizer/tokenizer.h"

namespace greater {
namespace {

Tokenizer nfc_word_level() {
  return Tokenizer::from_json(R"({
  "normalizer": {"type": "NFC"},
  "pre_tokenizer": {"type": "WhitespaceSplit"},
  "model": {"type": "WordLevel", "unk_token": "<unk>",
            "vocab": {"<unk>": 0, "\u00e9": 1, "\uac01": 2, "\u00c5": 3, "\u1ec7": 4,
                      "e\u0301\u0301": 5, "a": 6, "\u0958": 7, "\u0915\u093c": 8}}
})",
                              "nfc-test");
}

TEST(NfcNormalizer, CanonicallyEquivalentInputsGiveTheSameIds) {
  const Tokenizer tok = nfc_word_level();
  using Ids = std::vector<TokenId>;
  EXPECT_EQ(tok.encode("\u00e9 e\u0301"), (Ids{1, 1}));  // é precomposed / e + ◌́
  EXPECT_EQ(tok.encode("\u1100\u1161\u11a8 \uac00\u11a8"), (Ids{2, 2}));  // 각 from jamo, LV + T
  EXPECT_EQ(tok.encode("A\u030a \u212b"), (Ids{3, 3}));  // Å, Angstrom sign singleton
  // ệ: dot below (class 220) and circumflex (230) in either order compose to one character.
  EXPECT_EQ(tok.encode("e\u0323\u0302 e\u0302\u0323 \u00ea\u0323"), (Ids{4, 4, 4}));
  // The first acute composes with e; the second stays a separate mark ("\u00e9\u0301"), so the
  // decomposed vocabulary entry "e\u0301\u0301" can never match: <unk>.
  EXPECT_EQ(tok.encode("e\u0301\u0301"), (Ids{0}));
  EXPECT_EQ(tok.encode("a"), (Ids{6}));
  // U+0958 is excluded from composition: NFC leaves क + ◌़ decomposed.
  EXPECT_EQ(tok.encode("\u0958 \u0915\u093c"), (Ids{8, 8}));
}

}  // namespace
}  // namespace greater
