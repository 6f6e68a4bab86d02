#!/usr/bin/python3
"""h5py reads a run file while record_swmr_writer keeps it open in SWMR-write mode.

Usage: swmr_h5py_reader.py <record_swmr_writer> <work dir>. Exit 77 (skipped) without h5py.
"""
import math
import os
import shutil
import subprocess
import sys
import time

try:
    import h5py
    import numpy as np
except ImportError:
    print("h5py not installed (package python3-h5py): skipped")
    sys.exit(77)


def wait_for(path, writer, seconds=60):
    deadline = time.time() + seconds
    while not os.path.exists(path):
        if writer.poll() is not None:
            sys.exit(f"writer exited early with {writer.returncode}")
        if time.time() > deadline:
            sys.exit(f"timed out waiting for {path}")
        time.sleep(0.01)


def touch(path):
    with open(path, "w") as f:
        f.write("1")


def refresh_all(f):
    """SWMR readers see new rows only after refreshing each dataset."""
    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            obj.refresh()
    f.visititems(visit)


def main():
    writer_exe, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    path = os.path.join(work, "run.h5")
    writer = subprocess.Popen([writer_exe, path, work])
    try:
        wait_for(os.path.join(work, "written2"), writer)
        f = h5py.File(path, "r", swmr=True)
        assert f.attrs["format"] == "greater-dist run file", f.attrs["format"]
        assert f.attrs["format_version"] == 1
        assert f.attrs["status"] == b"running", f.attrs["status"]
        assert f.attrs["seed"] == 42 and f.attrs["world_size"] == 2
        assert f.attrs["note"] == "written by record_swmr_writer"
        assert f.attrs["job_config"].startswith("[job]")
        assert f.attrs["limit_max_prompt_tokens"] == 8

        it = f["iterations"]
        n = int(it["count"][()])
        assert n == 2, n
        assert list(it["step"][:n]) == [0, 1]
        ids = it["prompt_ids"][:n]
        assert ids.shape == (2, 8) and ids.dtype == np.int32
        assert list(ids[0]) == [10, 11, 12, -1, -1, -1, -1, -1], ids[0]
        assert list(it["prompt_ids_length"][:n]) == [3, 3]
        grads = it["candidate_gradients"][0]
        assert list(grads[:2]) == [-0.5, 0.25] and all(math.isnan(g) for g in grads[2:]), grads
        assert it["prompt"][1].decode("utf-8") == "Think step by step é 1"
        stages = list(it["stage_seconds"].attrs["stage_names"])
        assert stages[:4] == ["chains", "propose", "gradient", "select"], stages
        assert it["stage_seconds"].shape[1] == len(stages)
        assert list(it["stage_seconds"][0]) == [1.0 + k for k in range(len(stages))]
        assert int(f["evaluations/count"][()]) == 0
        touch(os.path.join(work, "read2"))

        # The writer appends while this handle stays open; refresh and see the new rows.
        wait_for(os.path.join(work, "written3"), writer)
        refresh_all(f)
        n = int(it["count"][()])
        assert n == 3, n
        assert list(it["step"][:n]) == [0, 1, 2]
        assert list(it["tokens_generated"][:n]) == [0, 100, 200]
        ev = f["evaluations"]
        m = int(ev["count"][()])
        assert m == 1, m
        assert ev["split"][0] == b"dev"
        begin, count = int(ev["chain_begin"][0]), int(ev["chain_count"][0])
        assert (begin, count) == (0, 2)
        chains = ev["chains"]
        assert [c.decode() for c in chains["chain"][begin:begin + count]] == [
            "first chain", "second chain"]
        correct = chains["correct"][begin:begin + count]
        assert correct.dtype == np.bool_ and list(correct) == [True, False], correct
        assert list(chains["example_index"][begin:begin + count]) == [0, 7]
        touch(os.path.join(work, "read3"))

        rc = writer.wait(timeout=60)
        assert rc == 0, f"writer exited with {rc}"
        f.close()
        with h5py.File(path, "r") as g:  # a cleanly closed file opens without SWMR
            assert g.attrs["status"] == b"finished", g.attrs["status"]
            assert g.attrs["status_message"] == b"done"
            assert int(g["iterations/count"][()]) == 3
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    print("h5py SWMR reader: ok")


if __name__ == "__main__":
    main()
