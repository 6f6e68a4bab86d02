#include "greater/record/open_run.h"

#include <cstdio>

#include "greater/common/error.h"
#include "greater/common/file_util.h"

namespace greater {

RunOpening open_run(const std::string& path, const RunInfo& info, bool overwrite,
                    bool skip_finished) {
  if (is_directory(path))
    throw Error(path, "is a directory; run_file must name a file (e.g. " + path + "/run.h5)");
  RunOpening opening;
  if (run_file_exists(path)) {
    const RunSummary summary = read_run_file(path);
    if (summary.info.job_config != info.job_config && !overwrite)
      throw Error(path,
                  "was written by a different job configuration; use another run_file or "
                  "--overwrite");
    if (summary.status == RunStatus::Finished && !overwrite) {
      if (skip_finished) {
        opening.already_finished = true;
        return opening;
      }
      throw Error(path, "holds a finished run; pass --overwrite to replace it");
    }
    if (!overwrite) {
      opening.file = RunFile::open_for_resume(path);
      opening.iterations = opening.file->iterations();
      opening.resumed = true;
      opening.fresh = opening.iterations.empty() && opening.file->evaluations().empty();
      return opening;
    }
    if (std::remove(path.c_str()) != 0) throw Error(path, "cannot remove");
  }
  const size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) make_directories(path.substr(0, slash));
  opening.file = RunFile::create(path, info);
  return opening;
}

std::string recommended_prompt(const std::string& path) {
  const RunSummary run = read_run_file(path);
  // The baseline's test evaluation (step -1) is not a recommendation when iterations followed
  // it: a run stopped before its final evaluation recommends where its iterations got to.
  auto last_test = [&](int64_t min_step) -> const EvaluationRow* {
    for (auto e = run.evaluations.rbegin(); e != run.evaluations.rend(); ++e)
      if (e->split == "test" && e->step >= min_step) return &*e;
    return nullptr;
  };
  if (const EvaluationRow* final_evaluation = last_test(0)) return final_evaluation->prompt;
  if (!run.iterations.empty()) return run.iterations.back().prompt;
  if (const EvaluationRow* baseline = last_test(-1)) return baseline->prompt;
  throw Error(path, "holds no evaluated prompt to start from (prompt_from)");
}

}  // namespace greater
