#!/usr/bin/python3
"""One run file's summary: status, the job configuration, every iteration, the evaluations, the
time spent per stage, and a few of the stored reasoning chains.

    analysis/inspect_run.py runs/demo-arithmetic.h5
    analysis/inspect_run.py runs/llama3/navigate.h5 --chains 5      # 5 chains per evaluation shown
    analysis/inspect_run.py runs/llama3/navigate.h5 --last 20 --no-config

Chains are shown for the first evaluation of the initial prompt and the final one of the best
prompt (test split, else dev). Safe on a file that is still being written.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runfile import (RunFileError, evaluation_lines, header_lines,  # noqa: E402
                     iteration_lines, read_run, short)

import numpy as np  # noqa: E402


def config_lines(run):
    lines = []
    for key, value in run.config.items():
        if isinstance(value, str):
            value = '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
        elif isinstance(value, bool):
            value = "true" if value else "false"
        lines.append(f"  {key:<26} = {value}")
    return lines


def stage_lines(run):
    seconds = run.iterations.get("stage_seconds")
    if seconds is None or run.iteration_count == 0:
        return []
    total = np.nansum(seconds, axis=0)
    whole = float(np.sum(total)) or 1.0
    names = run.stage_names or [f"stage {i}" for i in range(seconds.shape[1])]
    return [f"  {name:<10} {float(t):9.1f} s  {100.0 * float(t) / whole:5.1f}%  "
            f"{float(t) / run.iteration_count:7.2f} s per iteration"
            for name, t in zip(names, total)]


def chain_lines(run, count, width):
    shown = []
    for split in ("test", "dev"):
        initial, final = run.initial(split), run.final(split)
        if initial or final:
            shown = [e for e in (initial, final) if e is not None]
            break
    lines = []
    for e in shown:
        which = "initial prompt" if e.step < 0 else f"after iteration {e.step}"
        right = sum(c.correct for c in e.chains)
        lines.append(f"{e.split} evaluation {e.index} ({which}), {right}/{len(e.chains)} stored "
                     f"chains correct, accuracy {100.0 * e.accuracy:.1f}% on {e.n}; prompt: "
                     f"{short(e.prompt, 100)}")
        for c in e.chains[:count]:
            mark = "right" if c.correct else "wrong"
            lines.append(f"  example {c.example_index:>4} [{mark}] answer {c.prediction.strip()!r}")
            lines.append(f"      {short(c.chain, width) or '(empty chain)'}")
        if len(e.chains) > count:
            lines.append(f"  ... {len(e.chains) - count} more stored")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description="Summary of one greater-dist run file.")
    parser.add_argument("run_file")
    parser.add_argument("--chains", type=int, default=3,
                        help="chains shown per evaluation (default 3; 0: none)")
    parser.add_argument("--chain-width", type=int, default=300,
                        help="characters of each chain shown (default 300)")
    parser.add_argument("--last", type=int, help="show only the last N iterations")
    parser.add_argument("--no-config", action="store_true", help="leave out the job configuration")
    args = parser.parse_args(argv)
    try:
        run = read_run(args.run_file, chains=args.chains > 0)
    except RunFileError as error:
        print(f"inspect_run.py: {error}", file=sys.stderr)
        return 1

    out = header_lines(run)
    limits = {k[len("limit_"):]: v for k, v in run.attrs.items() if k.startswith("limit_")}
    out.append("format version {}, limits {}".format(
        run.attrs.get("format_version", "?"), ", ".join(f"{k} {v}" for k, v in limits.items())))
    if not args.no_config:
        out += ["", "job configuration:"] + config_lines(run)
    out += ["", f"iterations ({run.iteration_count}):"] + iteration_lines(run, last=args.last)
    stages = stage_lines(run)
    if stages:
        out += ["", "time per stage:"] + stages
    out += ["", f"evaluations ({len(run.evaluations)}):"] + evaluation_lines(run)
    if args.chains > 0 and run.evaluations:
        out += ["", "stored chains:"] + chain_lines(run, args.chains, args.chain_width)
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
