#!/usr/bin/python3
"""table.py groups runs by their ranking setting: the ablation table's numbers (mean, sample sd,
range, iterations to the train target) on hand-made runs, without HDF5 files.
    table_ranking_test.py SOURCE_DIR        exit 77: skipped (no numpy/h5py)"""
import csv
import io
import math
import sys

try:
    import numpy as np
    sys.path.insert(0, sys.argv[1] + "/analysis")
    import table
    from runfile import Evaluation, Run
except ImportError as error:
    print(f"SKIPPED: {error}")
    sys.exit(77)


def run(path, ranking, seed, train_accuracy, initial, final):
    r = Run(path)
    r.attrs = {"status": "finished", "model": "models/demo-reasoner",
               "task": "models/demo-reasoner/tasks/arithmetic.jsonl"}
    r.config = {"seed": seed, "iterations": len(train_accuracy),
                "task": "models/demo-reasoner/tasks/arithmetic.jsonl"}
    if ranking is not None:
        r.config["ranking"] = ranking
    r.iterations = {"train_accuracy": np.array(train_accuracy, dtype=float)}
    r.iteration_count = len(train_accuracy)
    r.evaluations = [Evaluation(0, -1, "test", "p0", initial, initial, 300, 0, 0),
                     Evaluation(1, len(train_accuracy) - 1, "test", "p1", final, final, 300, 0, 0)]
    return r


runs = [
    run("g1.h5", "gradient", 1, [0.2, 0.9, 1.0], 0.3, 1.0),
    run("g2.h5", None, 2, [0.2, 0.5, 0.86], 0.3, 0.9),   # written before the setting: gradient
    run("r1.h5", "random", 1, [0.2, 0.3, 0.4], 0.3, 0.4),
    run("r2.h5", "random", 2, [0.2, 0.85, 0.9], 0.3, 0.8),
]
assert table.iterations_to(runs[0], 0.85) == 2
assert table.iterations_to(runs[1], 0.85) == 3
assert table.iterations_to(runs[2], 0.85) is None
assert table.iterations_to(runs[3], 0.85) == 2  # exactly at the target counts

results = [table.result_of(r, "test") for r in runs]
for r in results:
    r["base_task"] = r["task"]
table.disambiguate(results)
assert [r["ranking"] for r in results] == ["gradient", "gradient", "random", "random"]
text = table.markdown(results, "test")
lines = {line.split(" | ")[2]: line for line in text.splitlines()
         if line.startswith("| arithmetic | demo-reasoner |")}
assert set(lines) == {"gradient", "random"}, text
g, r = lines["gradient"], lines["random"]
# gradient: finals 100, 90 -> mean 95.0, sd 7.1; iterations 2 and 3 -> 2.5
assert "| 2 | 95.0 ± 7.1 | 90.0 – 100.0 | 2.5 (2/2 reached) |" in g, g
assert "seed 1: 100.0, it 2; seed 2: 90.0, it 3" in g, g
# random: finals 40, 80 -> mean 60.0, sd 28.3; one run reached the target at 2
assert "| 2 | 60.0 ± 28.3 | 40.0 – 80.0 | 2.0 (1/2 reached) |" in r, r
assert "seed 1: 40.0, it –" in r, r

# The CSV carries ranking, seed and the iterations to the target.
stream = io.StringIO()
table.write_csv(results, stream)
rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
assert [(x["ranking"], x["seed"], x["iterations_to_train_target"]) for x in rows] == [
    ("gradient", "1", "2"), ("gradient", "2", "3"), ("random", "1", ""), ("random", "2", "2")], rows

# One run per ranking-less task: no ranking table (the per-task table alone, as before).
single = [table.result_of(runs[0], "test")]
single[0]["base_task"] = single[0]["task"]
assert "By ranking" not in table.markdown(single, "test")
print("table.py ranking groups: ok")
