// Where a job's run file stands when the job starts: the resume, overwrite and finished
// policy, and the prompt a finished run recommends.
#pragma once

#include <memory>
#include <string>

#include "greater/record/run_file.h"

namespace greater {

struct RunOpening {
  std::unique_ptr<RunFile> file;  // null when the run was finished before and is skipped
  bool already_finished = false;  // skipped: a finished run under `skip_finished`
  bool resumed = false;           // an existing file continues
  bool fresh = true;              // nothing recorded yet (the baseline is still to evaluate)
  std::vector<IterationRow> iterations;  // the complete iterations of a resumed run
};

// Opens `path` for the job described by `info`:
//  - no file: creates it (and its folder) with `info`;
//  - a file of another job configuration: an error, unless `overwrite`;
//  - a finished file: skipped when `skip_finished`, else an error, unless `overwrite`;
//  - with `overwrite`: the old file is removed and a new one created;
//  - otherwise the file is resumed from its last complete iteration.
// Errors name the path and say which option changes the outcome.
RunOpening open_run(const std::string& path, const RunInfo& info, bool overwrite,
                    bool skip_finished);

// The prompt a run recommends: the one its final test evaluation used (the dev winner); for a
// run stopped before that evaluation, the prompt its last iteration started from; for a run
// without iterations (a transfer evaluation), the prompt it evaluated. Throws when it holds none.
std::string recommended_prompt(const std::string& path);

}  // namespace greater
