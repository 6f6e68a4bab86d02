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

Runs are grouped by their `ranking` setting (gradient, random, no_reasoning; runs written before
the setting existed count as gradient): when the run files hold more than one ranking, or several
runs of one ranking (seeds), a second table compares the groups per task, every run listed:
    | Task | Ranking | Runs | Final mean ± sd | min – max | Iterations to 85 % train | Every run |
`--train-target` sets the train accuracy counted (default 0.85).
"""

import argparse
import csv
import io
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runfile import percent, read_runs  # noqa: E402

CSV_COLUMNS = ["model", "task", "ranking", "seed", "split", "initial_accuracy", "final_accuracy",
               "delta", "iterations_to_train_target",
               "initial_n", "final_n", "status", "iterations", "iterations_planned",
               "initial_prompt", "best_prompt", "run_file", "transfer_from"]


def ranking_of(run):
    """The run's ranking setting; files written before it existed ranked by gradient."""
    return str(run.config.get("ranking") or "gradient")


def iterations_to(run, target):
    """Iterations until the chosen candidate's train accuracy first reached `target` (the
    iteration that reached it counted), or None when it never did."""
    accuracy = run.iterations.get("train_accuracy")
    if accuracy is None:
        return None
    for i, value in enumerate(accuracy):
        if not math.isnan(value) and value >= target - 1e-12:
            return i + 1
    return None


def result_of(run, split, train_target=0.85):
    initial, final = run.initial(split), run.final(split)
    a = initial.accuracy if initial else None
    b = final.accuracy if final else None
    delta = b - a if a is not None and b is not None else None
    return {
        "model": run.model_name,
        "task": run.task_name,
        "ranking": ranking_of(run),
        "seed": run.config.get("seed", ""),
        "split": split,
        "initial_accuracy": a,
        "final_accuracy": b,
        "delta": delta,
        "iterations_to_train_target": iterations_to(run, train_target),
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


def spread(values):
    """(mean, sample standard deviation, min, max) of the values that are not None."""
    values = [v for v in values if v is not None and not math.isnan(v)]
    if not values:
        return None, None, None, None
    m = sum(values) / len(values)
    sd = math.sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1)) if len(values) > 1 else 0.0
    return m, sd, min(values), max(values)


def ranking_section(results, train_target):
    """Runs grouped by (model, task, ranking): the comparison of the paper's ablations."""
    groups = {}
    for r in results:
        groups.setdefault((r["model"], r["base_task"], r["ranking"]), []).append(r)
    order = {"gradient": 0, "random": 1, "no_reasoning": 2}
    out = io.StringIO()
    target = f"{100 * train_target:g} %"
    out.write(f"\nBy ranking (final accuracy in %, mean ± sample sd over runs; iterations until the "
              f"chosen prompt's train accuracy first reached {target}, mean over the runs that "
              f"reached it):\n\n")
    out.write(f"| Task | Model | Ranking | Runs | Final mean ± sd | min – max | "
              f"Iterations to {target} train | Every run (final %, iterations to {target}) |\n")
    out.write("| --- | --- | --- | ---: | ---: | ---: | ---: | --- |\n")
    for key in sorted(groups, key=lambda k: (k[1], k[0], order.get(k[2], 9), k[2])):
        rows = sorted(groups[key], key=lambda r: (str(r["seed"]), r["run_file"]))
        m, sd, lo, hi = spread([r["final_accuracy"] for r in rows])
        reached = [r["iterations_to_train_target"] for r in rows
                   if r["iterations_to_train_target"] is not None]
        its = (f"{sum(reached) / len(reached):.1f} ({len(reached)}/{len(rows)} reached)"
               if reached else f"– (0/{len(rows)} reached)")
        final = "–" if m is None else f"{100 * m:.1f} ± {100 * sd:.1f}"
        span = "–" if m is None else f"{100 * lo:.1f} – {100 * hi:.1f}"
        every = "; ".join(
            f"seed {r['seed']}: {percent(r['final_accuracy'])}, it "
            f"{r['iterations_to_train_target'] if r['iterations_to_train_target'] is not None else '–'}"
            for r in rows)
        out.write(f"| {cell(key[1])} | {cell(key[0])} | {key[2]} | {len(rows)} | {final} | {span} | "
                  f"{its} | {cell(every)} |\n")
    return out.getvalue()


def transfer_section(transfers):
    out = io.StringIO()
    out.write("\nTransfer evaluations (a prompt optimized elsewhere, evaluated as is):\n\n")
    out.write("| Task | Model | Accuracy | Prompt | From run |\n| --- | --- | ---: | --- | --- |\n")
    for r in sorted(transfers, key=lambda r: (r["task"], r["model"])):
        out.write(f"| {cell(r['task'])} | {cell(r['model'])} | {accuracy_cell(r, 'initial_accuracy')} | "
                  f"{cell(r['initial_prompt'])} | {cell(os.path.basename(r['transfer_from']))} |\n")
    return out.getvalue()


def markdown(all_results, split, train_target=0.85):
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
    groups = {(r["model"], r["base_task"], r["ranking"]) for r in results}
    if len(groups) < len(results) or len({g[2] for g in groups}) > 1:
        out.write(ranking_section(results, train_target))
    return out.getvalue()


def write_csv(results, stream):
    writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\n",
                            extrasaction="ignore")
    writer.writeheader()
    for r in results:
        row = dict(r)
        for key in ("initial_accuracy", "final_accuracy", "delta"):
            row[key] = "" if row[key] is None else f"{row[key]:.4f}"
        for key in ("initial_n", "final_n", "iterations_planned", "iterations_to_train_target"):
            row[key] = "" if row[key] is None else row[key]
        writer.writerow(row)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Table of initial and final accuracy and best prompt per task, over run files.")
    parser.add_argument("paths", nargs="+", help="run files, or folders searched for *.h5")
    parser.add_argument("--split", default="test", choices=["test", "dev", "train"],
                        help="split of the accuracies (default: test)")
    parser.add_argument("--train-target", type=float, default=0.85,
                        help="train accuracy whose first iteration the ranking table counts "
                             "(default: 0.85)")
    parser.add_argument("--markdown", metavar="FILE", help="write the Markdown table here")
    parser.add_argument("--csv", metavar="FILE", help="write the CSV here")
    args = parser.parse_args(argv)

    runs = read_runs(args.paths)
    if not runs:
        print("no run files found in " + " ".join(args.paths), file=sys.stderr)
        return 1
    results = sorted((result_of(run, args.split, args.train_target) for run in runs),
                     key=lambda r: (r["model"], r["task"], r["run_file"]))
    for r in results:
        r["base_task"] = r["task"]
    disambiguate(results)
    text = markdown(results, args.split, args.train_target)
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
