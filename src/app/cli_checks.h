// CLI11 checks for the programs' numeric options that say what is wanted
// ("--topk: must be a positive integer (got '0')") instead of CLI11's range text with a bound of
// 1.8e308.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <exception>
#include <string>

namespace greater {

inline CLI::Validator integer_at_least(int64_t least, const std::string& wanted) {
  return CLI::Validator(
      [least, wanted](std::string& text) {
        size_t used = 0;
        try {
          if (std::stoll(text, &used) >= least && used == text.size()) return std::string();
        } catch (const std::exception&) {
        }
        return "must be " + wanted + " (got '" + text + "')";
      },
      wanted);
}

inline const CLI::Validator kPositiveInteger = integer_at_least(1, "a positive integer");
inline const CLI::Validator kNonNegativeInteger = integer_at_least(0, "an integer >= 0");
// A real number for which `ok` holds.
inline CLI::Validator number_where(bool (*ok)(double), const std::string& wanted) {
  return CLI::Validator(
      [ok, wanted](std::string& text) {
        size_t used = 0;
        try {
          if (ok(std::stod(text, &used)) && used == text.size()) return std::string();
        } catch (const std::exception&) {
        }
        return "must be " + wanted + " (got '" + text + "')";
      },
      wanted);
}

inline const CLI::Validator kPositiveNumber =
    number_where([](double v) { return v > 0; }, "a positive number");
inline const CLI::Validator kNonNegativeNumber =
    number_where([](double v) { return v >= 0; }, "a number >= 0");

}  // namespace greater
