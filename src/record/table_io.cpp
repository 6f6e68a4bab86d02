// Rows in and out of a table's datasets: packing with limit checks, append by extend-then-
// write, truncation for resume, and reading row ranges back.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "greater/common/error.h"
#include "run_file_impl.h"

namespace greater::record {

namespace {

int64_t values_per_row(const Column& column) { return is_two_d(column) ? column.width : 1; }

}  // namespace

size_t element_bytes(const Column& column) {
  switch (column.type) {
    case ColumnType::Int32:
      return 4;
    case ColumnType::Int64:
      return 8;
    case ColumnType::Float64:
      return 8;
    case ColumnType::Text:
      return static_cast<size_t>(column.width);
    case ColumnType::Bool:
      return 1;
  }
  return 1;
}

namespace {

Hid memory_type(const Column& column) {
  switch (column.type) {
    case ColumnType::Int32:
      return Hid(H5Tcopy(H5T_NATIVE_INT32));
    case ColumnType::Int64:
      return Hid(H5Tcopy(H5T_NATIVE_INT64));
    case ColumnType::Float64:
      return Hid(H5Tcopy(H5T_NATIVE_DOUBLE));
    case ColumnType::Text:
      return fixed_text_type(static_cast<size_t>(column.width));
    case ColumnType::Bool:
      return bool_type();
  }
  return Hid();
}

std::string object(const std::string& where, const std::string& group, const std::string& column) {
  return where + ":" + group + "/" + column;
}

}  // namespace

RowBlock::RowBlock(const Table& table, int64_t rows, std::string where)
    : table_(table), rows_(rows), where_(std::move(where)) {
  for (const Column& column : table.columns) {
    size_t count = static_cast<size_t>(rows * values_per_row(column));
    std::vector<unsigned char> bytes(count * element_bytes(column), 0);
    if (column.type == ColumnType::Int32) {
      int32_t fill = static_cast<int32_t>(column.fill);
      for (size_t i = 0; i < count; ++i) std::memcpy(bytes.data() + 4 * i, &fill, 4);
    } else if (column.type == ColumnType::Int64) {
      for (size_t i = 0; i < count; ++i) std::memcpy(bytes.data() + 8 * i, &column.fill, 8);
    } else if (column.type == ColumnType::Float64) {
      double nan = std::nan("");
      for (size_t i = 0; i < count; ++i) std::memcpy(bytes.data() + 8 * i, &nan, 8);
    }
    bytes_.push_back(std::move(bytes));
  }
}

unsigned char* RowBlock::cell(size_t column, int64_t row, int64_t element) {
  const Column& spec = table_.columns[column];
  size_t index = static_cast<size_t>(row * values_per_row(spec) + element);
  return bytes_[column].data() + index * element_bytes(spec);
}

void RowBlock::check_width(const Column& column, int64_t n, const char* unit) const {
  if (n > column.width) {
    throw Error(object(where_, table_.group, column.name),
                std::to_string(n) + " " + unit + " exceed " + column.limit + " = " +
                    std::to_string(column.width) +
                    " (fixed when the run file was created: start a new run file)");
  }
}

void RowBlock::set(size_t i, int64_t row, const Cell& value) {
  const Column& column = table_.columns[i];
  if (const auto* n = std::get_if<int64_t>(&value)) {
    if (column.type == ColumnType::Int32) {
      int32_t narrow = static_cast<int32_t>(*n);
      std::memcpy(cell(i, row, 0), &narrow, 4);
    } else if (column.type == ColumnType::Int64) {
      std::memcpy(cell(i, row, 0), n, 8);
    } else {
      int8_t flag = *n != 0 ? 1 : 0;
      std::memcpy(cell(i, row, 0), &flag, 1);
    }
  } else if (const auto* x = std::get_if<double>(&value)) {
    std::memcpy(cell(i, row, 0), x, 8);
  } else if (const auto* text = std::get_if<std::string>(&value)) {
    check_width(column, static_cast<int64_t>(text->size()), "bytes of text");
    if (!text->empty()) std::memcpy(cell(i, row, 0), text->data(), text->size());
  } else if (const auto* ids = std::get_if<TokenIds>(&value)) {
    check_width(column, static_cast<int64_t>(ids->size()), "ids");
    if (!ids->empty()) std::memcpy(cell(i, row, 0), ids->data(), 4 * ids->size());
  } else if (const auto* xs = std::get_if<std::vector<double>>(&value)) {
    check_width(column, static_cast<int64_t>(xs->size()), "values");
    if (!xs->empty()) std::memcpy(cell(i, row, 0), xs->data(), 8 * xs->size());
  }
}

OpenTable open_table(hid_t file, const Table& table, int64_t rows, const std::string& where) {
  OpenTable open;
  open.table = table;
  open.rows = rows;
  open.capacity = -1;
  for (const Column& column : table.columns) {
    std::string path = table.group + "/" + column.name;
    Hid dataset(
        check_id(H5Dopen2(file, path.c_str(), H5P_DEFAULT), where, "cannot open dataset " + path));
    Hid space(H5Dget_space(dataset.get()));
    hsize_t dims[2] = {0, 0};
    int rank = H5Sget_simple_extent_dims(space.get(), dims, nullptr);
    Hid type(H5Dget_type(dataset.get()));
    bool layout_ok = rank == (is_two_d(column) ? 2 : 1) &&
                     (!is_two_d(column) || dims[1] == static_cast<hsize_t>(column.width)) &&
                     (column.type != ColumnType::Text ||
                      H5Tget_size(type.get()) == static_cast<size_t>(column.width));
    if (!layout_ok) {
      throw Error(object(where, table.group, column.name),
                  "shape or type does not match the file's limits (not a run file of this "
                  "format version?)");
    }
    if (dims[0] < static_cast<hsize_t>(rows)) {
      throw Error(object(where, table.group, column.name),
                  "has " + std::to_string(dims[0]) + " rows but " + std::to_string(rows) +
                      " are recorded as complete; the file is damaged");
    }
    int64_t capacity = static_cast<int64_t>(dims[0]);
    if (open.capacity < 0 || capacity < open.capacity) open.capacity = capacity;
    open.datasets.push_back(std::move(dataset));
  }
  if (open.capacity < 0) open.capacity = 0;
  if (table.has_count) {
    std::string path = table.group + "/count";
    open.count = Hid(
        check_id(H5Dopen2(file, path.c_str(), H5P_DEFAULT), where, "cannot open dataset " + path));
  }
  return open;
}

void write_rows(OpenTable& table, const RowBlock& block, const std::string& where) {
  if (block.rows() == 0) return;
  const int64_t needed = table.rows + block.rows();
  if (needed > table.capacity) {
    int64_t capacity = std::max(needed, table.capacity + std::max<int64_t>(64, table.capacity / 2));
    for (size_t i = 0; i < table.table.columns.size(); ++i) {
      const Column& column = table.table.columns[i];
      hsize_t dims[2] = {static_cast<hsize_t>(capacity), static_cast<hsize_t>(column.width)};
      check(H5Dset_extent(table.datasets[i].get(), dims),
            object(where, table.table.group, column.name), "cannot grow");
    }
    table.capacity = capacity;
  }
  for (size_t i = 0; i < table.table.columns.size(); ++i) {
    const Column& column = table.table.columns[i];
    hid_t dataset = table.datasets[i].get();
    const std::string name = object(where, table.table.group, column.name);
    int rank = is_two_d(column) ? 2 : 1;
    Hid file_space(check_id(H5Dget_space(dataset), name, "cannot get the dataspace"));
    hsize_t start[2] = {static_cast<hsize_t>(table.rows), 0};
    hsize_t count[2] = {static_cast<hsize_t>(block.rows()), static_cast<hsize_t>(column.width)};
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr),
          name, "cannot select rows");
    Hid memory_space(H5Screate_simple(rank, count, nullptr));
    Hid type = memory_type(column);
    check(H5Dwrite(dataset, type.get(), memory_space.get(), file_space.get(), H5P_DEFAULT,
                   block.data(i)),
          name, "cannot write rows");
  }
}

void write_count(OpenTable& table, int64_t rows, const std::string& where) {
  check(H5Dwrite(table.count.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &rows),
        where + ":" + table.table.group + "/count", "cannot write the row count");
}

void truncate_rows(OpenTable& table, int64_t rows, const std::string& where) {
  for (size_t i = 0; i < table.table.columns.size(); ++i) {
    const Column& column = table.table.columns[i];
    hsize_t dims[2] = {static_cast<hsize_t>(rows), static_cast<hsize_t>(column.width)};
    check(H5Dset_extent(table.datasets[i].get(), dims),
          object(where, table.table.group, column.name), "cannot drop incomplete rows");
  }
  table.rows = rows;
  table.capacity = rows;
}

int64_t read_count(hid_t file, const std::string& group, const std::string& where) {
  std::string path = group + "/count";
  Hid dataset(
      check_id(H5Dopen2(file, path.c_str(), H5P_DEFAULT), where, "cannot open dataset " + path));
  int64_t rows = 0;
  check(H5Dread(dataset.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &rows), where,
        "cannot read " + path);
  if (rows < 0) throw Error(where + ":" + path, "negative row count " + std::to_string(rows));
  return rows;
}

TableReader::TableReader(hid_t file, std::string group, int64_t first, int64_t rows,
                         std::string where)
    : file_(file), group_(std::move(group)), first_(first), rows_(rows), where_(std::move(where)) {}

Hid TableReader::open(const std::string& column, int64_t* width) const {
  std::string path = group_ + "/" + column;
  Hid dataset(
      check_id(H5Dopen2(file_, path.c_str(), H5P_DEFAULT), where_, "cannot open dataset " + path));
  Hid space(H5Dget_space(dataset.get()));
  hsize_t dims[2] = {0, 1};
  int rank = H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  if (rank < 1 || rank > 2) throw Error(where_ + ":" + path, "unexpected rank");
  if (dims[0] < static_cast<hsize_t>(first_ + rows_)) {
    throw Error(where_ + ":" + path, "has " + std::to_string(dims[0]) + " rows, fewer than the " +
                                         std::to_string(first_ + rows_) + " the count promises");
  }
  *width = rank == 2 ? static_cast<int64_t>(dims[1]) : 1;
  return dataset;
}

void TableReader::read(const std::string& column, hid_t mem_type, void* out, int64_t* width) const {
  Hid dataset = open(column, width);
  if (rows_ == 0 || *width == 0) return;
  const std::string name = where_ + ":" + group_ + "/" + column;
  Hid file_space(H5Dget_space(dataset.get()));
  int rank = H5Sget_simple_extent_ndims(file_space.get());
  hsize_t start[2] = {static_cast<hsize_t>(first_), 0};
  hsize_t count[2] = {static_cast<hsize_t>(rows_), static_cast<hsize_t>(*width)};
  check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr), name,
        "cannot select rows");
  Hid memory_space(H5Screate_simple(rank, count, nullptr));
  check(H5Dread(dataset.get(), mem_type, memory_space.get(), file_space.get(), H5P_DEFAULT, out),
        name, "cannot read");
}

std::vector<int64_t> TableReader::ints(const std::string& column) const {
  std::vector<int64_t> values(static_cast<size_t>(rows_));
  int64_t width = 0;
  read(column, H5T_NATIVE_INT64, values.data(), &width);
  return values;
}

std::vector<double> TableReader::doubles(const std::string& column) const {
  std::vector<double> values(static_cast<size_t>(rows_));
  int64_t width = 0;
  read(column, H5T_NATIVE_DOUBLE, values.data(), &width);
  return values;
}

std::vector<int64_t> TableReader::bools(const std::string& column) const {
  std::vector<int8_t> flags(static_cast<size_t>(rows_));
  int64_t width = 0;
  Hid type = bool_type();
  read(column, type.get(), flags.data(), &width);
  return std::vector<int64_t>(flags.begin(), flags.end());
}

std::vector<std::string> TableReader::texts(const std::string& column) const {
  int64_t width = 0;
  size_t bytes = 0;
  {
    Hid dataset = open(column, &width);
    Hid type(H5Dget_type(dataset.get()));
    bytes = H5Tget_size(type.get());
  }
  Hid type = fixed_text_type(bytes);
  std::vector<char> buffer(static_cast<size_t>(rows_) * bytes, '\0');
  read(column, type.get(), buffer.data(), &width);
  std::vector<std::string> values;
  for (int64_t r = 0; r < rows_; ++r) {
    const char* begin = buffer.data() + static_cast<size_t>(r) * bytes;
    size_t length = bytes;
    while (length > 0 && begin[length - 1] == '\0') --length;
    values.emplace_back(begin, length);
  }
  return values;
}

template <typename T>
std::vector<Cell> TableReader::rows_of(const std::string& column, hid_t mem_type) const {
  int64_t width = 0;
  { open(column, &width); }
  std::vector<T> flat(static_cast<size_t>(rows_ * width));
  read(column, mem_type, flat.data(), &width);
  std::vector<Cell> rows;
  for (int64_t r = 0; r < rows_; ++r) {
    auto begin = flat.begin() + r * width;
    rows.emplace_back(std::vector<T>(begin, begin + width));
  }
  return rows;
}

std::vector<Cell> TableReader::cells(const Column& column) const {
  std::vector<Cell> out;
  auto as_cells = [&](auto values) {
    for (auto& v : values) out.emplace_back(std::move(v));
  };
  if (is_two_d(column)) {
    return column.type == ColumnType::Int32 ? rows_of<int32_t>(column.name, H5T_NATIVE_INT32)
                                            : rows_of<double>(column.name, H5T_NATIVE_DOUBLE);
  }
  switch (column.type) {
    case ColumnType::Int32:
    case ColumnType::Int64:
      as_cells(ints(column.name));
      break;
    case ColumnType::Bool:
      as_cells(bools(column.name));
      break;
    case ColumnType::Float64:
      as_cells(doubles(column.name));
      break;
    case ColumnType::Text:
      as_cells(texts(column.name));
      break;
  }
  return out;
}

}  // namespace greater::record
