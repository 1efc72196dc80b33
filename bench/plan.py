#!/usr/bin/env python3
"""No-op plan benchmark: how long `apigwctl plan` takes to say "No changes.", cold.

Usage (from the repo root, with the project venv):
    .venv/bin/python bench/plan.py [--runs 7] [--quick] [--wait-quiet 300] [--source DIR]

Each scenario copies specs/petstore to a temporary folder, sets it up untimed (one
`apigwctl apply --auto-approve`), runs one warm-up `apigwctl plan --detailed-exitcode` (OS
page cache, apigwctl's spec cache) and then N timed cold processes of it: median wall clock,
median CPU time (user + system), peak RSS (GNU time) and the read calls the plan made (from
its stderr line `read the live state of petstore: N API calls`). Scenarios:

- emulator: the embedded emulator (the deployment file's target), after one apply;
- endpoint: `--endpoint-url` against `apigwctl emulator serve` (started here on a free port
  with its own --state-dir, applied to once through the endpoint, stopped at the end);
- absent: the embedded emulator before anything was applied (exit 2, one read call).

Targets, on the emulator scenario: median wall <= 1.0 s and at most 10 read calls. The
tables go into docs/benchmarks.md between this script's BEGIN/END markers (--quick: into
bench/out/benchmarks-quick.md) and to stdout; raw samples to bench/out/plan-results.json,
every process's output to bench/out/logs/plan.*.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from validate import (
    BUSY,
    LOGS,
    OUT,
    REPO,
    TIME,
    _kill_session,
    cpu_seconds,
    find_apigwctl,
    git_describe,
    measure_process,
    other_cpu,
    read_log,
    row,
    source_digest,
    wait_quiet,
)

SNAPSHOT = OUT / "plan-snapshot"  # not validate.py's: the two may run at the same time
DOC = REPO / "docs" / "benchmarks.md"
PETSTORE = REPO / "specs" / "petstore"
BEGIN = "<!-- BEGIN bench/plan.py output -->"
END = "<!-- END bench/plan.py output -->"
SECTION = "## plan"
INTRO = """\
How long `apigwctl plan` takes to find that nothing changed, as a fresh process, and how many
read calls it makes. Reproduce with `.venv/bin/python bench/plan.py` (the script's docstring
describes it; `--quick` for a smoke test).

Targets, for a no-op plan of `specs/petstore` on the embedded emulator: median wall clock at
most **1.0 s**, at most **10** read calls.

- **Scenarios.** Each copies `specs/petstore` to a temporary folder and sets it up untimed
  with one `apigwctl apply --auto-approve`. *embedded emulator*: the deployment file's
  target. *`--endpoint-url`*: `apigwctl emulator serve` started on a free port with its own
  state dir, applied to once through the endpoint, stopped at the end. *before the API
  exists*: no apply; the plan creates everything (exit 2 with `--detailed-exitcode`).
- **Timing.** One warm-up run (OS page cache; apigwctl's spec cache, on as by default), then
  N timed processes: median wall clock around the process, median CPU time (user + system,
  from the children's rusage: on a shared machine the less disturbed figure), peak RSS =
  max over the runs of GNU `time`'s maximum resident set size. The read calls are parsed from
  the plan's stderr line `read the live state of petstore: N API calls`. With
  `--endpoint-url` the emulator answers from another process: its CPU time is in the wall
  clock, not in the CPU column.
- **apigwctl build.** As for `bench/validate.py`: a byte-compiled copy of `src/apigwctl`
  taken at the start (`--source DIR` measures another copy, e.g. an older version), run
  with fake AWS credentials and no AWS config files, so the user's AWS setup plays no part.
"""
TARGET_WALL = 1.0
TARGET_CALLS = 10
CALLS = re.compile(r"read the live state of \S+: (\d+) API calls?")
NO_CHANGES = "No changes."
PLAN = ("plan", "--detailed-exitcode")
# The AWS SDK's configuration must not leak in: the endpoint scenario signs with these.
AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
DROPPED_ENV = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL",
               "AWS_ENDPOINT_URL_API_GATEWAY", "APIGWCTL_TARGET", "APIGWCTL_NO_CACHE")


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    extra: tuple[str, ...]  # arguments after `plan --detailed-exitcode`
    rc: int  # the exit code a correct run gives
    no_changes: bool  # whether stdout must say "No changes."


@dataclass
class Sample:
    wall: float
    cpu: float  # user + system seconds of the process (and GNU time's own, ~1 ms)
    rss_kb: int | None
    rc: int
    calls: int | None
    no_changes: bool


@dataclass
class Measurement:
    scenario: str
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None
    others: float = 0.0  # CPUs' worth of other processes' work during the timed runs
    command: str = ""

    @property
    def wall(self) -> float | None:
        return statistics.median(s.wall for s in self.samples) if self.samples else None

    @property
    def cpu(self) -> float | None:
        return statistics.median(s.cpu for s in self.samples) if self.samples else None

    @property
    def rss_mb(self) -> float | None:
        rss = [s.rss_kb for s in self.samples if s.rss_kb is not None]
        return max(rss) / 1024 if rss else None

    @property
    def calls(self) -> set[int | None]:
        return {s.calls for s in self.samples}


# ---------------------------------------------------------------- running processes


def run_once(argv: Sequence[str], env: dict[str, str], cwd: Path, log: Path,
             timeout: float) -> Sample:
    """One process (bench/validate.py's measure) and what its output says: the read calls
    on stderr, "No changes." on stdout."""
    proc = measure_process(argv, env, cwd, log, timeout)
    found = CALLS.search(read_log(log, ".err"))
    return Sample(proc.wall, proc.cpu, proc.rss_kb, proc.rc,
                  int(found[1]) if found else None, NO_CHANGES in read_log(log, ".out"))


def process_cpu(pid: int | None) -> float:
    """CPU seconds a running process has used (0 without one, or once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def capture(argv: Sequence[str], env: dict[str, str], cwd: Path, timeout: float = 300,
            stdin: str | None = None) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of a process that is not being timed."""
    try:
        p = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd,
                           timeout=timeout, check=False, input=stdin)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return -1, "", str(exc)
    return p.returncode, p.stdout, p.stderr


def last_line(text: str) -> str:
    """The last non-empty line (of an error output: usually the error)."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:160] if lines else ""


def measure(scenario: Scenario, argv: list[str], *, env: dict[str, str], cwd: Path,
            runs: int, timeout: float, server: int | None = None) -> Measurement:
    """One warm-up run, then ``runs`` timed cold processes. ``server``: the pid of the
    served emulator, whose CPU time is ours, not other work on the machine."""
    result = Measurement(scenario.key, command=" ".join(["apigwctl", *argv[1:]]))
    log = LOGS / f"plan.{scenario.key}"
    try:
        warm_up = run_once(argv, env, cwd, log, timeout)
        if warm_up.rc != scenario.rc:
            result.error = (f"warm-up exit {warm_up.rc}, expected {scenario.rc}: "
                            f"{last_line(read_log(log, '.err'))}")
            return result
        timed = LOGS / f"plan.{scenario.key}.timed"
        before, start, served = cpu_seconds(), time.perf_counter(), process_cpu(server)
        for _ in range(runs):
            result.samples.append(run_once(argv, env, cwd, timed, timeout))
            if result.samples[-1].rc != scenario.rc and result.error is None:
                result.error = (f"exit {result.samples[-1].rc}: "
                                f"{last_line(read_log(timed, '.err'))}")
        served = process_cpu(server) - served
        result.others = max(0.0, other_cpu(before, cpu_seconds()) - served) / (
            time.perf_counter() - start)
    except subprocess.TimeoutExpired:
        result.error = f"timed out after {timeout:.0f} s"
    except OSError as exc:
        result.error = f"could not run: {exc}"
    return result


# ---------------------------------------------------------------- the scenarios


SCENARIOS = (
    Scenario("emulator", "no-op plan, embedded emulator", (), 0, True),
    Scenario("endpoint", "no-op plan, `--endpoint-url` to `apigwctl emulator serve`",
             ("--endpoint-url", "{url}"), 0, True),
    Scenario("absent", "plan before the API exists, embedded emulator", (), 2, False),
)


def project(work: Path, name: str) -> Path:
    folder = work / name
    shutil.copytree(PETSTORE, folder, ignore=shutil.ignore_patterns(".apigwctl"))
    return folder


def apply_once(exe: Path, env: dict[str, str], cwd: Path, extra: Sequence[str]) -> str | None:
    """The untimed setup: None when the apply worked, else why it did not."""
    rc, out, err = capture([str(exe), "apply", "--auto-approve", *extra], env, cwd)
    return None if rc == 0 else f"setup apply failed (exit {rc}): {last_line(err or out)}"


@contextlib.contextmanager
def served_emulator(exe: Path, env: dict[str, str], work: Path,
                    timeout: float = 60) -> Iterator[tuple[str, int]]:
    """`apigwctl emulator serve` on a free port with its own state dir; yields its URL and
    pid."""
    log = LOGS / "plan.endpoint.server.err"
    with log.open("wb") as err:
        proc = subprocess.Popen([str(exe), "emulator", "serve", "--state-dir",
                                 str(work / "served-state"), "--port", "0"],
                                stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=work,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        url = None
        while url is None:
            found = re.search(r" on (http://\S+)", log.read_text(errors="replace"))
            url = found[1] if found else None
            if url is None and (proc.poll() is not None or time.monotonic() > deadline):
                raise RuntimeError("`apigwctl emulator serve` did not start: "
                                   + last_line(log.read_text(errors="replace")))
            time.sleep(0.05)
        yield url, proc.pid
    finally:
        proc.send_signal(signal.SIGINT)  # the server saves its state and stops
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            _kill_session(proc.pid)
            proc.wait()


def measure_all(exe: Path, env: dict[str, str], args: argparse.Namespace,
                work: Path) -> dict[str, Measurement]:
    results: dict[str, Measurement] = {}
    argv = [str(exe), *PLAN]
    for scenario in SCENARIOS:
        print(f"{scenario.key:10s} ...", end="", file=sys.stderr, flush=True)
        cwd = project(work, scenario.key)
        try:
            if scenario.key == "endpoint":
                with served_emulator(exe, env, work) as (url, pid):
                    extra = [url if a == "{url}" else a for a in scenario.extra]
                    results[scenario.key] = setup_and_measure(
                        scenario, exe, [*argv, *extra], env=env, cwd=cwd, args=args,
                        target=extra, server=pid)
            else:
                results[scenario.key] = setup_and_measure(scenario, exe, argv, env=env,
                                                          cwd=cwd, args=args, target=())
        except RuntimeError as exc:
            results[scenario.key] = Measurement(scenario.key, error=str(exc))
        print(f" {cell(results[scenario.key])}", file=sys.stderr)
    return results


def setup_and_measure(scenario: Scenario, exe: Path, argv: list[str], *,
                      env: dict[str, str], cwd: Path, args: argparse.Namespace,
                      target: Sequence[str], server: int | None = None) -> Measurement:
    """Apply once unless the scenario plans against nothing, then measure; with
    --wait-quiet, a disturbed measurement is repeated (twice at most) and the least
    disturbed kept."""
    if scenario.rc == 0:
        failed = apply_once(exe, env, cwd, target)
        if failed:
            return Measurement(scenario.key, error=failed)
    attempts: list[Measurement] = []
    while len(attempts) < (3 if args.wait_quiet else 1):
        if args.wait_quiet:
            wait_quiet(args.wait_quiet)
        attempts.append(measure(scenario, argv, env=env, cwd=cwd, runs=args.runs,
                                timeout=args.timeout, server=server))
        if attempts[-1].others <= BUSY or attempts[-1].error:
            break
    return min(attempts, key=lambda m: m.others)


# ---------------------------------------------------------------- environment


def snapshot_into(python: Path, source: Path, snapshot: Path) -> dict[str, str]:
    """Copy the apigwctl package to ``snapshot``, byte-compile it, and return the environment
    that runs apigwctl from it (see bench/validate.py's snapshot_source: figures for an
    installed package, unaffected by edits made during the run). bench/apply.py uses it too."""
    shutil.rmtree(snapshot, ignore_errors=True)
    shutil.copytree(source, snapshot / "apigwctl",
                    ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([str(python), "-m", "compileall", "-q", str(snapshot)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV} | AWS_ENV
    path = os.pathsep.join(filter(None, [str(snapshot), os.environ.get("PYTHONPATH")]))
    return env | {"PYTHONPATH": path}


@dataclass(frozen=True)
class Setup:
    """What every benchmark run starts from: the tool, its interpreter and environment (from
    a snapshot of the source), a description of the code measured, the notes so far."""

    exe: Path
    python: Path
    env: dict[str, str]
    source: Path
    digest: str
    code: str
    notes: list[str]


def set_up(args: argparse.Namespace, snapshot: Path, *, documented_runs: int,
           unit: str) -> Setup | None:
    """The shared start of bench/plan.py and bench/apply.py (None: apigwctl not found)."""
    signal.signal(signal.SIGTERM, _terminate)
    LOGS.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    if args.runs < documented_runs:
        notes.append(f"only {args.runs} timed run(s) per {unit}: a smoke test, not the "
                     f"documented method (median of >= {documented_runs})")
    if not TIME.exists():
        notes.append(f"{TIME} not found: peak RSS not measured")
    exe = find_apigwctl(args.apigwctl)
    if exe is None:
        print("apigwctl executable not found (pass --apigwctl)", file=sys.stderr)
        return None
    python = exe.parent / "python" if (exe.parent / "python").exists() else Path(sys.executable)
    source = args.source.resolve()
    env = snapshot_into(python, source, snapshot)
    digest = source_digest(snapshot / "apigwctl")
    where = git_describe() if source == (REPO / "src" / "apigwctl").resolve() else str(source)
    return Setup(exe, python, env, source, digest, f"{where}; source digest {digest}", notes)


def versions(python: Path, env: dict[str, str]) -> str:
    code = ("import apigwctl, boto3, botocore, moto\n"
            "print(apigwctl.__version__, moto.__version__, boto3.__version__, "
            "botocore.__version__)")
    rc, out, err = capture([str(python), "-c", code], env, OUT)
    if rc != 0:
        return f"unknown ({last_line(err)})"
    ours, moto, boto3, botocore = out.split()
    return f"apigwctl {ours}, moto {moto}, boto3 {boto3}, botocore {botocore}"


def machine(python: Path) -> str:
    cpu = "unknown"
    info = Path("/proc/cpuinfo")
    if info.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", info.read_text(), re.M)
        cpu = found[1] if found else cpu
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"- machine: {len(os.sched_getaffinity(0))} CPUs (nproc), {cpu}, {mem:.0f} GiB "
            f"RAM, {platform.system()} {platform.release()}; Python "
            f"{platform.python_version()} ({python})")


# ---------------------------------------------------------------- report


@dataclass
class Run:
    results: dict[str, Measurement]
    runs: int
    notes: list[str]
    load: tuple[float, float]
    started: str
    command: str
    tools: str
    code: str  # which apigwctl: commit, digest of the measured copy


def seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} s"


def cell(m: Measurement) -> str:
    if m.error and not m.samples:
        return m.error
    rss = f"{m.rss_mb:.0f} MB" if m.rss_mb is not None else "n/a"
    busy = " †" if m.others > BUSY else ""
    return f"{seconds(m.wall)} wall, {seconds(m.cpu)} CPU / {rss}{busy}"


def calls_text(m: Measurement) -> str:
    found = sorted(str(c) for c in m.calls if c is not None)
    missing = " (+ runs without the line)" if None in m.calls else ""
    return (", ".join(found) or "n/a") + missing


def exits_text(m: Measurement, scenario: Scenario) -> str:
    codes = sorted({s.rc for s in m.samples})
    text = ", ".join(map(str, codes)) or "n/a"
    wrong_output = scenario.no_changes and not all(s.no_changes for s in m.samples)
    return text + (" (stdout lacks \"No changes.\")" if wrong_output else "")


def timing_table(run: Run) -> list[str]:
    lines = [row(["scenario", "command", "exit", "read calls", "median wall",
                  "median CPU (user+sys)", "peak RSS"]), row(["---"] * 7)]
    for scenario in SCENARIOS:
        m = run.results.get(scenario.key)
        if m is None:
            continue
        if m.error and not m.samples:
            lines.append(row([scenario.label, f"`{m.command}`" if m.command else "—",
                              m.error, "", "", "", ""]))
            continue
        rss = f"{m.rss_mb:.0f} MB" if m.rss_mb is not None else "n/a"
        busy = " †" if m.others > BUSY else ""
        command = re.sub(r"http://\S+", "URL", m.command)
        lines.append(row([scenario.label, f"`{command}`", exits_text(m, scenario),
                          calls_text(m), seconds(m.wall) + busy, seconds(m.cpu), rss]))
    return lines


def target_table(run: Run) -> list[str]:
    m = run.results.get("emulator")
    if m is None or not m.samples:
        return []
    calls = [c for c in m.calls if c is not None]
    worst = max(calls) if calls else None
    wall_ok = m.wall is not None and m.wall <= TARGET_WALL
    calls_ok = worst is not None and worst <= TARGET_CALLS and None not in m.calls
    return ["Targets (no-op plan, embedded emulator):", "",
            row(["target", "measured", "result"]), row(["---"] * 3),
            row([f"median wall ≤ {TARGET_WALL:.1f} s", seconds(m.wall),
                 "PASS" if wall_ok else "FAIL"]),
            row([f"read calls ≤ {TARGET_CALLS}", str(worst) if worst is not None else "n/a",
                 "PASS" if calls_ok else "FAIL"])]


def disturbed(run: Run) -> list[str]:
    cells = [m for m in run.results.values() if m.others > BUSY]
    if not cells:
        return []
    worst = max(m.others for m in cells)
    return ["", f"† other processes used more than {BUSY:.2f} CPU (up to {worst:.2f}) during "
            "these rows' timed runs: treat their wall clock as an upper bound (CPU time is "
            "less affected)."]


def render(run: Run) -> str:
    worst = max((m.others for m in run.results.values()), default=0.0)
    errors = [f"{m.scenario}: {m.error}" for m in run.results.values()
              if m.error and m.samples]
    lines = [
        f"Measured {run.started} by `{run.command}`.", "",
        machine(Path(sys.executable)),
        f"- tools: {run.tools} ({run.code})",
        f"- other work on the machine: at most {worst:.2f} CPU during any row's timed runs; "
        f"1-minute load average {run.load[0]:.2f} before, {run.load[1]:.2f} after",
        "", f"{run.runs} timed cold processes per row after one warm-up; medians, peak RSS "
        "= max over the timed runs:", "",
        *timing_table(run), *disturbed(run), "", *target_table(run),
    ]
    notes = [*run.notes, *errors]
    if notes:
        lines += ["", "Notes:", *(f"- {n}" for n in notes)]
    return "\n".join(lines) + "\n"


def write_doc(path: Path, body: str) -> None:
    """Replace this script's block; the first time, add a `## plan` section at the end."""
    block = f"{BEGIN}\n{body}{END}\n"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        rest = text[text.index(END) + len(END):].lstrip("\n")
        text = text[: text.index(BEGIN)] + block + ("\n" + rest if rest else "")
    else:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n{INTRO}\n{block}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def dump(run: Run, path: Path) -> None:
    data = {
        "started": run.started, "runs": run.runs, "notes": run.notes, "load": run.load,
        "tools": run.tools, "code": run.code,
        "measurements": [{"scenario": m.scenario, "command": m.command, "error": m.error,
                          "other_cpus": m.others, "median_wall_s": m.wall,
                          "median_cpu_s": m.cpu, "peak_rss_mb": m.rss_mb,
                          "samples": [asdict(s) for s in m.samples]}
                         for m in run.results.values()],
    }
    path.write_text(json.dumps(data, indent=1))


# ---------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--runs", type=int, help="timed runs per scenario (default 7; --quick: 2)")
    p.add_argument("--quick", action="store_true",
                   help="smoke test: 2 runs; writes bench/out/benchmarks-quick.md instead "
                   "of docs/benchmarks.md")
    p.add_argument("--output", type=Path, help="Markdown file to update")
    p.add_argument("--apigwctl", help="apigwctl executable (default: next to this Python)")
    p.add_argument("--source", type=Path, default=REPO / "src" / "apigwctl",
                   help="the apigwctl package to measure (default: src/apigwctl), e.g. a "
                   "copy of an earlier version for a before/after comparison")
    p.add_argument("--timeout", type=float, default=120, help="seconds per process")
    p.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                   help="before each scenario, wait up to SECONDS for other processes to go "
                   "quiet")
    args = p.parse_args(argv)
    args.runs = args.runs or (2 if args.quick else 7)
    args.output = args.output or (OUT / "benchmarks-quick.md" if args.quick else DOC)
    return args


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through run_once and the server's context


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    setup = set_up(args, SNAPSHOT, documented_runs=5, unit="row")
    if setup is None:
        return 1
    exe, python, env, code, notes = setup.exe, setup.python, setup.env, setup.code, setup.notes
    load0 = os.getloadavg()[0]
    started = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    with tempfile.TemporaryDirectory(prefix="apigwctl-plan-bench-") as work:
        results = measure_all(exe, env, args, Path(work))
    command = " ".join(["bench/plan.py", *(argv if argv is not None else sys.argv[1:])])
    run = Run(results, args.runs, notes, (load0, os.getloadavg()[0]), started, command,
              versions(python, env), code)
    body = render(run)
    print(body)
    write_doc(args.output, body)
    dump(run, OUT / ("plan-results-quick.json" if args.quick else "plan-results.json"))
    return 1 if any(m.error for m in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
