// Rows of any table in and out, derived from the table's definition (tables.cpp): packing with
// the checks every row must pass, and reading back with padded rows cut to their lengths.
#include <cmath>

#include "greater/common/error.h"
#include "run_file_impl.h"

namespace greater::record {

namespace {

size_t size_of(const Cell& cell) {
  if (const auto* ids = std::get_if<TokenIds>(&cell)) return ids->size();
  if (const auto* xs = std::get_if<std::vector<double>>(&cell)) return xs->size();
  return 0;
}

// A padded row agrees with its length column, or (without one) is whole or empty.
void check_lengths(const Table& table, const std::vector<Cell>& cells, const std::string& where) {
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const Column& column = table.columns[i];
    if (!is_two_d(column)) continue;
    const size_t n = size_of(cells[i]);
    const std::string name = where + ":" + table.group + "/" + column.name;
    if (column.length_column.empty()) {
      if (n != 0 && n != static_cast<size_t>(column.width))
        throw Error(name, "has " + std::to_string(n) + " values; expected " +
                              std::to_string(column.width) + " (" + column.limit + ") or none");
      continue;
    }
    const int64_t length = std::get<int64_t>(cells[table.index(column.length_column)]);
    if (n != static_cast<size_t>(length))
      throw Error(name, "has " + std::to_string(n) + " values but " + column.length_column +
                            " says " + std::to_string(length) + " (they must match)");
  }
}

}  // namespace

template <typename Row>
RowBlock pack_rows(const TableOf<Row>& t, const std::vector<Row>& rows, const std::string& where) {
  RowBlock block(t.table, static_cast<int64_t>(rows.size()), where);
  for (size_t r = 0; r < rows.size(); ++r) {
    std::vector<Cell> cells;
    for (const auto& take : t.take) cells.push_back(take(rows[r]));
    check_lengths(t.table, cells, where);
    for (size_t i = 0; i < cells.size(); ++i) block.set(i, static_cast<int64_t>(r), cells[i]);
  }
  return block;
}

template <typename Row>
std::vector<Row> read_rows(hid_t file, const TableOf<Row>& t, int64_t first, int64_t rows,
                           const std::string& where) {
  const Table& table = t.table;
  TableReader reader(file, table.group, first, rows, where);
  std::vector<std::vector<Cell>> columns;
  for (const Column& column : table.columns) columns.push_back(reader.cells(column));
  std::vector<Row> out(static_cast<size_t>(rows));
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const Column& column = table.columns[i];
    if (!t.put[i]) continue;  // derived from other columns
    for (size_t r = 0; r < out.size(); ++r) {
      Cell cell = std::move(columns[i][r]);
      if (is_two_d(column)) {
        const size_t width = size_of(cell);
        int64_t n = static_cast<int64_t>(width);
        if (!column.length_column.empty()) {
          n = std::get<int64_t>(columns[table.index(column.length_column)][r]);
        } else if (auto* xs = std::get_if<std::vector<double>>(&cell)) {
          // A row without a length column that holds only fill was written empty.
          bool measured = false;
          for (double x : *xs) measured = measured || !std::isnan(x);
          if (!measured) n = 0;
        }
        if (n < 0 || n > static_cast<int64_t>(width))
          throw Error(where + ":" + table.group + "/" + column.name,
                      "row " + std::to_string(first + static_cast<int64_t>(r)) + " claims " +
                          std::to_string(n) + " values, outside [0, " + std::to_string(width) +
                          "]");
        std::visit(
            [n](auto& v) {
              if constexpr (!std::is_same_v<std::decay_t<decltype(v)>, int64_t> &&
                            !std::is_same_v<std::decay_t<decltype(v)>, double> &&
                            !std::is_same_v<std::decay_t<decltype(v)>, std::string>)
                v.resize(static_cast<size_t>(n));
            },
            cell);
      }
      t.put[i](out[r], std::move(cell));
    }
  }
  return out;
}

template RowBlock pack_rows(const TableOf<IterationRow>&, const std::vector<IterationRow>&,
                            const std::string&);
template RowBlock pack_rows(const TableOf<StoredEvaluation>&,
                            const std::vector<StoredEvaluation>&, const std::string&);
template RowBlock pack_rows(const TableOf<StoredChain>&, const std::vector<StoredChain>&,
                            const std::string&);
template std::vector<IterationRow> read_rows(hid_t, const TableOf<IterationRow>&, int64_t,
                                             int64_t, const std::string&);
template std::vector<StoredEvaluation> read_rows(hid_t, const TableOf<StoredEvaluation>&, int64_t,
                                                 int64_t, const std::string&);
template std::vector<StoredChain> read_rows(hid_t, const TableOf<StoredChain>&, int64_t, int64_t,
                                            const std::string&);

}  // namespace greater::record
