#!/usr/bin/env python3
"""The body of scripts/bench (which builds everything, then runs this): runs every configuration
of the benchmark family several times and prints one table of medians.

The family (models/bench/, see docs/BENCHMARKS.md):
  claims_fix   N migrations claim capacity on H hosts with a compare-and-set    (expect ok)
  claims_bug   the same, checking and claiming in two steps: overcommit         (expect model_error)
  independent  N workers on their own variables, one shared counter            (expect ok)
  independent_unrolled  the same with its loop written out                      (expect ok)
Each size is generated from the model file in models/bench/ by replacing its `const N = ...` and
`const H = ...` lines, and from the Promela file in scripts/bench.d/spin/ by replacing its
`#define N` and `#define H` lines. The two largest claims_fix sizes, N=6 H=3 and N=8 H=3, are
measured with migcheck's symmetric configurations only (--threads 1 and 2, --compact): nothing else
can take them.

Configurations, each run --runs times (fewer when the runs so far took --budget seconds, once when
a run times out after --timeout seconds; the table's `runs` column says how many):
  migcheck --reference, --threads 1 (the default explorer, with partial-order and symmetry
  reduction), --threads 2, --no-symmetry --threads 1 and 2 (partial-order reduction alone),
  --compact --threads 1, --no-reduction --threads 1 (a flag migcheck rejects, exit 2, is `n/a`);
  SPIN: pan compiled with gcc -O2 -DSAFETY, with partial-order reduction (the default) and with
  -DNOREDUCE; loom (exhaustive up to a preemption bound); shuttle (random schedules).
"""

import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

# (case, model file, Promela file, sizes as (N, H or None), expected verdict)
FAMILY = [
    ("claims_fix", "claims_fix.mig", "claims.pml", [(3, 2), (4, 2), (5, 1), (4, 3), (6, 3, "sym"),
                                                      (8, 3, "sym")],
     "ok"),
    ("claims_bug", "claims_bug.mig", "claims.pml", [(3, 2), (4, 2), (5, 1), (4, 3)], "violation"),
    ("independent", "independent.mig", "independent.pml", [(4, None), (6, None), (7, None)], "ok"),
    ("independent_unrolled", "independent_unrolled.mig", "independent_unrolled.pml",
     [(4, None), (6, None), (7, None)], "ok"),
]
# A size marked "sym" is one only migcheck with symmetry reduction can take: SPIN, loom, shuttle,
# the reference explorer and the runs without symmetry would need tens of GB or hours there, so
# only the symmetric configurations run (the largest sizes, for the thread speedup).
# The cases the Rust crate (loom, shuttle) implements: the unrolled loop is the same sequence of
# atomic operations as `independent`, so it is not repeated there.
RS_CASES = ("claims_fix", "claims_bug", "independent")
QUICK_SIZES = {"claims_fix": [(3, 2)], "claims_bug": [(3, 2)], "independent": [(4, None)],
               "independent_unrolled": [(4, None)]}

MIGCHECK_CONFIGS = [
    ("migcheck --reference", ["--reference"], False),
    ("migcheck --threads 1", ["--threads", "1"], True),
    ("migcheck --threads 2", ["--threads", "2"], True),
    ("migcheck --no-symmetry --threads 1", ["--no-symmetry", "--threads", "1"], True),
    ("migcheck --no-symmetry --threads 2", ["--no-symmetry", "--threads", "2"], True),
    ("migcheck --compact --threads 1", ["--compact", "--threads", "1"], True),
    ("migcheck --no-reduction --threads 1", ["--no-reduction", "--threads", "1"], False),
]


LOADS = []  # the 1-minute load average before each run


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def measure(cmd, cwd, timeout):
    """Runs cmd under /usr/bin/time and `timeout`: (exit code, stdout, stderr, wall seconds,
    max RSS in KiB, timed out)."""
    LOADS.append(os.getloadavg()[0])
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = ["/usr/bin/time", "-f", "%e %M", "-o", tf.name,
                "timeout", "--signal=KILL", str(timeout)] + cmd
        t0 = time.perf_counter()
        p = subprocess.run(full, cwd=cwd, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        rss = None
        for line in tf.read().splitlines():
            m = re.match(r"^([\d.]+) (\d+)$", line.strip())
            if m:
                rss = int(m.group(2))
    timed_out = p.returncode in (124, 137, -9)
    return p.returncode, p.stdout, p.stderr, wall, rss, timed_out


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


class Config:
    """One configuration of one size: its runs so far, and whether to run it again."""

    def __init__(self, name, one):
        self.name, self.one, self.runs, self.spent, self.stopped = name, one, [], 0.0, False

    def step(self, budget):
        """Runs it once more (a calibration run, for which one() returns None, does not count);
        stops it once its runs took `budget` seconds in all, or a run timed out or was refused."""
        r = None
        while r is None:
            r = self.one()
        self.runs.append(r)
        self.spent += r.get("wall") or 0
        if r.get("status") in ("timeout", "n/a", "error") or self.spent >= budget:
            self.stopped = True


def run_rounds(configs, runs, budget):
    """Round-robin: round k runs every configuration that is not stopped once, in order, so that
    the noise of a shared machine falls on all of them alike rather than on one."""
    for k in range(runs):
        for c in configs:
            if not c.stopped:
                log(f"    round {k + 1}: {c.name}")
                c.step(budget)


# ---------------------------------------------------------------------------------------------
# migcheck


def gen_mig(src, n, h, dest):
    text = src.read_text()
    text, k = re.subn(r"(?m)^const N = \d+", f"const N = {n}", text)
    assert k == 1, f"{src}: no `const N = ...` line"
    if h is not None:
        text, k = re.subn(r"(?m)^const H = \d+", f"const H = {h}", text)
        assert k == 1, f"{src}: no `const H = ...` line"
    dest.write_text(text)


def run_migcheck(binary, flags, model, timeout):
    rc, out, err, wall, rss, to = measure(
        [str(binary), "check", "--format", "json"] + flags + [str(model)], ROOT, timeout)
    if to:
        return {"status": "timeout", "wall": wall, "rss": rss}
    if rc == 2:
        return {"status": "n/a", "wall": wall, "rss": rss, "why": "migcheck rejects the flag (exit 2)"}
    try:
        res = json.loads(out)["results"][0]
    except (ValueError, KeyError, IndexError):
        return {"status": "error", "wall": wall, "rss": rss, "why": f"exit {rc}: {err.strip()[:200]}"}
    st = res.get("stats", {})
    r = {"status": "done", "wall": wall, "rss": rss, "states": st.get("states"),
         "transitions": st.get("transitions"), "search": st.get("seconds"),
         "bytes": st.get("store_bytes"), "verdict": res.get("verdict")}
    if res.get("verdict") == "violation":
        v = res["violation"]
        r["detail"] = f"{v['kind']}, {v['length']} steps"
    if "collision_probability" in st:
        r["collision"] = st["collision_probability"]
    return r


# ---------------------------------------------------------------------------------------------
# SPIN


def spin_build(pml, n, h, bug, noreduce, workdir):
    """Generates the Promela for the size, runs spin -a and gcc; returns (pan path, seconds)."""
    text = pml.read_text()
    text, k = re.subn(r"(?m)^#define N \d+", f"#define N {n}", text)
    assert k == 1, f"{pml}: no `#define N` line"
    if h is not None:
        text, k = re.subn(r"(?m)^#define H \d+", f"#define H {h}", text)
        assert k == 1, f"{pml}: no `#define H` line"
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "model.pml").write_text(text)
    t0 = time.perf_counter()
    spin = ["spin"] + (["-DBUG"] if bug else []) + ["-a", "model.pml"]
    subprocess.run(spin, cwd=workdir, check=True, capture_output=True)
    cflags = ["-O2", "-DSAFETY"] + (["-DNOREDUCE"] if noreduce else [])
    subprocess.run(["gcc"] + cflags + ["-o", "pan", "pan.c"], cwd=workdir, check=True,
                   capture_output=True)
    return workdir / "pan", time.perf_counter() - t0


def num(s):
    return float(s) if s is not None else None


def parse_pan(out):
    def grab(pat):
        m = re.search(pat, out, re.M)
        return m.group(1) if m else None
    r = {
        "states": num(grab(r"^\s*([\d.e+]+) states, stored")),
        "transitions": num(grab(r"^\s*([\d.e+]+) transitions \(= stored\+matched\)")),
        "search": num(grab(r"^pan: elapsed time ([\d.e+]+) seconds")),
        "mem_states": num(grab(r"^\s*([\d.]+)\s+actual memory usage for states")),
        "mem_hash": num(grab(r"^\s*([\d.]+)\s+memory used for hash table")),
        "errors": grab(r"errors: (\d+)"),
        "depth_warning": "max search depth too small" in out,
    }
    if r["mem_states"] is None:  # pan prints only the `equivalent` line when it did not compress
        r["mem_states"] = num(grab(r"^\s*([\d.]+)\s+equivalent memory usage for states"))
    m = re.search(r"^pan:1: (.*?) \(at depth (\d+)\)", out, re.M)
    if m:
        r["error"] = m.group(1)
        r["error_depth"] = int(m.group(2))
    return r


def run_pan(pan, w, timeout):
    rc, out, err, wall, rss, to = measure([str(pan), "-m100000", f"-w{w}"], pan.parent, timeout)
    if to:
        return {"status": "timeout", "wall": wall, "rss": rss}
    p = parse_pan(out)
    if p["states"] is None:
        return {"status": "error", "wall": wall, "rss": rss, "why": (out + err)[-300:]}
    r = {"status": "done", "wall": wall, "rss": rss, "states": p["states"],
         "transitions": p["transitions"], "search": p["search"], "w": w,
         "verdict": "violation" if p.get("error") else "ok"}
    if p["mem_states"] is not None and p["mem_hash"] is not None and p["states"]:
        r["bytes"] = (p["mem_states"] + p["mem_hash"]) * 1048576
    if p.get("error"):
        kind = "assertion" if "assertion violated" in p["error"] else p["error"]
        r["detail"] = f"{kind}, depth {p['error_depth']}"
    if p["depth_warning"]:
        r["detail"] = (r.get("detail", "") + " (search depth too small!)").strip()
    return r


def ideal_w(states):
    """pan's hash table: 2^w slots; w = ceil(log2(states)), between 18 and 28 (2 GB)."""
    return min(28, max(18, math.ceil(math.log2(max(states, 2)))))


def spin_one(pan, timeout, estimate):
    """One run of pan at a time, with its hash table sized to the state space: the first run uses
    the `estimate` of the states stored; when it stores so many more or fewer that the best -w
    differs by more than one, it was a calibration run (not counted: returns None) and the
    counted runs use the best -w."""
    state = {"w": None}

    def one():
        if state["w"] is None:
            state["w"] = ideal_w(estimate())
            r = run_pan(pan, state["w"], timeout)
            if r["status"] == "done" and abs(ideal_w(r["states"]) - state["w"]) > 1:
                state["w"] = ideal_w(r["states"])
                log(f"      (calibration run: {int(r['states'])} states, now -w{state['w']})")
                return None
            return r
        return run_pan(pan, state["w"], timeout)

    return one


# ---------------------------------------------------------------------------------------------
# loom and shuttle


def run_rs(binary, tool, case, n, h, extra, timeout):
    args = [str(binary), tool, case, str(n)] + ([str(h)] if h is not None else []) + extra
    rc, out, err, wall, rss, to = measure(args, ROOT, timeout)
    if to:
        return {"status": "timeout", "wall": wall, "rss": rss}
    try:
        j = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"status": "error", "wall": wall, "rss": rss, "why": f"exit {rc}: {err.strip()[-200:]}"}
    if j["verdict"] == "n/a":
        return {"status": "n/a", "wall": wall, "rss": rss, "why": j.get("reason", "")}
    r = {"status": "done", "wall": wall, "rss": rss, "verdict": j["verdict"],
         "executions": j["executions"], "search": j["seconds"]}
    if j["verdict"] == "violation":
        r["detail"] = f"panic in execution {j['executions']}"
    else:
        r["detail"] = f"{j['executions']:,} executions"
    return r


# ---------------------------------------------------------------------------------------------
# the table


def summarise(runs):
    """The median record of a configuration's runs."""
    if not runs:
        return {"status": "skipped", "runs": 0}
    done = [r for r in runs if r["status"] == "done"]
    if not done:
        return {"status": runs[-1]["status"], "runs": len(runs), "wall": runs[-1].get("wall"),
                "why": runs[-1].get("why", "")}
    s = {"status": "done", "runs": len(done)}
    for k in ("wall", "rss", "search", "states", "transitions", "bytes", "executions", "collision"):
        s[k] = median([r.get(k) for r in done])
    for k in ("verdict", "detail", "w"):
        s[k] = done[-1].get(k)
    s["verdicts"] = sorted({r.get("verdict") for r in done})
    if s["states"] and s["search"]:
        s["rate"] = s["states"] / s["search"]
    if s["states"] and s.get("bytes"):
        s["bps"] = s["bytes"] / s["states"]
    return s


def fmt_int(x):
    return "-" if x is None else f"{int(round(x)):,}"


def fmt_rate(x):
    if x is None:
        return "-"
    if x >= 1e6:
        return f"{x / 1e6:.2f} M"
    if x >= 1e3:
        return f"{x / 1e3:.0f} k"
    return f"{x:.0f}"


def fmt_s(x):
    if x is None:
        return "-"
    if x >= 10:
        return f"{x:.1f}"
    if x >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def fmt_ratio(x):
    if x is None:
        return "-"
    return f"{x:.2f}×" if x < 10 else f"{x:.0f}×"


def row_cells(case, size, config, s, expected, spin_ref):
    status = s["status"]
    if status != "done":
        why = {"n/a": "n/a", "timeout": "timeout", "skipped": "skipped", "error": "error"}[status]
        if status == "timeout":
            why = f"timeout (> {fmt_s(s.get('wall'))} s)"
        elif s.get("why"):
            why += f": {s['why'][:70]}"
        blank = "-" if spin_ref is not None else ""
        return [case, size, config, str(s["runs"]), why] + ["-"] * 6 + [blank] * 2
    verdict = s["verdict"]
    mark = "" if verdict == expected and len(s["verdicts"]) == 1 else " **(unexpected)**"
    text = verdict + (f": {s['detail']}" if s.get("detail") else "") + mark
    if config.startswith("SPIN") and s.get("w"):
        config += f" -w{s['w']}"
    t_ratio = r_ratio = None
    if spin_ref and spin_ref.get("status") == "done":
        if s.get("wall"):
            t_ratio = spin_ref["wall"] / s["wall"]
        if s.get("rate") and spin_ref.get("rate"):
            r_ratio = s["rate"] / spin_ref["rate"]
    t_text = fmt_ratio(t_ratio)
    if spin_ref and spin_ref.get("status") == "timeout" and s.get("wall"):
        t_text = f"> {fmt_ratio(spin_ref['wall'] / s['wall'])}"
    if not spin_ref:
        t_text = r_text = ""
    else:
        r_text = fmt_ratio(r_ratio)
    rss = s.get("rss")
    return [case, size, config, str(s["runs"]), text, fmt_int(s.get("states")),
            fmt_int(s.get("transitions")), fmt_rate(s.get("rate")),
            "-" if s.get("bps") is None else f"{s['bps']:.1f}",
            "-" if rss is None else f"{rss / 1024:.0f}", fmt_s(s.get("wall")), t_text, r_text]


def derive(case, size, results):
    def get(name, key):
        r = results.get(name) or {}
        return r.get(key) if r.get("status") == "done" else None

    t1, t2 = get("migcheck --threads 1", "wall"), get("migcheck --threads 2", "wall")
    p1 = get("migcheck --no-symmetry --threads 1", "wall")
    p2 = get("migcheck --no-symmetry --threads 2", "wall")
    sp = get("migcheck --no-symmetry --threads 1", "states")
    s1, s0 = get("migcheck --threads 1", "states"), get("migcheck --no-reduction --threads 1", "states")
    t0 = get("migcheck --no-reduction --threads 1", "wall")
    bps = get("migcheck --compact --threads 1", "bps")
    spin = get("SPIN (POR)", "wall")
    build = (results.get("SPIN (POR)") or {}).get("build")
    parts = [f"- {case} {size}:"]
    parts.append(f"threads 1 → 2 {fmt_ratio(t1 / t2)}" if t1 and t2 else "threads 1 → 2 -")
    parts.append(f"without symmetry threads 1 → 2 {fmt_ratio(p1 / p2)}" if p1 and p2
                 else "without symmetry threads 1 → 2 -")
    if sp and s1:
        parts.append(f"symmetry {fmt_ratio(sp / s1)} states, {fmt_ratio(p1 / t1)} time")
    if s0 and s1:
        parts.append(f"reduction {fmt_ratio(s0 / s1)} states, {fmt_ratio(t0 / t1)} time")
    else:
        parts.append("reduction n/a")
    parts.append(f"compact {bps:.1f} B/state" if bps else "compact n/a")
    if spin and build and t1:
        parts.append(f"SPIN (POR) with its build {fmt_s(spin + build)} s = {fmt_ratio((spin + build) / t1)} "
                     "migcheck --threads 1's time")
    return " ".join([parts[0], "; ".join(parts[1:])])


HEADER = ["model", "size", "configuration", "runs", "verdict", "states", "transitions",
          "states/s", "bytes/state", "max RSS MB", "time s", "SPIN time ÷ time",
          "states/s ÷ SPIN's"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--budget", type=float, default=60.0)
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default="")
    ap.add_argument("--migcheck", required=True)
    ap.add_argument("--rs", default="")
    ap.add_argument("--spin", action="store_true")
    ap.add_argument("--loom-bound", type=int, default=3)
    ap.add_argument("--shuttle-iterations", type=int, default=10000)
    ap.add_argument("--work", required=True)
    ap.add_argument("--json", default="")
    a = ap.parse_args()

    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    migcheck = Path(a.migcheck)
    rs = Path(a.rs) if a.rs else None
    rows, raw, builds, derived = [], [], [], []
    t_start = time.time()
    for case, mig, pml, sizes, expected in FAMILY:
        if a.only and a.only not in case:
            continue
        for n, h, *only in (QUICK_SIZES[case] if a.quick else sizes):
            symmetric_only = only == ["sym"]
            size = f"N={n}" + (f" H={h}" if h is not None else "")
            tag = f"{case}_N{n}" + (f"_H{h}" if h is not None else "")
            model = work / "models" / f"{tag}.mig"
            model.parent.mkdir(parents=True, exist_ok=True)
            gen_mig(ROOT / "models/bench" / mig, n, h, model)
            log(f"  {tag}")
            configs = []
            for name, flags, _ in MIGCHECK_CONFIGS:
                if symmetric_only and set(flags) & {"--reference", "--no-symmetry", "--no-reduction"}:
                    continue
                configs.append(Config(name, lambda flags=flags: run_migcheck(
                    migcheck, flags, model, a.timeout)))
            first = {c.name: c for c in configs}

            def estimate():
                # pan's hash table is sized from an estimate of its states: SPIN's finer steps
                # store up to ~16 times migcheck's unreduced count on this family.
                for name in ("migcheck --no-reduction --threads 1", "migcheck --reference"):
                    done = [r for r in first[name].runs if r.get("states")]
                    if done:
                        return 16 * done[0]["states"]
                return 2 ** 20

            spin_names, rs_names, failed, build_secs = [], [], {}, {}
            if a.spin and not symmetric_only:
                for name, noreduce in (("SPIN (POR)", False), ("SPIN -DNOREDUCE", True)):
                    spin_names.append(name)
                    try:
                        pan, secs = spin_build(ROOT / "scripts/bench.d/spin" / pml, n, h,
                                               case == "claims_bug", noreduce,
                                               work / "spin" / (tag + ("_noreduce" if noreduce else "")))
                        builds.append(secs)
                        build_secs[name] = secs
                        configs.append(Config(name, spin_one(pan, a.timeout, estimate)))
                    except subprocess.CalledProcessError as e:
                        failed[name] = {"status": "error", "runs": 0,
                                        "why": (e.stderr or b"").decode()[-200:]}
            if rs and case in RS_CASES and not symmetric_only:
                for name, tool, extra in (
                        (f"loom (preemption bound {a.loom_bound})", "loom",
                         ["--preemption-bound", str(a.loom_bound)]),
                        (f"shuttle check_random ({a.shuttle_iterations} iterations)", "shuttle-random",
                         ["--iterations", str(a.shuttle_iterations)])):
                    rs_names.append(name)
                    configs.append(Config(name, lambda tool=tool, extra=extra: run_rs(
                        rs, tool, case, n, h, extra, a.timeout)))

            run_rounds(configs, a.runs, a.budget)
            results = dict(failed)
            for name, _, _ in MIGCHECK_CONFIGS:
                results[name] = {"status": "skipped", "runs": 0}
            for c in configs:
                results[c.name] = summarise(c.runs)
            for name, secs in build_secs.items():
                results[name]["build"] = secs

            for name, _, reduced in MIGCHECK_CONFIGS:
                ref = None
                if a.spin and not symmetric_only:
                    ref = results["SPIN (POR)" if reduced else "SPIN -DNOREDUCE"]
                rows.append(row_cells(case, size, name, results[name], expected, ref))
            for name in spin_names + rs_names:
                rows.append(row_cells(case, size, name, results[name], expected, None))
            raw.append({"case": case, "n": n, "h": h, "results": results})
            derived.append(derive(case, size, results))

    widths = [max(len(HEADER[i]), *(len(r[i]) for r in rows)) if rows else len(HEADER[i])
              for i in range(len(HEADER))]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
    print(line(HEADER))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))
    print()
    print(f"Medians of up to {a.runs} runs per configuration (the `runs` column: fewer once the "
          f"runs took {a.budget:.0f} s in all; one when a run timed out after {a.timeout:.0f} s).")
    print("time s: wall time of the process, to the verdict (ok) or to the first counterexample "
          "(violation); for SPIN, of ./pan only.")
    if builds:
        print(f"SPIN's spin -a + gcc -O2, not counted in its time: median {fmt_s(median(builds))} s "
              f"per model (min {fmt_s(min(builds))}, max {fmt_s(max(builds))}).")
    if a.spin:
        print("Ratios: each migcheck row against SPIN with the same kind of search: rows with "
              "reduction (--threads, --no-symmetry, --compact) against SPIN's default (POR), rows without "
              "(--reference, --no-reduction) against SPIN -DNOREDUCE. > 1 is migcheck's advantage.")
    if LOADS:
        print(f"Load average (1 min) before each run: median {median(LOADS):.2f}, max {max(LOADS):.2f} "
              f"({os.cpu_count()} cores).")
    print(f"scripts/bench took {time.time() - t_start:.0f} s (runs only, builds excluded).")
    print()
    print("Derived from the medians above, per size: the speedup from --threads 1 to --threads 2, "
          "with and without symmetry reduction; the reduction (states, and time, of --no-reduction "
          "÷ --threads 1); the symmetry reduction's share (--no-symmetry ÷ --threads 1); bytes per state "
          "in --compact mode; the time to verdict against SPIN's (POR) with its build included.")
    for d in derived:
        print(d)
    if a.json:
        Path(a.json).write_text(json.dumps(raw, indent=1))


if __name__ == "__main__":
    main()
