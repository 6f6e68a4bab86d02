#!/usr/bin/python3
"""Per-iteration curves of one or many run files, as PNG: the chosen candidate's selection score
(lower is better) and its train accuracy, with the dev/test evaluations as markers.

    analysis/curves.py runs/demo-arithmetic.h5                 # -> curves.png
    analysis/curves.py runs/llama3 -o llama3.png               # every run file of a folder
    analysis/curves.py runs/llama3 --per-run plots/            # one PNG per run file as well

The x axis counts finished iterations: 0 is the initial prompt (its evaluation), k the prompt
after iteration k. Needs matplotlib (Debian: python3-matplotlib).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runfile import labels, percent, read_runs, short  # noqa: E402

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError as error:  # pragma: no cover
    sys.exit(f"{error}: curves.py needs matplotlib (Debian: apt-get install python3-matplotlib)")

import numpy as np  # noqa: E402  (after runfile, which explains a missing numpy)

SPLIT_MARKERS = {"test": ("o", "test accuracy"), "dev": ("s", "dev accuracy")}


def styles(n):
    """(color, line style) per run: tab10 / tab20 colors, dashed once the colors repeat."""
    cmap = plt.get_cmap("tab10" if n <= 10 else "tab20")
    return [(cmap(i % cmap.N), ("-", "--", ":")[(i // cmap.N) % 3]) for i in range(n)]


def draw(runs, names, path, title, show_dev):
    many = len(runs) > 6
    fig, (ax_score, ax_acc) = plt.subplots(
        2, 1, sharex=True, figsize=(11 if many else 9, 7.5), dpi=120,
        gridspec_kw={"height_ratios": [1, 1.15]})
    # Markers of different runs at the same step are spread a little, to keep each visible.
    spread = min(0.5, 0.12 * (len(runs) - 1))
    offsets = np.linspace(-spread / 2, spread / 2, len(runs)) if len(runs) > 1 else [0.0]
    for run, name, (color, style), offset in zip(runs, names, styles(len(runs)), offsets):
        it = run.iterations
        n = run.iteration_count
        x = np.arange(1, n + 1)
        if n:
            ax_score.plot(x, it["chosen_score"], color=color, ls=style, lw=1.6, label=name)
            ax_acc.plot(x, 100.0 * it["train_accuracy"], color=color, ls=style, lw=1.6,
                        label=name)
        # Dev first, hollow and larger, so that a test marker on the same point stays visible.
        for split in ("dev", "test") if show_dev else ("test",):
            marker, _ = SPLIT_MARKERS[split]
            rows = run.evaluations_on(split)
            if split == "dev":  # the dev rows of one step compare prompts: keep the best
                best = {}
                for e in rows:
                    best[e.step] = max(best.get(e.step, -1.0), e.accuracy)
                xs, ys = list(best), list(best.values())
            else:
                xs, ys = [e.step for e in rows], [e.accuracy for e in rows]
            if xs:
                ax_acc.scatter(np.array(xs) + 1 + offset, 100.0 * np.array(ys), marker=marker,
                               s=70 if split == "dev" else 34,
                               facecolors=color if split == "test" else "none",
                               edgecolors=color, linewidths=1.3, zorder=3 if split == "dev" else 4)

    ax_score.set_ylabel("selection score\n(lower is better)")
    ax_score.grid(alpha=0.3)
    ax_acc.set_ylabel("accuracy (%)")
    ax_acc.set_xlabel("iterations done (0 = the initial prompt)")
    ax_acc.set_ylim(-4, 104)
    ax_acc.grid(alpha=0.3)
    ax_acc.xaxis.get_major_locator().set_params(integer=True)
    ax_acc.set_xlim(left=-0.5)

    # Legends: what the line and markers mean (above the accuracy panel), and the runs' colors
    # (right of the figure, when there is more than one run).
    kinds = [plt.Line2D([], [], color="0.3", lw=1.6, label="train accuracy (chosen candidate)"),
             plt.Line2D([], [], color="0.3", marker="o", ls="none", label="test accuracy")]
    if show_dev:
        kinds.append(plt.Line2D([], [], color="0.3", marker="s", ls="none", fillstyle="none",
                                markersize=8, label="dev accuracy (best prompt of the step)"))
    ax_acc.legend(handles=kinds, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=len(kinds),
                  fontsize=8, frameon=False, borderaxespad=0.2)
    fig.suptitle(title, fontsize=12)
    fig.tight_layout()
    if len(runs) > 1:
        handles, texts = ax_score.get_legend_handles_labels()
        fig.legend(handles, texts, loc="center left", bbox_to_anchor=(1.0, 0.5),
                   fontsize=8 if many else 9, frameon=False, ncol=1 if len(runs) <= 30 else 2,
                   title="runs", title_fontsize=9, alignment="left")
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)


def title_of(run):
    planned = run.iterations_planned
    done = f"{run.iteration_count}/{planned}" if planned else str(run.iteration_count)
    initial, final = run.initial(), run.final()
    text = (f"{run.task_name} — {run.model_name}, {done} iterations, {run.status}; "
            f"test {percent(initial.accuracy if initial else None)}% → "
            f"{percent(final.accuracy if final else None)}%")
    prompt = run.best_prompt()
    return text + ("\nbest: " + short(prompt, 110) if prompt else "")


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Selection score and train accuracy per iteration, to PNG.")
    parser.add_argument("paths", nargs="+", help="run files, or folders searched for *.h5")
    parser.add_argument("-o", "--output", default="curves.png",
                        help="the PNG with every run (default: curves.png)")
    parser.add_argument("--per-run", metavar="DIR",
                        help="also write one PNG per run file into DIR (<run file name>.png)")
    parser.add_argument("--title", help="title of the combined figure")
    parser.add_argument("--no-dev", action="store_true", help="leave out the dev evaluations")
    args = parser.parse_args(argv)

    runs = read_runs(args.paths)
    if not runs:
        print("no run files found in " + " ".join(args.paths), file=sys.stderr)
        return 1
    names = labels(runs)
    if len(runs) == 1:
        title = args.title or title_of(runs[0])
    else:
        models = sorted({r.model_name for r in runs})
        title = args.title or f"{len(runs)} runs — " + ", ".join(models)
    draw(runs, names, args.output, title, not args.no_dev)
    written = [args.output]
    if args.per_run:
        os.makedirs(args.per_run, exist_ok=True)
        for run, name in zip(runs, names):
            path = os.path.join(args.per_run, os.path.splitext(os.path.basename(run.path))[0] + ".png")
            draw([run], [name], path, title_of(run), not args.no_dev)
            written.append(path)
    print("wrote " + ", ".join(written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
