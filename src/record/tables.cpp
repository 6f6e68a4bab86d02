// The run file's tables, defined once: every column's name, type, width, fill and meaning,
// and the row field it holds. Nothing else in the program names a column.
#include "tables.h"

#include <cmath>
#include <stdexcept>
#include <type_traits>

namespace greater::record {

size_t Table::index(const std::string& column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column) return i;
  }
  throw std::logic_error("run file table " + group + " has no column " + column);
}

namespace {

Column column(const char* name, ColumnType type, int64_t width, int64_t fill, const char* limit,
              const char* meaning, const char* length_column = "") {
  Column c;
  c.name = name;
  c.type = type;
  c.width = width;
  c.fill = fill;
  c.limit = limit;
  c.meaning = meaning;
  c.length_column = length_column;
  return c;
}

// Adds columns to a TableOf<Row>. `field` is a generic lambda returning a reference to the
// row's member, so that one accessor serves both writing (const row) and reading.
template <typename Row>
class Columns {
 public:
  explicit Columns(TableOf<Row>& table) : t_(table) {}

  template <typename Field>
  void integer(const char* name, ColumnType type, const char* meaning, Field field) {
    add(column(name, type, 0, type == ColumnType::Bool ? 0 : -1, "", meaning),
        [field](const Row& r) { return Cell(static_cast<int64_t>(field(r))); },
        [field](Row& r, Cell&& c) {
          using T = std::remove_reference_t<decltype(field(r))>;
          field(r) = static_cast<T>(std::get<int64_t>(c));
        });
  }

  template <typename Field>
  void number(const char* name, const char* meaning, Field field) {
    add(column(name, ColumnType::Float64, 0, 0, "", meaning),
        [field](const Row& r) { return Cell(field(r)); },
        [field](Row& r, Cell&& c) { field(r) = std::get<double>(c); });
  }

  // Fixed-length text of `bytes` bytes, named `limit` in errors.
  template <typename Field>
  void text(const char* name, int64_t bytes, const char* limit, const char* meaning,
            Field field) {
    add(column(name, ColumnType::Text, bytes, 0, limit, meaning),
        [field](const Row& r) { return Cell(field(r)); },
        [field](Row& r, Cell&& c) { field(r) = std::move(std::get<std::string>(c)); });
  }

  // A row of ids or numbers, padded to `width`; `length` is the column with its valid count.
  template <typename Field>
  void ids(const char* name, int64_t width, const char* limit, const char* length,
           const char* meaning, Field field) {
    add(
        column(name, ColumnType::Int32, width, -1, limit, meaning, length),
        [field](const Row& r) { return Cell(field(r)); },
        [field](Row& r, Cell&& c) { field(r) = std::move(std::get<TokenIds>(c)); });
  }
  template <typename Field>
  void numbers(const char* name, int64_t width, const char* limit, const char* length,
               const char* meaning, Field field) {
    add(column(name, ColumnType::Float64, width, 0, limit, meaning, length),
        [field](const Row& r) { return Cell(field(r)); },
        [field](Row& r, Cell&& c) { field(r) = std::move(std::get<std::vector<double>>(c)); });
  }

  // The number of valid entries of a padded row: written from the row, never read into it.
  template <typename Field>
  void length(const char* name, const char* meaning, Field field) {
    add(column(name, ColumnType::Int32, 0, -1, "", meaning),
        [field](const Row& r) { return Cell(static_cast<int64_t>(field(r).size())); }, nullptr);
  }

  Column& last() { return t_.table.columns.back(); }

 private:
  void add(Column column, std::function<Cell(const Row&)> take,
           std::function<void(Row&, Cell&&)> put) {
    t_.table.columns.push_back(std::move(column));
    t_.take.push_back(std::move(take));
    t_.put.push_back(std::move(put));
  }

  TableOf<Row>& t_;
};

constexpr auto kI32 = ColumnType::Int32, kI64 = ColumnType::Int64;
constexpr const char* kTokens = "RunFileLimits::max_prompt_tokens";
constexpr const char* kCandidates = "RunFileLimits::max_candidates";
constexpr const char* kEvaluated = "RunFileLimits::max_evaluated";
constexpr const char* kTextBytes = "RunFileLimits::max_text_bytes";
constexpr int64_t kSplitBytes = 16;

}  // namespace

TableOf<IterationRow> iteration_table(const RunFileLimits& limits) {
  TableOf<IterationRow> t;
  t.table.group = "iterations";
  Columns<IterationRow> c(t);
  const int64_t T = limits.max_prompt_tokens, C = limits.max_candidates, E = limits.max_evaluated;
  c.integer("step", kI64, "iteration number", [](auto& r) -> auto& { return r.step; });
  c.integer("position", kI64, "prompt position optimized in this iteration",
            [](auto& r) -> auto& { return r.position; });
  c.text("prompt", limits.max_text_bytes, kTextBytes, "prompt text before the change",
         [](auto& r) -> auto& { return r.prompt; });
  c.ids("prompt_ids", T, kTokens, "prompt_ids_length", "prompt token ids before the change",
        [](auto& r) -> auto& { return r.prompt_ids; });
  c.length("prompt_ids_length", "valid entries of `prompt_ids`",
           [](auto& r) -> auto& { return r.prompt_ids; });
  c.ids("candidate_ids", C, kCandidates, "candidate_count", "the proposal pool",
        [](auto& r) -> auto& { return r.candidate_ids; });
  c.numbers("candidate_gradients", C, kCandidates, "candidate_count",
            "normalized gradient score of each candidate, lower is better; NaN for every "
            "candidate of a run with `ranking = \"random\"` (no gradient is computed)",
            [](auto& r) -> auto& { return r.candidate_gradients; });
  c.length("candidate_count", "valid entries of `candidate_ids` and `candidate_gradients`",
           [](auto& r) -> auto& { return r.candidate_ids; });
  c.ids("evaluated_ids", E, kEvaluated, "evaluated_count",
        "candidates evaluated on the train set, in order (the job's `ranking`: by gradient, or "
        "drawn at random from the pool)",
        [](auto& r) -> auto& { return r.evaluated_ids; });
  c.numbers("evaluated_mistake_rate", E, kEvaluated, "evaluated_count", "per evaluated candidate",
            [](auto& r) -> auto& { return r.evaluated_mistake_rate; });
  c.numbers("evaluated_answer_ce", E, kEvaluated, "evaluated_count", "per evaluated candidate",
            [](auto& r) -> auto& { return r.evaluated_answer_ce; });
  c.numbers("evaluated_prompt_nll", E, kEvaluated, "evaluated_count", "per evaluated candidate",
            [](auto& r) -> auto& { return r.evaluated_prompt_nll; });
  c.numbers("evaluated_score", E, kEvaluated, "evaluated_count", "per evaluated candidate",
            [](auto& r) -> auto& { return r.evaluated_score; });
  c.length("evaluated_count", "valid entries of the `evaluated_*` rows",
           [](auto& r) -> auto& { return r.evaluated_ids; });
  c.integer("chosen_id", kI32, "the token chosen", [](auto& r) -> auto& { return r.chosen_id; });
  c.number("chosen_score", "its score", [](auto& r) -> auto& { return r.chosen_score; });
  c.number("train_accuracy", "1 − mistake rate of the chosen candidate",
           [](auto& r) -> auto& { return r.train_accuracy; });
  c.numbers("stage_seconds", static_cast<int64_t>(stage_names().size()),
            "the number of stages (stage_names())", "",
            "seconds per stage; attribute `stage_names` (strings, in column order: `chains`, "
            "`propose`, `gradient`, `select`); NaN when not measured (a row appended without "
            "timings reads back with none)",
            [](auto& r) -> auto& { return r.stage_seconds; });
  c.last().labels_name = "stage_names";
  c.last().labels = stage_names();
  c.integer("tokens_generated", kI64, "tokens generated in this iteration",
            [](auto& r) -> auto& { return r.tokens_generated; });
  c.ids("next_prompt_ids", T, kTokens, "next_prompt_ids_length",
        "prompt ids after this iteration (a resumed run starts here)",
        [](auto& r) -> auto& { return r.next_prompt_ids; });
  c.length("next_prompt_ids_length", "valid entries of `next_prompt_ids`",
           [](auto& r) -> auto& { return r.next_prompt_ids; });
  c.integer("next_position", kI64, "position of the next iteration",
            [](auto& r) -> auto& { return r.next_position; });
  c.integer("initial_length", kI64,
            "L0 of the '.' rule for the next iteration (an inner restart, `loss_threshold`, "
            "sets it to the prompt's length and `next_position` to 0)",
            [](auto& r) -> auto& { return r.initial_length; });
  return t;
}

TableOf<StoredEvaluation> evaluation_table(const RunFileLimits& limits) {
  TableOf<StoredEvaluation> t;
  t.table.group = "evaluations";
  Columns<StoredEvaluation> c(t);
  c.integer("step", kI64, "iteration after which it ran (-1: the initial prompt)",
            [](auto& r) -> auto& { return r.row.step; });
  c.text("split", kSplitBytes, "16 bytes for a split name", "`train`, `dev` or `test`",
         [](auto& r) -> auto& { return r.row.split; });
  c.text("prompt", limits.max_text_bytes, kTextBytes, "the prompt evaluated",
         [](auto& r) -> auto& { return r.row.prompt; });
  c.ids("prompt_ids", limits.max_prompt_tokens, kTokens, "prompt_ids_length", "its ids",
        [](auto& r) -> auto& { return r.row.prompt_ids; });
  c.length("prompt_ids_length", "valid entries of `prompt_ids`",
           [](auto& r) -> auto& { return r.row.prompt_ids; });
  c.number("parse_accuracy", "", [](auto& r) -> auto& { return r.row.parse_accuracy; });
  c.number("token_accuracy", "", [](auto& r) -> auto& { return r.row.token_accuracy; });
  c.integer("n", kI64, "examples evaluated", [](auto& r) -> auto& { return r.row.n; });
  c.integer("chain_begin", kI64, "first row of this evaluation in `evaluations/chains`",
            [](auto& r) -> auto& { return r.chain_begin; });
  c.integer("chain_count", kI64, "its number of rows there",
            [](auto& r) -> auto& { return r.chain_count; });
  return t;
}

TableOf<StoredChain> chain_table(const RunFileLimits& limits) {
  TableOf<StoredChain> t;
  t.table.group = "evaluations/chains";
  t.table.has_count = false;
  Columns<StoredChain> c(t);
  c.integer("evaluation", kI64, "row of `evaluations` it belongs to",
            [](auto& r) -> auto& { return r.evaluation; });
  c.integer("example_index", kI64, "index of the example in its split",
            [](auto& r) -> auto& { return r.chain.example_index; });
  c.text("chain", limits.max_chain_bytes, "RunFileLimits::max_chain_bytes",
         "generated reasoning text", [](auto& r) -> auto& { return r.chain.chain; });
  c.text("prediction", limits.max_text_bytes, kTextBytes,
         "answer text generated after the extractor",
         [](auto& r) -> auto& { return r.chain.prediction; });
  c.integer("correct", ColumnType::Bool, "parse-based correctness",
            [](auto& r) -> auto& { return r.chain.correct; });
  return t;
}

}  // namespace greater::record
