#!/usr/bin/python3
"""A live view of a run file that greater_dist is writing: status, progress, the latest
iterations and the evaluations, refreshed every few seconds until the status leaves "running".

    analysis/live.py runs/demo-arithmetic.h5            # refresh every 5 s
    analysis/live.py runs/llama3/navigate.h5 -n 2       # every 2 s
    analysis/live.py runs/demo-arithmetic.h5 --once     # one snapshot, then exit

The file is opened read-only with SWMR at each refresh (and closed again), so the writer is never
disturbed; a file that does not exist yet is waited for. Exit status 0 when the run has left
"running" (or after --once), 1 when the file cannot be read with --once.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runfile import (RunFileError, duration, evaluation_lines, header_lines,  # noqa: E402
                     iteration_lines, read_run)

CLEAR = "\033[H\033[2J"


def snapshot(path, rows):
    run = read_run(path, tries=3)
    age = time.time() - os.path.getmtime(path)
    lines = header_lines(run)
    stamp = time.strftime("%H:%M:%S")
    lines[0] += f"   [{stamp}, last write {duration(age)} ago]"
    if run.status == "running" and age > 600:
        lines.append("(no write for over 10 minutes: a slow iteration, or a writer that died; "
                     "a killed run keeps the status running until it is resumed)")
    lines.append("")
    lines += iteration_lines(run, last=rows)
    if run.evaluations:
        lines.append("")
        lines += evaluation_lines(run, compact=True)
    return run, "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Live text view of a run file being written.")
    parser.add_argument("run_file")
    parser.add_argument("-n", "--interval", type=float, default=5.0,
                        help="seconds between refreshes (default 5)")
    parser.add_argument("--rows", type=int, default=10, help="iterations shown (default 10)")
    parser.add_argument("--once", action="store_true", help="print one snapshot and exit")
    parser.add_argument("--no-clear", action="store_true",
                        help="append snapshots instead of redrawing the terminal")
    args = parser.parse_args(argv)
    clear = sys.stdout.isatty() and not args.no_clear and not args.once

    waiting = False
    try:
        while True:
            if not os.path.exists(args.run_file):
                if args.once:
                    print(f"{args.run_file}: no such file", file=sys.stderr)
                    return 1
                if not waiting:
                    print(f"waiting for {args.run_file} ...", flush=True)
                    waiting = True
                time.sleep(args.interval)
                continue
            try:
                run, text = snapshot(args.run_file, args.rows)
            except RunFileError as error:
                if args.once:
                    print(error, file=sys.stderr)
                    return 1
                print(f"[{time.strftime('%H:%M:%S')}] not readable yet: {error}", flush=True)
                time.sleep(args.interval)
                continue
            if clear:
                sys.stdout.write(CLEAR)
            elif not args.once:
                print("=" * 100)
            print(text, flush=True)
            if args.once or run.status != "running":
                if not args.once:
                    print(f"\nstatus {run.status}: done watching.")
                return 0
            time.sleep(args.interval)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
