// docs/RUN_FILE.md shows readers the same tables that src/record/tables.cpp defines: every
// column, in order, with its shape, dtype, fill and meaning.
#include <gtest/gtest.h>

#include <sstream>

#include "greater/common/file_util.h"
#include "tables.h"

namespace greater::record {
namespace {

struct DocRow {
  std::string name, shape, dtype, fill, meaning;
};

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(' ');
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(' ') - a + 1);
}

// The rows of the table under the heading that names `group`, without `count`.
std::vector<DocRow> doc_table(const std::string& doc, const std::string& group) {
  const size_t heading = doc.find("Group `" + group + "`\n");
  EXPECT_NE(heading, std::string::npos) << "no section for " << group;
  std::vector<DocRow> rows;
  if (heading == std::string::npos) return rows;
  std::istringstream in(doc.substr(heading));
  std::string line;
  std::getline(in, line);
  bool in_table = false;
  while (std::getline(in, line)) {
    if (line.rfind("|", 0) != 0) {
      if (in_table) break;
      continue;
    }
    in_table = true;
    std::vector<std::string> cells;
    std::istringstream cols(line.substr(1));
    std::string cell;
    while (std::getline(cols, cell, '|')) cells.push_back(trim(cell));
    if (cells.size() < 5 || cells[0].rfind("`", 0) != 0) continue;  // header, rule
    const std::string name = cells[0].substr(1, cells[0].size() - 2);
    if (name == "count") continue;
    rows.push_back({name, cells[1], cells[2], cells[3], cells[4]});
  }
  return rows;
}

std::string dtype_of(const Column& c) {
  switch (c.type) {
    case ColumnType::Int32:
      return "int32";
    case ColumnType::Int64:
      return "int64";
    case ColumnType::Float64:
      return "float64";
    case ColumnType::Text:
      return "string";
    case ColumnType::Bool:
      return "enum int8";
  }
  return "?";
}

std::string fill_of(const Column& c) {
  switch (c.type) {
    case ColumnType::Float64:
      return "NaN";
    case ColumnType::Text:
      return "NUL";
    case ColumnType::Bool:
      return "FALSE";
    default:
      return std::to_string(c.fill);
  }
}

void expect_documented(const Table& table) {
  const std::string doc = read_file(std::string(GREATER_SOURCE_DIR) + "/docs/RUN_FILE.md");
  const std::vector<DocRow> rows = doc_table(doc, table.group);
  ASSERT_EQ(rows.size(), table.columns.size()) << table.group;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Column& c = table.columns[i];
    const DocRow& d = rows[i];
    SCOPED_TRACE(table.group + "/" + c.name);
    EXPECT_EQ(d.name, c.name);
    EXPECT_EQ(d.dtype.rfind(dtype_of(c), 0), 0u) << d.dtype;
    EXPECT_EQ(d.fill, fill_of(c));
    EXPECT_EQ(d.meaning, c.meaning);
    EXPECT_EQ(d.shape.find(',') != std::string::npos, is_two_d(c)) << d.shape;
  }
}

TEST(RunFileLayoutDoc, IterationsTableAgrees) { expect_documented(iteration_table({}).table); }
TEST(RunFileLayoutDoc, EvaluationsTableAgrees) { expect_documented(evaluation_table({}).table); }
TEST(RunFileLayoutDoc, ChainsTableAgrees) { expect_documented(chain_table({}).table); }

}  // namespace
}  // namespace greater::record
