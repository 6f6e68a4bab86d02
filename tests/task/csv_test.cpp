// RFC 4180 CSV reader: quoting, multi-line fields, CRLF, and errors that name the line.
#include <gtest/gtest.h>

#include "greater/task/csv.h"
#include "test_files.h"

namespace greater {
namespace {

using Fields = std::vector<std::string>;

TEST(Csv, PlainAndQuotedFields) {
  const auto rows = parse_csv("a,b,c\n1,\"two, too\",\"say \"\"hi\"\"\"\n", "t.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].fields, (Fields{"a", "b", "c"}));
  EXPECT_EQ(rows[1].fields, (Fields{"1", "two, too", "say \"hi\""}));
  EXPECT_EQ(rows[0].line, 1);
  EXPECT_EQ(rows[1].line, 2);
}

TEST(Csv, MultiLineFieldKeepsNewlinesAndLineNumbersFollow) {
  const auto rows = parse_csv("goal,target\n\"line one\nline two\n\",(A)\nx,(B)", "t.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].fields, (Fields{"line one\nline two\n", "(A)"}));
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_EQ(rows[2].line, 5);
  EXPECT_EQ(rows[2].fields, (Fields{"x", "(B)"}));  // no newline at the end of the file
}

TEST(Csv, CrlfBomEmptyFieldsAndBlankLines) {
  const auto rows = parse_csv(
      "\xef\xbb\xbf"
      "a,b\r\n\r\n,\r\n\"\",x\r\n\n",
      "t.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].fields, (Fields{"a", "b"}));
  EXPECT_EQ(rows[1].fields, (Fields{"", ""}));
  EXPECT_EQ(rows[1].line, 3);
  EXPECT_EQ(rows[2].fields, (Fields{"", "x"}));
}

TEST(Csv, UnclosedQuoteNamesTheLineWhereItOpened) {
  const std::string msg =
      test::error_of([] { parse_csv("a,b\n1,2\n3,\"open\nstill open\n", "bad.csv"); });
  EXPECT_NE(msg.find("bad.csv: line 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unclosed quote"), std::string::npos) << msg;
}

TEST(Csv, StrayQuotesNameTheirLine) {
  std::string msg = test::error_of([] { parse_csv("a,b\nx\"y,2\n", "bad.csv"); });
  EXPECT_NE(msg.find("bad.csv: line 2"), std::string::npos) << msg;
  msg = test::error_of([] { parse_csv("a,b\n\n\"x\"y,2\n", "bad.csv"); });
  EXPECT_NE(msg.find("bad.csv: line 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("after a closing quote"), std::string::npos) << msg;
}

}  // namespace
}  // namespace greater
