// Internals shared by the record sources: the run file's layout as data (tables of row datasets
// that grow together), packed rows, and RunFile::Impl. docs/RUN_FILE.md describes the same
// layout for readers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "greater/record/run_file.h"
#include "h5.h"
#include "tables.h"

namespace greater::record {

constexpr int64_t kFormatVersion = 1;
constexpr size_t kStatusBytes = 16;  // root attribute "status"
// Root attribute "status_message"; small enough that every chunk of the root's object header
// stays inside one file-space page (see RunFile::create).
constexpr size_t kStatusMessageBytes = 1024;

size_t element_bytes(const Column& column);  // bytes of one value (a whole string for Text)

// Names of root attributes the format owns; RunInfo::attributes may not use them.
const std::vector<std::string>& reserved_root_attributes();

// Rows of one table packed the way the datasets store them. Filling a block checks every
// limit, so a row that does not fit fails before the file is touched.
class RowBlock {
 public:
  RowBlock(const Table& table, int64_t rows, std::string where);

  // Checks the cell against the column's width and stores it.
  void set(size_t column, int64_t row, const Cell& cell);

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

  // Every row's cell of `column`; 2-D rows whole (read_rows trims them to their lengths).
  std::vector<Cell> cells(const Column& column) const;

 private:
  Hid open(const std::string& column, int64_t* width) const;
  void read(const std::string& column, hid_t mem_type, void* out, int64_t* width) const;
  std::vector<int64_t> ints(const std::string& column) const;
  std::vector<double> doubles(const std::string& column) const;
  std::vector<std::string> texts(const std::string& column) const;  // without NUL padding
  std::vector<int64_t> bools(const std::string& column) const;
  template <typename T>
  std::vector<Cell> rows_of(const std::string& column, hid_t mem_type) const;

  hid_t file_;
  std::string group_;
  int64_t first_, rows_;
  std::string where_;
};

// Read-only handle on a run file, whether another process writes it (SWMR read) or its writer
// died with the superblock still marked "open for write" (flags ignored; file unchanged).
Hid open_read_only(const std::string& path);

RunInfo read_info(hid_t file, const std::string& where);

// Rows of a table packed for writing; checks every width and that each padded row agrees with
// its length column, so a row that does not fit fails before the file is touched.
template <typename Row>
RowBlock pack_rows(const TableOf<Row>& t, const std::vector<Row>& rows, const std::string& where);

// Rows [first, first + rows) of a table, padded rows cut to their lengths.
template <typename Row>
std::vector<Row> read_rows(hid_t file, const TableOf<Row>& t, int64_t first, int64_t rows,
                           const std::string& where);

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
