// greater_tokenize: encode JSON Lines of text with a tokenizer.json, or decode ids back.
//
//   greater_tokenize --tokenizer tokenizer.json [--add-special-tokens] < texts.jsonl
//       in:  {"text": "..."}            out: {"text": "...", "ids": [...]}
//   greater_tokenize --tokenizer tokenizer.json --decode [--skip-special-tokens] < ids.jsonl
//       in:  {"ids": [...]}             out: {"ids": [...], "text": "..."}
//   greater_tokenize --tokenizer tokenizer.json --text "one string"
//
// Empty input lines are skipped. A bad line stops the run with one line on stderr naming the
// line number and the problem, and exit status 1.
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "greater/common/error.h"
#include "greater/model/model_tokenizer.h"
#include "greater/tokenizer/tokenizer.h"

namespace {

using Json = nlohmann::ordered_json;

struct Options {
  std::string tokenizer_path;
  std::string text;
  bool add_special_tokens = false;
  bool decode = false;
  bool skip_special_tokens = false;
};

Json encode_record(const greater::Tokenizer& tokenizer, const std::string& text, const Options& o) {
  Json out;
  out["text"] = text;
  out["ids"] = tokenizer.encode(text, o.add_special_tokens);
  return out;
}

// One input line -> one output line; throws greater::Error naming what is wrong with the line.
Json process_line(const greater::Tokenizer& tokenizer, const std::string& line, const Options& o) {
  Json in;
  try {
    in = Json::parse(line);
  } catch (const Json::parse_error& e) {
    throw greater::Error("", std::string("not valid JSON (") + e.what() + ")");
  }
  if (!in.is_object()) throw greater::Error("", "expected a JSON object");
  if (!o.decode) {
    auto it = in.find("text");
    if (it == in.end() || !it->is_string())
      throw greater::Error("", "expected {\"text\": \"...\"}");
    return encode_record(tokenizer, it->get<std::string>(), o);
  }
  auto it = in.find("ids");
  if (it == in.end() || !it->is_array()) throw greater::Error("", "expected {\"ids\": [...]}");
  std::vector<greater::TokenId> ids;
  for (const Json& v : *it) {
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > INT32_MAX) {
      throw greater::Error("", "ids must be non-negative integers, got " + v.dump());
    }
    ids.push_back(static_cast<greater::TokenId>(v.get<int64_t>()));
  }
  Json out;
  out["ids"] = ids;
  out["text"] = tokenizer.decode(ids, o.skip_special_tokens);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Encode JSON Lines of text with a Hugging Face tokenizer.json, or decode ids."};
  Options o;
  app.add_option("--tokenizer", o.tokenizer_path, "tokenizer.json, a .gguf file, or a model folder")
      ->required();
  app.add_flag("--add-special-tokens", o.add_special_tokens,
               "Add what the file's post_processor adds (e.g. BOS)");
  app.add_flag("--decode", o.decode, "Read {\"ids\": [...]} lines and write the decoded text");
  app.add_flag("--skip-special-tokens", o.skip_special_tokens,
               "With --decode: leave special tokens out");
  auto* text_opt =
      app.add_option("--text", o.text, "Encode this one string instead of reading stdin");
  CLI11_PARSE(app, argc, argv);

  if (*text_opt && o.decode) {
    std::cerr << "greater_tokenize: --text encodes one string; it cannot be used with --decode\n";
    return 1;
  }
  try {
    const greater::Tokenizer tokenizer = greater::load_tokenizer(o.tokenizer_path);
    if (*text_opt) {
      std::cout << encode_record(tokenizer, o.text, o).dump() << '\n';
      return 0;
    }
    std::string line;
    for (size_t line_no = 1; std::getline(std::cin, line); ++line_no) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      try {
        std::cout << process_line(tokenizer, line, o).dump() << '\n';
      } catch (const std::exception& e) {
        std::cerr << "greater_tokenize: stdin line " << line_no << ": " << e.what() << '\n';
        return 1;
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "greater_tokenize: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
