"""Reading greater-dist run files, for the scripts in analysis/ (layout: docs/RUN_FILE.md).

    from runfile import read_run, find_run_files
    run = read_run("runs/demo-arithmetic.h5")
    run.status, run.task_name, run.model_name, run.config["iterations"]
    run.iterations["train_accuracy"]          # numpy arrays, rows [0, count) only
    run.initial("test").accuracy, run.final("test").prompt

Every file is opened read-only with SWMR, so a run that greater_dist is writing can be read, as
can a finished one or one whose writer died. Needs h5py (Debian: python3-h5py).
"""

import math
import os
import sys
import time

try:
    import h5py
    import numpy as np
except ImportError as error:  # pragma: no cover - depends on the machine
    sys.exit(f"{error}: the analysis scripts need h5py and numpy "
             "(Debian: apt-get install python3-h5py; or run them with /usr/bin/python3)")

try:
    import tomllib  # Python 3.11+
except ImportError:  # pragma: no cover
    tomllib = None

FORMAT = "greater-dist run file"
SPLITS = ("train", "dev", "test")


class RunFileError(Exception):
    """A file that is not a readable greater-dist run file; the message names it."""


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace").rstrip("\0")
    if isinstance(value, np.ndarray) and value.shape == ():
        return _text(value[()])
    return str(value)


def _texts(array):
    return [_text(v) for v in array]


def _attr(value):
    """An attribute as a plain Python value."""
    if isinstance(value, (bytes, str)):
        return _text(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return [_attr(v) for v in value.tolist()] if value.dtype.kind in "OSU" else value.tolist()
    return value


def parse_config(text):
    """The job configuration (TOML) stored in the file, as a dict."""
    if tomllib is not None:
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            pass
    config = {}  # key = value lines, for an older Python
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if not sep:
            continue
        value = value.strip()
        if value.startswith('"') and value.endswith('"'):
            value = value[1:-1].encode().decode("unicode_escape")
        elif value in ("true", "false"):
            value = value == "true"
        else:
            try:
                value = int(value)
            except ValueError:
                try:
                    value = float(value)
                except ValueError:
                    pass
        config[key.strip()] = value
    return config


def open_file(path, tries=1, wait=0.5):
    """The run file opened read-only with SWMR. A file that is being created, or whose first
    SWMR flush is not done, may fail to open for a moment: `tries` > 1 retries."""
    if not os.path.exists(path):
        raise RunFileError(f"{path}: no such file")
    for attempt in range(tries):
        try:
            return h5py.File(path, "r", swmr=True)
        except OSError as error:
            last = error
            if attempt + 1 < tries:
                time.sleep(wait)
    raise RunFileError(f"{path}: cannot open as HDF5 ({last}); a file left by a writer that "
                       f"died outside SWMR mode opens after `h5clear -s {path}`")


class Evaluation:
    """One row of the evaluations table (and its chains, when read with chains)."""

    def __init__(self, index, step, split, prompt, accuracy, token_accuracy, n, chain_begin,
                 chain_count):
        self.index = index
        self.step = step
        self.split = split
        self.prompt = prompt
        self.accuracy = accuracy  # parse-based accuracy, the paper's number
        self.token_accuracy = token_accuracy
        self.n = n
        self.chain_begin = chain_begin
        self.chain_count = chain_count
        self.chains = []  # Chain objects, filled by read_run(..., chains=True)

    def __repr__(self):
        return (f"Evaluation(step={self.step}, split={self.split!r}, accuracy={self.accuracy:.3f}, "
                f"n={self.n}, prompt={self.prompt!r})")


class Chain:
    """One evaluated example: the reasoning chain, the answer after the extractor, correctness."""

    def __init__(self, example_index, chain, prediction, correct):
        self.example_index = example_index
        self.chain = chain
        self.prediction = prediction
        self.correct = correct


class Run:
    """What one run file holds. `iterations` maps every dataset of the iterations group to its
    first `count` rows (text columns as lists of str); `evaluations` is a list of Evaluation."""

    def __init__(self, path):
        self.path = path
        self.attrs = {}
        self.config = {}
        self.iterations = {}
        self.valid_lengths = {}  # padded column -> its length column (from the file)
        self.iteration_count = 0
        self.stage_names = []
        self.evaluations = []

    # -- root attributes --
    @property
    def status(self):
        return self.attrs.get("status", "unknown")

    @property
    def status_message(self):
        return self.attrs.get("status_message", "")

    @property
    def model(self):
        return self.attrs.get("model", "")

    @property
    def task(self):
        return self.attrs.get("task", "")

    @property
    def model_name(self):
        """The model folder's name (Meta-Llama-3-8B-Instruct, demo-reasoner)."""
        return os.path.basename(os.path.normpath(self.model)) if self.model else "?"

    @property
    def task_name(self):
        """The task file's name without extension (boolean_expressions, arithmetic)."""
        task = self.config.get("task") or self.task
        if not task:
            return os.path.splitext(os.path.basename(self.path))[0]
        return os.path.splitext(os.path.basename(task))[0]

    @property
    def iterations_planned(self):
        value = self.config.get("iterations")
        return value if isinstance(value, int) else None

    # -- iterations --
    def seconds_per_iteration(self):
        """Wall seconds of each iteration (the sum of its measured stages)."""
        seconds = self.iterations.get("stage_seconds")
        if seconds is None or len(seconds) == 0:
            return np.zeros(0)
        return np.nansum(seconds, axis=1)

    def ids(self, column, row):
        """The valid entries of a padded column (prompt_ids, candidate_gradients, ...): the file
        names each one's length column in the dataset attribute `valid_length`."""
        length = self.valid_lengths.get(column)
        if length is None:
            raise RunFileError(f"{self.path}: iterations/{column} names no valid_length (a file "
                               "written before the attribute existed, or not a padded column)")
        return self.iterations[column][row][: int(self.iterations[length][row])]

    # -- evaluations --
    def evaluations_on(self, split):
        return [e for e in self.evaluations if e.split == split]

    def initial(self, split="test"):
        """The evaluation of the initial prompt (step -1) on `split`, or None."""
        rows = [e for e in self.evaluations_on(split) if e.step < 0]
        return rows[0] if rows else None

    def final(self, split="test"):
        """The latest evaluation after an iteration on `split` (at the end of a finished run: the
        best prompt's), or None."""
        rows = [e for e in self.evaluations_on(split) if e.step >= 0]
        if not rows:
            return None
        last_step = max(e.step for e in rows)
        return [e for e in rows if e.step == last_step][-1]

    def best_prompt(self, split="test"):
        """The prompt of the final test evaluation (the best prompt on dev); for a run without
        one yet, the prompt of the latest iteration."""
        final = self.final(split)
        if final is not None:
            return final.prompt
        prompts = self.iterations.get("prompt") or []
        return prompts[-1] if prompts else self.config.get("initial_prompt", "")


def _read_table(group, count):
    """Every dataset of a table, its first `count` rows; the layout comes from the file."""
    table = {}
    for name, dataset in group.items():
        if not isinstance(dataset, h5py.Dataset) or name == "count":
            continue
        values = dataset[:count]
        table[name] = _texts(values) if dataset.dtype.kind == "S" else values
    return table


def _valid_lengths(group):
    """Padded dataset -> the dataset holding each row's valid length (attribute valid_length)."""
    return {name: _text(dataset.attrs["valid_length"]) for name, dataset in group.items()
            if isinstance(dataset, h5py.Dataset) and "valid_length" in dataset.attrs}


def read_run(path, chains=False, tries=1):
    """Reads a run file; raises RunFileError for a file that is not one."""
    run = Run(path)
    with open_file(path, tries=tries) as f:
        return _read_open(f, run, chains)


def _read_open(f, run, chains):
    path = run.path
    try:
        if _text(f.attrs.get("format", b"")) != FORMAT:
            raise RunFileError(f"{path}: not a greater-dist run file (no root attribute format)")
        run.attrs = {name: _attr(value) for name, value in f.attrs.items()}
        run.config = parse_config(run.attrs.get("job_config", ""))

        it = f["iterations"]
        n = int(it["count"][()])
        run.iteration_count = n
        run.iterations = _read_table(it, n)
        run.valid_lengths = _valid_lengths(it)
        if "stage_seconds" in it:
            run.stage_names = [_text(s) for s in it["stage_seconds"].attrs.get("stage_names", [])]

        ev = f["evaluations"]
        m = int(ev["count"][()])
        table = _read_table(ev, m)
        for r in range(m):
            run.evaluations.append(Evaluation(
                r, int(table["step"][r]), table["split"][r], table["prompt"][r],
                float(table["parse_accuracy"][r]), float(table["token_accuracy"][r]),
                int(table["n"][r]), int(table["chain_begin"][r]), int(table["chain_count"][r])))
        if chains and m:
            last = run.evaluations[-1]
            k = last.chain_begin + last.chain_count
            group = ev["chains"]
            rows = _read_table(group, k)
            for e in run.evaluations:
                for i in range(e.chain_begin, e.chain_begin + e.chain_count):
                    if int(rows["evaluation"][i]) != e.index:
                        raise RunFileError(f"{path}: evaluations/chains row {i} does not belong "
                                           f"to evaluation {e.index}; the file is damaged")
                    e.chains.append(Chain(int(rows["example_index"][i]),
                                          rows["chain"][i], rows["prediction"][i],
                                          bool(rows["correct"][i])))
    except KeyError as error:
        raise RunFileError(f"{path}: missing {error} (not a greater-dist run file, or a newer "
                           "format)") from None
    return run


def find_run_files(paths):
    """Run files among `paths`: files as given, folders searched recursively for *.h5."""
    found = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs.sort()
                found.extend(os.path.join(root, name) for name in sorted(files)
                             if name.endswith((".h5", ".hdf5")))
        else:
            found.append(path)
    return found


def read_runs(paths, chains=False, warn=True):
    """Every readable run file among `paths` (see find_run_files); others are reported on stderr
    and skipped."""
    runs = []
    for path in find_run_files(paths):
        try:
            runs.append(read_run(path, chains=chains))
        except RunFileError as error:
            if warn:
                print(f"skipped: {error}", file=sys.stderr)
    return runs


def percent(value, digits=1):
    """An accuracy in [0, 1] as a percentage (the paper's tables), '–' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{100.0 * value:.{digits}f}"


def short(text, width):
    """`text` on one line, cut to `width` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def labels(runs):
    """A short distinct label per run: the task name, with the model and then the file name added
    where that is needed to tell runs apart."""
    tasks = [r.task_name for r in runs]
    with_model = [f"{r.task_name} ({r.model_name})" for r in runs]
    out = []
    for r, task, both in zip(runs, tasks, with_model):
        if tasks.count(task) == 1:
            out.append(task)
        elif with_model.count(both) == 1:
            out.append(both)
        else:
            out.append(f"{task} ({os.path.basename(r.path)})")
    return out


# ---- text views shared by inspect_run.py and live.py -------------------------------------------

def duration(seconds):
    """Seconds as 42 s, 3m05s or 2h07m."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "–"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def header_lines(run):
    """Status, job, progress and timing of a run, a few lines."""
    a = run.attrs
    status = run.status + (f" ({run.status_message})" if run.status_message else "")
    resumed = a.get("resume_count", 0)
    lines = [f"{run.path}: {status}" + (f", resumed {resumed}×" if resumed else "")]
    lines.append(f"task {run.task_name} ({run.task}), model {run.model_name} ({run.model})")
    lines.append(f"{a.get('world_size', '?')} rank(s), seed {a.get('seed', '?')}, "
                 f"{a.get('device', '?')} {a.get('dtype', '')}, layout {a.get('layout', '?')}, "
                 f"created {a.get('created', '?')}, greater-dist {a.get('program_version', '?')}")
    n, planned = run.iteration_count, run.iterations_planned
    seconds = run.seconds_per_iteration()
    progress = f"iterations {n}/{planned} ({100.0 * n / planned:.0f}%)" if planned else \
        f"iterations {n}"
    if n:
        mean = float(np.mean(seconds))
        progress += f", {mean:.1f} s each on average, {duration(float(np.sum(seconds)))} in all"
        if planned and run.status == "running" and n < planned:
            progress += f", about {duration(mean * (planned - n))} to go (evaluations not counted)"
        accuracy = run.iterations["train_accuracy"]
        if np.any(~np.isnan(accuracy)):
            best = int(np.nanargmax(accuracy))
            progress += (f"; best train accuracy {percent(float(accuracy[best]))}% "
                         f"(iteration {int(run.iterations['step'][best])})")
    lines.append(progress)
    return lines


def iteration_lines(run, last=None):
    """One line per iteration (the `last` ones only, when given)."""
    it = run.iterations
    n = run.iteration_count
    first = 0 if last is None else max(0, n - last)
    lines = [f"{'step':>5} {'pos':>4} {'score':>8} {'train%':>7} {'seconds':>8} {'tokens':>7}  "
             "prompt before the step"]
    if first:
        lines.append(f"{'…':>5} ({first} earlier iteration(s) not shown)")
    seconds = run.seconds_per_iteration()
    for r in range(first, n):
        lines.append(f"{int(it['step'][r]):>5} {int(it['position'][r]):>4} "
                     f"{float(it['chosen_score'][r]):>8.4f} "
                     f"{percent(float(it['train_accuracy'][r])):>7} {seconds[r]:>8.1f} "
                     f"{int(it['tokens_generated'][r]):>7}  {short(it['prompt'][r], 90)}")
    return lines


def evaluation_lines(run, compact=False):
    """One line per evaluation; `compact`: the initial prompt's and the latest step's only."""
    lines = [f"{'step':>5} {'split':<5} {'acc%':>6} {'token%':>6} {'n':>5}  prompt"]
    rows = run.evaluations
    if compact and rows:
        latest = max(e.step for e in rows)
        shown = [e for e in rows if e.step < 0 or e.step == latest]
        if len(shown) < len(rows):
            lines.append(f"{'…':>5} ({len(rows) - len(shown)} evaluation(s) of earlier steps "
                         "not shown)")
        rows = shown
    for e in rows:
        lines.append(f"{e.step:>5} {e.split:<5} {percent(e.accuracy):>6} "
                     f"{percent(e.token_accuracy):>6} {e.n:>5}  {short(e.prompt, 90)}")
    return lines
