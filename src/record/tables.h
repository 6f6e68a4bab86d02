// Private to the record module: every table of the run file, defined once. A column's
// definition (name, type, width, fill, meaning) carries how its value is taken from a row and
// put back, so creating, appending and reading all follow from it; docs/RUN_FILE.md shows the
// same tables to readers, and a test keeps the two in agreement.
#pragma once

#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "greater/record/run_file.h"

namespace greater::record {

enum class ColumnType { Int32, Int64, Float64, Text, Bool };

// One row's value of one column, as the dataset stores it: integers (Int32, Int64, Bool),
// a number, a text, or a row of a 2-D column.
using Cell = std::variant<int64_t, double, std::string, TokenIds, std::vector<double>>;

struct Column {
  std::string name;
  ColumnType type = ColumnType::Int64;
  // Values per row: 0 for one value (dataset [n]), else a 2-D dataset [n, width]. For Text,
  // the bytes of the fixed-length string (dataset [n]).
  int64_t width = 0;
  int64_t fill = 0;   // fill of integer columns; Float64 fills with NaN, Text with NUL
  std::string limit;  // what bounds `width`, named in errors ("RunFileLimits::max_candidates")
  std::string meaning;
  // 2-D columns: the 1-D column holding each row's number of valid entries (empty: the whole
  // row is valid, or none is). Written as the dataset attribute "valid_length".
  std::string length_column;
  // A text-list attribute of the dataset (stage_seconds: the stage names).
  std::string labels_name;
  std::vector<std::string> labels;
};

// A 2-D dataset [n, width] (ids or numbers); text and single values are 1-D.
inline bool is_two_d(const Column& column) {
  return column.type != ColumnType::Text && column.width > 0;
}

// Datasets under one group that always have the same number of rows.
struct Table {
  std::string group;
  // A scalar int64 dataset "<group>/count", written after the rows: the rows a reader trusts.
  bool has_count = true;
  std::vector<Column> columns;

  size_t index(const std::string& column) const;  // throws std::logic_error when unknown
};

// A table with, for each column, how a row of type Row gives its cell (`take`) and takes it
// back (`put`; empty for columns derived from others, such as lengths).
template <typename Row>
struct TableOf {
  Table table;
  std::vector<std::function<Cell(const Row&)>> take;
  std::vector<std::function<void(Row&, Cell&&)>> put;
};

// The evaluation table's row: the evaluation and where its chains sit in evaluations/chains.
struct StoredEvaluation {
  EvaluationRow row;
  int64_t chain_begin = 0, chain_count = 0;
};

// The chains table's row: one chain and the evaluation it belongs to.
struct StoredChain {
  int64_t evaluation = 0;
  EvaluatedChain chain;
};

TableOf<IterationRow> iteration_table(const RunFileLimits& limits);
TableOf<StoredEvaluation> evaluation_table(const RunFileLimits& limits);
TableOf<StoredChain> chain_table(const RunFileLimits& limits);  // no count of its own

}  // namespace greater::record
