// Parse-based answers (docs/ALGORITHM.md §8): one row per case, each a separate ctest.
#include <gtest/gtest.h>

#include <string>

#include "greater/common/error.h"
#include "greater/task/task.h"

namespace greater {
namespace {

struct ParseCase {
  const char* format;
  const char* text;
  const char* expected;  // "" = nothing parses
};

std::ostream& operator<<(std::ostream& os, const ParseCase& c) {
  return os << c.format << " \"" << c.text << "\" -> \"" << c.expected << "\"";
}

const ParseCase kCases[] = {
    // Letters: $, **, parentheses, quotes, whitespace in front; the letter must stand alone.
    {"letter", "C", "C"},
    {"letter", "$C", "C"},
    {"letter", "$ C", "C"},
    {"letter", "$C$", "C"},
    {"letter", "**B**", "B"},
    {"letter", "(A)", "A"},
    {"letter", "$(D)", "D"},
    {"letter", "'$E'", "E"},
    {"letter", "\"F\"", "F"},
    {"letter", "`K`", "K"},
    {"letter", "  \n(R) red", "R"},
    {"letter", "B) The blue one", "B"},
    {"letter", "C. because", "C"},
    {"letter", "A's", "A"},
    {"letter", "S", ""},  // past R
    {"letter", "c", ""},  // lowercase is not an option
    {"letter", "Answer: B", ""},
    {"letter", "Monsters, Inc", ""},
    {"letter", "dearth, wind, & fire", ""},
    {"letter", "", ""},
    {"letter", "$ ", ""},
    // Yes / No in any case; the first alphabetic word decides.
    {"yes_no", "Yes", "yes"},
    {"yes_no", "$ No", "no"},
    {"yes_no", "no", "no"},
    {"yes_no", "**YES**", "yes"},
    {"yes_no", " yes, because", "yes"},
    {"yes_no", "Not sure", ""},
    {"yes_no", "Maybe yes", ""},
    {"yes_no", "", ""},
    {"true_false", "True", "true"},
    {"true_false", "$ FALSE.", "false"},
    {"true_false", "Truly", ""},
    // "invalid" contains "valid": only an exact word matches.
    {"valid_invalid", "invalid", "invalid"},
    {"valid_invalid", "$ valid", "valid"},
    {"valid_invalid", "Invalid argument", "invalid"},
    {"valid_invalid", "**valid**", "valid"},
    {"valid_invalid", "in valid", ""},
    {"valid_invalid", "invalidated", ""},
    // Integers: $, *, commas dropped; sign kept; leading zeros dropped.
    {"integer", "24", "24"},
    {"integer", "$24$", "24"},
    {"integer", "**-12**", "-12"},
    {"integer", "-12", "-12"},
    {"integer", "1,234,567", "1234567"},
    {"integer", "$1,000.00", "1000"},
    {"integer", "-$5", "-5"},
    {"integer",
     "\xe2\x88\x92"
     "7",
     "-7"},  // U+2212 minus sign
    {"integer", "007", "7"},
    {"integer", "-0", "0"},
    {"integer", "The answer is 18 apples", "18"},
    {"integer", "12.5", "12"},
    {"integer", "3-5", "3"},
    {"integer", "250992", "250992"},
    {"integer", "123456789012345678901234567890", "123456789012345678901234567890"},
    {"integer", "none", ""},
    {"integer", "", ""},
    // Free text: first line, trimmed, lowercased.
    {"free_text", "  Monsters, Inc  \nmore", "monsters, inc"},
    {"free_text", "Rita, Sue and Bob Poo", "rita, sue and bob poo"},
    {"free_text", "\n", ""},
};

class ParseAnswerTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseAnswerTest, ParsesToExpected) {
  const ParseCase& c = GetParam();
  EXPECT_EQ(parse_answer(parse_answer_format(c.format), c.text), c.expected);
}

INSTANTIATE_TEST_SUITE_P(Table, ParseAnswerTest, ::testing::ValuesIn(kCases));

struct CorrectCase {
  const char* format;
  const char* text;
  const char* gold;
  bool correct;
};

std::ostream& operator<<(std::ostream& os, const CorrectCase& c) {
  return os << c.format << " \"" << c.text << "\" vs gold \"" << c.gold << "\"";
}

const CorrectCase kCorrectCases[] = {
    {"letter", "$C", "C", true},
    {"letter", "(C)", "(C)", true},  // gold given as the file's target works too
    {"letter", "$B", "C", false},
    {"letter", "Monsters, Inc", "Monsters, Inc", false},  // a free-text gold never counts
    {"letter", "", "A", false},
    {"yes_no", "$ yes", "Yes", true},
    {"yes_no", "No", "Yes", false},
    {"valid_invalid", "invalid", "valid", false},
    {"valid_invalid", "valid", "invalid", false},
    {"valid_invalid", "Invalid.", "invalid", true},
    {"true_false", "$ True", "True", true},
    {"integer", "**-12**", "-12", true},
    {"integer", "$1,000$", "1000", true},
    {"integer", "1000", "1,000", true},
    {"integer", "12", "-12", false},
    {"integer", "", "0", false},
    {"free_text", "Monsters, Inc\n", "monsters, inc", true},
    {"free_text", "", "", false},  // an empty gold never counts
};

class AnswerIsCorrectTest : public ::testing::TestWithParam<CorrectCase> {};

TEST_P(AnswerIsCorrectTest, ComparesParsedAnswers) {
  const CorrectCase& c = GetParam();
  EXPECT_EQ(answer_is_correct(parse_answer_format(c.format), c.text, c.gold), c.correct);
}

INSTANTIATE_TEST_SUITE_P(Table, AnswerIsCorrectTest, ::testing::ValuesIn(kCorrectCases));

TEST(GoldAnswer, StripsParenthesesOfOneCharacterOnly) {
  EXPECT_EQ(gold_answer("(A)"), "A");
  EXPECT_EQ(gold_answer("(R)"), "R");
  EXPECT_EQ(gold_answer("Yes"), "Yes");
  EXPECT_EQ(gold_answer("(AB)"), "(AB)");
  EXPECT_EQ(gold_answer("(A"), "(A");
  EXPECT_EQ(gold_answer("24"), "24");
  EXPECT_EQ(gold_answer("Monsters, Inc"), "Monsters, Inc");
}

TEST(FormatNames, RoundTripAndRejectUnknown) {
  for (const char* name :
       {"letter", "yes_no", "true_false", "valid_invalid", "integer", "free_text"}) {
    EXPECT_EQ(answer_format_name(parse_answer_format(name)), name);
  }
  for (const char* name : {"bbh", "gsm8k", "folio", "jsonl"}) {
    EXPECT_EQ(task_format_name(parse_task_format(name)), name);
  }
  try {
    parse_answer_format("Letter");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.where(), "answer_format");
    EXPECT_NE(std::string(e.what()).find("\"Letter\""), std::string::npos) << e.what();
  }
  try {
    parse_task_format("csv");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.where(), "task_format");
    EXPECT_NE(std::string(e.what()).find("\"csv\""), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace greater
