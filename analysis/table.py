#!/usr/bin/python3
"""A results table over a folder of run files, in the shape of the paper's tables: one row per
task, the accuracy of the initial prompt and of the optimized one (test split by default), the
average, and the best prompts.

    analysis/table.py runs/llama3                        # Markdown on stdout
    analysis/table.py runs/ --markdown results.md --csv results.csv
    analysis/table.py runs/a.h5 runs/b.h5 --split dev

With run files of one model the Markdown table is
    | Task | Initial | GReaTer | Δ | Best prompt |
with several models (e.g. runs/llama3 and runs/gemma2) each model gets its Initial / GReaTer
columns and the best prompts follow in a second table. Accuracies are percentages; an unfinished
run shows its latest evaluation marked with *, or – when it has none. The CSV has one line per
run file, accuracies as fractions.
"""

import argparse
import csv
import io
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runfile import percent, read_runs  # noqa: E402

CSV_COLUMNS = ["model", "task", "split", "initial_accuracy", "final_accuracy", "delta",
               "initial_n", "final_n", "status", "iterations", "iterations_planned",
               "initial_prompt", "best_prompt", "run_file", "transfer_from"]


def result_of(run, split):
    initial, final = run.initial(split), run.final(split)
    a = initial.accuracy if initial else None
    b = final.accuracy if final else None
    delta = b - a if a is not None and b is not None else None
    return {
        "model": run.model_name,
        "task": run.task_name,
        "split": split,
        "initial_accuracy": a,
        "final_accuracy": b,
        "delta": delta,
        "initial_n": initial.n if initial else None,
        "final_n": final.n if final else None,
        "status": run.status,
        "iterations": run.iteration_count,
        "iterations_planned": run.iterations_planned,
        "initial_prompt": initial.prompt if initial else run.config.get("initial_prompt", ""),
        "best_prompt": run.best_prompt(split) if final else "",
        "run_file": run.path,
        # A transfer evaluation (greater_dist --prompt_from RUN --iterations 0): another run's
        # best prompt evaluated on this model and task; its accuracy is the initial one.
        "transfer_from": run.attrs.get("prompt_from", ""),
    }


def disambiguate(results):
    """Two run files of the same model and task get their file names added to the task."""
    keys = [(r["model"], r["task"]) for r in results]
    for r, key in zip(results, keys):
        if keys.count(key) > 1:
            r["task"] = f'{r["task"]} ({os.path.basename(r["run_file"])})'


def cell(text):
    """Text for a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|") if text else "–"


def accuracy_cell(r, key):
    value = r[key]
    mark = "*" if key == "final_accuracy" and value is not None and r["status"] != "finished" else ""
    return percent(value) + mark


def delta_cell(value):
    if value is None:
        return "–"
    text = f"{100.0 * value:+.1f}"
    return text


def mean(values):
    values = [v for v in values if v is not None and not math.isnan(v)]
    return sum(values) / len(values) if values else None


def transfer_section(transfers):
    out = io.StringIO()
    out.write("\nTransfer evaluations (a prompt optimized elsewhere, evaluated as is):\n\n")
    out.write("| Task | Model | Accuracy | Prompt | From run |\n| --- | --- | ---: | --- | --- |\n")
    for r in sorted(transfers, key=lambda r: (r["task"], r["model"])):
        out.write(f"| {cell(r['task'])} | {cell(r['model'])} | {accuracy_cell(r, 'initial_accuracy')} | "
                  f"{cell(r['initial_prompt'])} | {cell(os.path.basename(r['transfer_from']))} |\n")
    return out.getvalue()


def markdown(all_results, split):
    results = [r for r in all_results if not r["transfer_from"]]
    transfers = [r for r in all_results if r["transfer_from"]]
    if not results:
        return transfer_section(transfers)
    models = sorted({r["model"] for r in results})
    tasks = sorted({r["task"] for r in results})
    by_key = {(r["model"], r["task"]): r for r in results}
    out = io.StringIO()
    name = {"test": "test", "dev": "dev", "train": "train"}.get(split, split)
    out.write(f"Accuracy (%) on the {name} split: the initial prompt, and GReaTer's best prompt.\n\n")
    if len(models) == 1:
        model = models[0]
        out.write(f"Model: {model}\n\n")
        out.write("| Task | Initial | GReaTer | Δ | Best prompt |\n")
        out.write("| --- | ---: | ---: | ---: | --- |\n")
        for task in tasks:
            r = by_key[(model, task)]
            out.write(f"| {cell(task)} | {accuracy_cell(r, 'initial_accuracy')} | "
                      f"{accuracy_cell(r, 'final_accuracy')} | {delta_cell(r['delta'])} | "
                      f"{cell(r['best_prompt'])} |\n")
        rows = [by_key[(model, t)] for t in tasks]
        a = mean([r["initial_accuracy"] for r in rows])
        b = mean([r["final_accuracy"] for r in rows])
        d = b - a if a is not None and b is not None else None
        out.write(f"| **Average** | **{percent(a)}** | **{percent(b)}** | **{delta_cell(d)}** | |\n")
    else:
        out.write("| Task | " + " | ".join(f"{cell(m)} Initial | {cell(m)} GReaTer" for m in models)
                  + " |\n")
        out.write("| --- |" + " ---: | ---: |" * len(models) + "\n")
        for task in tasks:
            cells = []
            for model in models:
                r = by_key.get((model, task))
                cells += ([accuracy_cell(r, "initial_accuracy"), accuracy_cell(r, "final_accuracy")]
                          if r else ["–", "–"])
            out.write(f"| {cell(task)} | " + " | ".join(cells) + " |\n")
        averages = []
        for model in models:
            rows = [by_key[(model, t)] for t in tasks if (model, t) in by_key]
            averages += [percent(mean([r["initial_accuracy"] for r in rows])),
                         percent(mean([r["final_accuracy"] for r in rows]))]
        out.write("| **Average** | " + " | ".join(f"**{a}**" for a in averages) + " |\n")
        out.write("\nBest prompts:\n\n| Task | Model | Best prompt |\n| --- | --- | --- |\n")
        for task in tasks:
            for model in models:
                r = by_key.get((model, task))
                if r:
                    out.write(f"| {cell(task)} | {cell(model)} | {cell(r['best_prompt'])} |\n")
    if any(r["status"] != "finished" and r["final_accuracy"] is not None for r in results):
        out.write("\n\\* unfinished run: its latest evaluation, not the final one.\n")
    unfinished = [r for r in results if r["status"] != "finished"]
    if unfinished:
        out.write("\nNot finished: " + ", ".join(
            f'{r["task"]} ({r["model"]}, {r["status"]}, {r["iterations"]}'
            f'{"/" + str(r["iterations_planned"]) if r["iterations_planned"] else ""} iterations)'
            for r in unfinished) + "\n")
    if transfers:
        out.write(transfer_section(transfers))
    return out.getvalue()


def write_csv(results, stream):
    writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in results:
        row = dict(r)
        for key in ("initial_accuracy", "final_accuracy", "delta"):
            row[key] = "" if row[key] is None else f"{row[key]:.4f}"
        for key in ("initial_n", "final_n", "iterations_planned"):
            row[key] = "" if row[key] is None else row[key]
        writer.writerow(row)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Table of initial and final accuracy and best prompt per task, over run files.")
    parser.add_argument("paths", nargs="+", help="run files, or folders searched for *.h5")
    parser.add_argument("--split", default="test", choices=["test", "dev", "train"],
                        help="split of the accuracies (default: test)")
    parser.add_argument("--markdown", metavar="FILE", help="write the Markdown table here")
    parser.add_argument("--csv", metavar="FILE", help="write the CSV here")
    args = parser.parse_args(argv)

    runs = read_runs(args.paths)
    if not runs:
        print("no run files found in " + " ".join(args.paths), file=sys.stderr)
        return 1
    results = sorted((result_of(run, args.split) for run in runs),
                     key=lambda r: (r["model"], r["task"], r["run_file"]))
    disambiguate(results)
    text = markdown(results, args.split)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(text)
    if args.csv:
        with open(args.csv, "w", encoding="utf-8", newline="") as f:
            write_csv(results, f)
    if not args.markdown:
        sys.stdout.write(text)
    else:
        print(f"{len(results)} run file(s): {args.markdown}" + (f", {args.csv}" if args.csv else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
