// Internals shared by the record sources: the run file's layout as data (tables of row datasets
// that grow together), packed rows, and RunFile::Impl. docs/RUN_FILE.md describes the same
// layout for readers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "greater/record/run_file.h"
#include "h5.h"

namespace greater::record {

constexpr int64_t kFormatVersion = 1;
constexpr size_t kStatusBytes = 16;  // root attribute "status"
// Root attribute "status_message"; small enough that every chunk of the root's object header
// stays inside one file-space page (see RunFile::create).
constexpr size_t kStatusMessageBytes = 1024;
constexpr int64_t kSplitBytes = 16;  // evaluations/split

enum class ColumnType { Int32, Int64, Float64, Text, Bool };

struct Column {
  std::string name;
  ColumnType type = ColumnType::Int64;
  // Values per row: 0 for one value (dataset [n]), else a 2-D dataset [n, width]. For Text,
  // the bytes of the fixed-length string (dataset [n]).
  int64_t width = 0;
  int64_t fill = 0;   // fill of integer columns; Float64 fills with NaN, Text with NUL
  std::string limit;  // what bounds `width`, named in errors ("RunFileLimits::max_candidates")
};

// Datasets under one group that always have the same number of rows.
struct Table {
  std::string group;
  // A scalar int64 dataset "<group>/count", written after the rows: the rows a reader trusts.
  bool has_count = true;
  std::vector<Column> columns;

  size_t index(const std::string& column) const;  // throws std::logic_error when unknown
};

Table iteration_table(const RunFileLimits& limits);
Table evaluation_table(const RunFileLimits& limits);
Table chain_table(const RunFileLimits& limits);  // evaluations/chains (no count of its own)

size_t element_bytes(const Column& column);  // bytes of one value (a whole string for Text)

// Names of root attributes the format owns; RunInfo::attributes may not use them.
const std::vector<std::string>& reserved_root_attributes();

// Rows of one table packed the way the datasets store them. Filling a block checks every
// limit, so a row that does not fit fails before the file is touched.
class RowBlock {
 public:
  RowBlock(const Table& table, int64_t rows, std::string where);

  void set_int(const std::string& column, int64_t row, int64_t value);  // Int32/Int64/Bool
  void set_double(const std::string& column, int64_t row, double value);
  void set_ids(const std::string& column, int64_t row, const std::vector<int32_t>& values);
  void set_doubles(const std::string& column, int64_t row, const std::vector<double>& values);
  void set_text(const std::string& column, int64_t row, const std::string& value);

  int64_t rows() const { return rows_; }
  const unsigned char* data(size_t column) const { return bytes_[column].data(); }

 private:
  unsigned char* cell(size_t column, int64_t row, int64_t element);
  void check_width(const Column& column, int64_t n, const char* unit) const;

  const Table& table_;
  int64_t rows_;
  std::string where_;
  std::vector<std::vector<unsigned char>> bytes_;
};

// A table open for writing.
struct OpenTable {
  Table table;
  std::vector<Hid> datasets;  // parallel to table.columns
  Hid count;                  // invalid when !table.has_count
  int64_t rows = 0;           // complete rows (what count says)
  int64_t capacity = 0;       // rows the datasets hold now (>= rows; the rest is fill)
};

void create_table(hid_t file, const Table& table, const std::string& where);
OpenTable open_table(hid_t file, const Table& table, int64_t rows, const std::string& where);
// Writes the block at rows [table.rows, table.rows + block.rows()), first growing every dataset
// (by half its size, at least 64 rows) when the capacity is short. Does not advance table.rows
// or the count.
void write_rows(OpenTable& table, const RowBlock& block, const std::string& where);
void write_count(OpenTable& table, int64_t rows, const std::string& where);
// Shrinks every dataset of the table to `rows` (drops rows a killed writer left half done).
void truncate_rows(OpenTable& table, int64_t rows, const std::string& where);
int64_t read_count(hid_t file, const std::string& group, const std::string& where);

// Reads rows [first, first + rows) of datasets under one group, by column name.
class TableReader {
 public:
  TableReader(hid_t file, std::string group, int64_t first, int64_t rows, std::string where);

  std::vector<int64_t> ints(const std::string& column) const;  // 1-D integer columns
  std::vector<double> doubles(const std::string& column) const;
  std::vector<std::string> texts(const std::string& column) const;  // without NUL padding
  std::vector<bool> bools(const std::string& column) const;
  // 2-D columns: the first lengths[r] values of row r (the whole row when lengths is empty).
  std::vector<std::vector<int32_t>> id_rows(const std::string& column,
                                            const std::vector<int64_t>& lengths) const;
  std::vector<std::vector<double>> double_rows(const std::string& column,
                                               const std::vector<int64_t>& lengths) const;

 private:
  Hid open(const std::string& column, int64_t* width) const;
  void read(const std::string& column, hid_t mem_type, void* out, int64_t* width) const;
  template <typename T>
  std::vector<std::vector<T>> rows_of(const std::string& column, hid_t mem_type,
                                      const std::vector<int64_t>& lengths) const;

  hid_t file_;
  std::string group_;
  int64_t first_, rows_;
  std::string where_;
};

// Read-only handle on a run file, whether another process writes it (SWMR read) or its writer
// died with the superblock still marked "open for write" (flags ignored; file unchanged).
Hid open_read_only(const std::string& path);

RunInfo read_info(hid_t file, const std::string& where);
std::vector<IterationRow> read_iterations(hid_t file, int64_t rows, const std::string& where);
std::vector<EvaluationRow> read_evaluations(hid_t file, int64_t rows, bool with_chains,
                                            const std::string& where);

// What the writer needs to stay SWMR-safe: every object exists before writing starts.
void write_root_attributes(hid_t file, const RunInfo& info, const std::string& where);

}  // namespace greater::record

namespace greater {

struct RunFile::Impl {
  std::string path;
  RunInfo info;
  record::Hid file;
  record::OpenTable iterations, evaluations, chains;
  int lock_fd = -1;  // holds a shared flock while writing, so a second writer cannot start

  ~Impl() { close(); }

  // Turns SWMR writing on (every object must exist and be closed), opens the tables and takes
  // the writer's lock.
  void begin_swmr(int64_t iteration_rows, int64_t evaluation_rows, int64_t chain_rows);
  void close() noexcept;
  std::string where(const std::string& object = "") const;
};

}  // namespace greater
