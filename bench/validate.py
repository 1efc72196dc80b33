#!/usr/bin/env python3
"""Validation benchmark: apigwctl against openapi-spec-validator, Spectral and Redocly.

Usage (from the repo root, with the project venv):
    .venv/bin/python bench/validate.py [--runs 5] [--sizes 100,1000,5000] [--quick]

One run generates the specs (bench/gen_spec.py, the generator behind the published peer
figures), installs the Node peers into bench/node_modules if missing, times every tool on
every spec (median wall of N cold processes after one warm-up, peak RSS), checks that
apigwctl reports every error openapi-spec-validator reports, and writes the tables into
docs/benchmarks.md (between the BEGIN/END markers) and to stdout. Raw samples go to
bench/out/validate-results.json. A peer that cannot be installed is skipped with a note.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
LOGS = OUT / "logs"
SNAPSHOT = OUT / "snapshot"
DOC = REPO / "docs" / "benchmarks.md"
CORPUS = Path(os.environ.get("APIGWCTL_CORPUS", "/work/shared/corpus"))
LARGE_CORPUS = (
    "specs/stripe-openapi/stripe-spec3.yaml",
    "specs/cloudflare-api-schemas/cloudflare-openapi.json",
    "specs/kubernetes-client-python/kubernetes-swagger.json",
)
TIME = Path("/usr/bin/time")
# Versions behind the published peer figures (/work/shared/bench/README.md).
PINNED = {"osv": "0.9.0", "spectral": "6.16.3", "redocly": "2.77.0"}
# The published peer figures (same README): (tool, operations) -> (median wall s, peak MB).
PUBLISHED = {
    ("osv", 100): (0.40, 50), ("spectral", 100): (0.71, 132), ("redocly", 100): (0.33, 92),
    ("osv", 1000): (1.85, 84), ("spectral", 1000): (1.45, 201), ("redocly", 1000): (0.61, 153),
    ("osv", 5000): (10.9, 251), ("spectral", 5000): (5.9, 541), ("redocly", 5000): (1.51, 363),
}
# Settings lint_env.sh uses so the Node peers neither phone home nor print banners.
NODE_ENV = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
            "NO_UPDATE_NOTIFIER": "1"}
STRUCTURE_RULE = "E0100"
# Other processes using more than this many CPUs during a cell's timed runs mark it as
# disturbed (the machine has 2 CPUs; the tools are mostly single-threaded).
BUSY = 0.25
BEGIN = "<!-- BEGIN bench/validate.py output -->"
END = "<!-- END bench/validate.py output -->"
# apigwctl's validator as a process, used only while the CLI cannot emit JSON yet.
SHIM = (
    "import json, sys\n"
    "from apigwctl.spec.validate import validate_path\n"
    "r = validate_path(sys.argv[1])\n"
    "print(json.dumps({'version': 1, 'findings': [d.to_dict() for d in r.diagnostics]}))\n"
    "sys.exit(1 if any(d.severity.value == 'ERROR' for d in r.diagnostics) else 0)\n"
)


@dataclass(frozen=True)
class Spec:
    name: str
    path: Path
    ops: int | None
    peers: bool  # the peers were published on YAML only; JSON copies time apigwctl alone


@dataclass(frozen=True)
class Tool:
    key: str
    label: str
    argv: tuple[str, ...]  # "{file}" is replaced by the spec path
    env: dict[str, str]
    peer: bool
    version: str

    def command(self, spec: Path) -> list[str]:
        return [str(spec) if a == "{file}" else a for a in self.argv]


@dataclass
class Sample:
    wall: float
    rss_kb: int | None
    rc: int


@dataclass
class Measurement:
    tool: str
    spec: str
    samples: list[Sample] = field(default_factory=list)
    stdout: str = ""  # of the warm-up run, kept for the findings check
    stderr: str = ""
    error: str | None = None
    others: float = 0.0  # CPUs' worth of other processes' work during the timed runs

    @property
    def wall(self) -> float | None:
        return statistics.median(s.wall for s in self.samples) if self.samples else None

    @property
    def rss_mb(self) -> float | None:
        rss = [s.rss_kb for s in self.samples if s.rss_kb is not None]
        return max(rss) / 1024 if rss else None

    @property
    def odd_exits(self) -> list[int]:
        """Exit codes other than 0 (clean) and 1 (findings): the tool itself failed."""
        return sorted({s.rc for s in self.samples} - {0, 1})


# ---------------------------------------------------------------- running processes


@dataclass(frozen=True)
class Proc:
    """One measured process (bench/plan.py and bench/apply.py use it too)."""

    wall: float
    cpu: float  # user + system seconds of the process (and GNU time's own, ~1 ms)
    rss_kb: int | None
    rc: int


def measure_process(argv: Sequence[str], env: dict[str, str], cwd: Path, log: Path,
                    timeout: float) -> Proc:
    """One process: its wall clock, CPU time, peak RSS and exit code; output to ``log``.

    RSS comes from GNU time rather than this process's wait4: a child spawned from Python
    (vfork) inherits the parent's RSS high-water mark at exec, which would inflate it.
    The wait blocks, with a timer for the timeout: Popen.wait(timeout) polls with sleeps of
    up to 50 ms, which would quantise the wall clock. CPU time is this process's children's
    rusage across the wait: GNU time's and the tool's.
    """
    rss_file = _beside(log, ".rss")
    full = [str(TIME), "-f", "%M", "-o", str(rss_file), *argv] if TIME.exists() else list(argv)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with _beside(log, ".out").open("wb") as out, _beside(log, ".err").open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(full, stdout=out, stderr=err, env=env, cwd=cwd,
                                start_new_session=True)
        timer = threading.Timer(timeout, _kill_session, (proc.pid,))
        timer.start()
        try:
            rc = proc.wait()
        except BaseException:  # Ctrl-C, SIGTERM: leave no tool running
            _kill_session(proc.pid)
            proc.wait()
            raise
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if wall >= timeout:
        raise subprocess.TimeoutExpired(full, timeout)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Proc(wall, cpu, _read_rss(rss_file) if TIME.exists() else None, rc)


def run_once(argv: Sequence[str], env: dict[str, str], log: Path, timeout: float) -> Sample:
    """One process of a validator, its wall clock and peak RSS."""
    proc = measure_process(argv, env, OUT, log, timeout)
    return Sample(proc.wall, proc.rss_kb, proc.rc)


def _kill_session(pid: int) -> None:
    """Kill the session we started for one measured process: the tool and GNU time."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _beside(log: Path, suffix: str) -> Path:
    return log.with_name(log.name + suffix)  # not with_suffix: names hold dots (gen100.yaml)


def _read_rss(path: Path) -> int | None:
    lines = path.read_text().split() if path.exists() else []
    return int(lines[-1]) if lines and lines[-1].isdigit() else None


def read_log(log: Path, suffix: str) -> str:
    path = _beside(log, suffix)
    return path.read_text(errors="replace") if path.exists() else ""


def measure(tool: Tool, spec: Spec, runs: int, timeout: float) -> Measurement:
    """One warm-up run (fills the OS page cache, or apigwctl's cache for the warm
    variant; its output feeds the findings check), then ``runs`` timed cold processes."""
    result = Measurement(tool.key, spec.name)
    log = LOGS / f"{spec.name}.{tool.key}"
    try:
        warm_up = run_once(tool.command(spec.path), tool.env, log, timeout)
        result.stdout, result.stderr = read_log(log, ".out"), read_log(log, ".err")
        if warm_up.rc not in (0, 1):  # the tool broke (127: not found, crash, ...)
            first = (result.stderr.strip().splitlines() or [""])[0][:120]
            result.error = f"failed (exit {warm_up.rc}) {first}".strip()
            return result
        timed = LOGS / f"{spec.name}.{tool.key}.timed"
        before, start = cpu_seconds(), time.perf_counter()
        result.samples = [run_once(tool.command(spec.path), tool.env, timed, timeout)
                          for _ in range(runs)]
        result.others = other_cpu(before, cpu_seconds()) / (time.perf_counter() - start)
    except subprocess.TimeoutExpired:
        result.error = f"timed out after {timeout:.0f} s"
    except OSError as exc:
        result.error = f"could not run: {exc}"
    return result


def capture(argv: Sequence[str], env: dict[str, str] | None = None,
            timeout: float = 600) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of a process that is not being timed."""
    try:
        p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout,
                           check=False, cwd=OUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return -1, "", str(exc)
    return p.returncode, p.stdout, p.stderr


def cpu_seconds() -> tuple[float, float]:
    """(CPU used by the whole machine, CPU used by this process and its children): their
    difference over the run is the other work that shared the machine with the timings."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    machine = (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    ours = sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))
    return machine, ours


def other_cpu(before: tuple[float, float], after: tuple[float, float]) -> float:
    return max(0.0, (after[0] - before[0]) - (after[1] - before[1]))


# ---------------------------------------------------------------- specs


def generate(sizes: Iterable[int]) -> list[Spec]:
    specs: list[Spec] = []
    for n in sizes:
        prefix = OUT / f"gen{n}"
        subprocess.run([sys.executable, str(BENCH / "gen_spec.py"), str(n), str(prefix)],
                       check=True, stdout=subprocess.DEVNULL)
        specs.append(Spec(f"gen{n}.yaml", prefix.with_suffix(".yaml"), n, True))
        specs.append(Spec(f"gen{n}.json", prefix.with_suffix(".json"), n, False))
    return specs


def manifest() -> list[dict[str, str]]:
    path = CORPUS / "MANIFEST.tsv"
    if not path.exists():
        return []
    lines = path.read_text().splitlines()
    head = lines[0].split("\t")
    return [dict(zip(head, line.split("\t"), strict=False)) for line in lines[1:] if line]


def corpus_specs(rows: list[dict[str, str]], notes: list[str]) -> list[Spec]:
    by_file = {r["file"]: r for r in rows}
    specs = []
    for rel in LARGE_CORPUS:
        if not (CORPUS / rel).exists():
            notes.append(f"corpus spec {rel} not found under {CORPUS}: skipped")
            continue
        m = re.search(r"(\d+) operations", by_file.get(rel, {}).get("notes", ""))
        specs.append(Spec(Path(rel).name, CORPUS / rel, int(m[1]) if m else None, True))
    return specs


# ---------------------------------------------------------------- tools


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "APIGWCTL_NO_CACHE"}
    return env | NODE_ENV


def find_apigwctl(explicit: str | None) -> Path | None:
    for cand in (explicit, Path(sys.executable).parent / "apigwctl",
                 REPO / ".venv" / "bin" / "apigwctl", shutil.which("apigwctl")):
        if cand and Path(cand).exists():
            return Path(cand)
    return None


def parse_findings(text: str) -> list[dict[str, Any]]:
    """Findings from apigwctl's JSON output: {"findings": [...]}, a bare list, or
    {"files": [{"findings": [...]}, ...]}. Raises ValueError on anything else."""
    data = json.loads(text)
    if isinstance(data, dict) and isinstance(data.get("findings"), list):
        data = data["findings"]
    elif isinstance(data, dict) and isinstance(data.get("files"), list):
        data = [f for file in data["files"] for f in file.get("findings", [])]
    if not isinstance(data, list) or not all(isinstance(f, dict) for f in data):
        raise ValueError("not a list of findings")
    return data


def apigwctl_python(exe: Path | None) -> Path:
    """The interpreter apigwctl runs on (its venv's), for the shim and for asking it things."""
    if exe is not None and (exe.parent / "python").exists():
        return exe.parent / "python"
    return Path(sys.executable)


def snapshot_source(python: Path) -> dict[str, str]:
    """Copy src/apigwctl to bench/out/snapshot, byte-compile it, and return the environment
    that makes apigwctl run from it (PYTHONPATH precedes the editable install's .pth entry).

    A full run takes 20 minutes and src/ may be edited meanwhile; and an installed package
    carries bytecode, while a checkout under PYTHONDONTWRITEBYTECODE compiles every module
    on every start (about 50 ms)."""
    shutil.rmtree(SNAPSHOT, ignore_errors=True)
    shutil.copytree(REPO / "src" / "apigwctl", SNAPSHOT / "apigwctl",
                    ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([str(python), "-m", "compileall", "-q", str(SNAPSHOT)], check=True)
    path = os.pathsep.join(filter(None, [str(SNAPSHOT), os.environ.get("PYTHONPATH")]))
    return base_env() | {"PYTHONPATH": path}


def apigwctl_tools(exe: Path | None, probe: Path, env: dict[str, str],
                   notes: list[str]) -> list[Tool]:
    python = apigwctl_python(exe)
    argv: tuple[str, ...] = (str(python), "-c", SHIM, "{file}")
    mode = "library shim"
    if exe is not None:
        cli = (str(exe), "validate", "{file}", "--format", "json")
        _, out, _ = capture([str(exe), "validate", str(probe), "--format", "json"], env)
        try:
            parse_findings(out)
            argv, mode = cli, "CLI"
        except ValueError:
            notes.append(f"`{exe} validate --format json` gave no JSON findings yet: apigwctl "
                         "was timed through a `python -c` shim around "
                         "apigwctl.spec.validate.validate_path (same code, no CLI layer)")
    else:
        notes.append("apigwctl executable not found: timed through the library shim")
    version = capture([str(python), "-c", "import apigwctl; print(apigwctl.__version__)"],
                      env)[1]
    version = (f"{version.strip()} ({git_describe()}; source digest "
               f"{source_digest(SNAPSHOT / 'apigwctl')}; {mode})")
    cold = env | {"APIGWCTL_NO_CACHE": "1"}
    return [Tool("apigwctl-cold", "apigwctl cold", argv, cold, False, version),
            Tool("apigwctl-warm", "apigwctl warm", argv, env, False, version)]


def git_describe() -> str:
    rc, head, _ = capture(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    if rc != 0:
        return "not a git checkout"
    _, dirty, _ = capture(["git", "-C", str(REPO), "status", "--porcelain", "--", "src"])
    return f"commit {head.strip()}" + (" + uncommitted changes in src/" if dirty.strip() else "")


def source_digest(package: Path) -> str:
    """Digest of a copy of apigwctl's sources: names the code measured, and tells whether
    src/ changed during a run."""
    h = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json"):
            h.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]


def tool_version(argv: Sequence[str]) -> str:
    """The version a tool prints; a line of its own wins over banners (Redocly names the
    Node version in a deprecation box on stderr)."""
    _, out, err = capture([*argv, "--version"], base_env())
    for text in (out, err):
        found = re.search(r"^\s*v?(\d+\.\d+\.\d+[\w.+-]*)\s*$", text, re.M)
        if found:
            return found[1]
    found = re.search(r"\d+\.\d+\.\d+", out + err)
    return found[0] if found else "unknown"


def ensure_node_peers(notes: list[str]) -> dict[str, Path]:
    """Spectral and Redocly from bench/node_modules, installed from package.json if absent
    (or damaged: npm install repairs a partial tree)."""
    bin_dir = BENCH / "node_modules" / ".bin"
    if not all((bin_dir / name).exists() for name in ("spectral", "redocly")):
        npm = shutil.which("npm")
        if npm is None:
            notes.append("npm not found: Spectral and Redocly skipped")
            return {}
        print("installing Spectral and Redocly into bench/node_modules ...", file=sys.stderr)
        rc, out, err = capture([npm, "install", "--prefix", str(BENCH), "--no-audit",
                                "--no-fund"], base_env())
        if rc != 0:
            tail = (out + err).strip().splitlines()[-1:] or ["?"]
            notes.append(f"npm install failed ({tail[0]}): Spectral and Redocly skipped")
            return {}
    found = {}
    for name in ("spectral", "redocly"):
        exe = bin_dir / name
        if exe.exists():
            found[name] = exe
        else:
            notes.append(f"{name} missing from bench/node_modules/.bin: skipped")
    return found


def peer_tools(notes: list[str]) -> list[Tool]:
    """The peers with the command lines of /work/shared/bench/lint_bench.sh."""
    tools = []
    osv = Path(sys.executable).parent / "openapi-spec-validator"
    osv_path = str(osv) if osv.exists() else shutil.which("openapi-spec-validator")
    if osv_path:
        tools.append(Tool("osv", "openapi-spec-validator",
                          (osv_path, "--validation-errors", "all", "{file}"),
                          base_env(), True, tool_version([osv_path])))
    else:
        notes.append("openapi-spec-validator not in this Python env (pip install "
                     "openapi-spec-validator==0.9.0): skipped, and with it the findings check")
    node = ensure_node_peers(notes)
    ruleset = OUT / "spectral-ruleset.yaml"
    ruleset.write_text('extends: ["spectral:oas"]\n')
    if "spectral" in node:
        tools.append(Tool("spectral", "Spectral", (str(node["spectral"]), "lint", "-r",
                                                   str(ruleset), "-f", "json", "-o",
                                                   "/dev/null", "{file}"),
                          base_env(), True, tool_version([str(node["spectral"])])))
    if "redocly" in node:
        tools.append(Tool("redocly", "Redocly", (str(node["redocly"]), "lint", "{file}",
                                                 "--format", "json", "--max-problems",
                                                 "100000"),
                          base_env(), True, tool_version([str(node["redocly"])])))
    for t in tools:
        if t.version != PINNED[t.key]:
            notes.append(f"{t.label} is {t.version}, the published figures used "
                         f"{PINNED[t.key]}")
    return tools


# ---------------------------------------------------------------- no finding lost


@dataclass(frozen=True)
class Counts:
    e0100: int  # apigwctl structural findings (openapi-spec-validator's errors, placed)
    taken_over: int  # findings of rules that replace a matching E0100 (Rule.supersedes)
    errors: int  # apigwctl ERROR findings from every rule


@dataclass(frozen=True)
class FindingCheck:
    spec: str
    osv: int | None  # errors openapi-spec-validator reports; None = no count (crash, parse)
    ours: Counts | None  # None = apigwctl gave no JSON

    @property
    def lost(self) -> int | None:
        if self.osv is None or self.ours is None:
            return None
        return max(0, self.osv - self.ours.e0100 - self.ours.taken_over)


def osv_error_count(text: str) -> int | None:
    found = re.search(r"(\d+) validation errors? found", text)
    if found:
        return int(found[1])
    return 0 if re.search(r": OK\s*$", text, re.M) else None


def superseding_rules(python: str, env: dict[str, str]) -> frozenset[str]:
    """Ids of apigwctl rules that report some osv errors more precisely, in place of E0100
    (validate.drop_superseded); their findings count as osv errors kept."""
    code = ("from apigwctl.spec.rules import all_rules\n"
            "print(' '.join(r.id for r in all_rules() if getattr(r, 'supersedes', ())))")
    rc, out, _ = capture([python, "-c", code], env)
    return frozenset(out.split()) if rc == 0 else frozenset()


def apigwctl_counts(stdout: str, superseding: frozenset[str]) -> Counts | None:
    try:
        findings = parse_findings(stdout)
    except ValueError:
        return None
    rules = [str(f.get("rule")) for f in findings]
    return Counts(rules.count(STRUCTURE_RULE), sum(r in superseding for r in rules),
                  sum(str(f.get("severity", "")).upper() == "ERROR" for f in findings))


class Checker:
    """Counts osv errors and apigwctl findings for a spec, reusing the warm-up outputs of
    the timed runs and running a tool once, untimed, where there are none."""

    def __init__(self, tools: dict[str, Tool], results: dict[tuple[str, str], Measurement],
                 superseding: frozenset[str]) -> None:
        self.tools, self.results, self.superseding = tools, results, superseding

    def output(self, key: str, name: str, path: Path) -> str | None:
        m = self.results.get((key, name))
        if m is not None:
            return m.stdout + "\n" + m.stderr if key == "osv" else m.stdout
        tool = self.tools.get(key)
        if tool is None:
            return None
        _, out, err = capture(tool.command(path), tool.env)
        return out + "\n" + err if key == "osv" else out

    def check(self, name: str, path: Path) -> FindingCheck:
        osv = self.output("osv", name, path)
        ours = self.output("apigwctl-cold", name, path)
        return FindingCheck(name, osv_error_count(osv) if osv is not None else None,
                            apigwctl_counts(ours, self.superseding) if ours else None)


def check_corpus(checker: Checker, rows: list[dict[str, str]]) -> list[FindingCheck]:
    """Every other corpus file, one untimed run of each tool."""
    return [checker.check(row["file"], CORPUS / row["file"]) for row in rows
            if row["file"] not in LARGE_CORPUS and (CORPUS / row["file"]).exists()]


# ---------------------------------------------------------------- report


@dataclass
class Run:
    specs: list[Spec]
    tools: list[Tool]
    results: dict[tuple[str, str], Measurement]
    checks: list[FindingCheck]
    corpus: list[FindingCheck]
    runs: int
    notes: list[str]
    load: tuple[float, float]
    started: str
    command: str
    elapsed: float  # wall seconds of the timing phase
    other_cpu: float  # CPU seconds used by other processes during it


def cell(m: Measurement | None) -> str:
    if m is None:
        return "—"
    if m.error or m.wall is None:
        return m.error or "no runs"
    rss = f"{m.rss_mb:.0f} MB" if m.rss_mb is not None else "n/a"
    wall = f"{m.wall:.3f}" if m.wall < 0.1 else f"{m.wall:.2f}"
    odd = f" (exit {','.join(map(str, m.odd_exits))})" if m.odd_exits else ""
    busy = " †" if m.others > BUSY else ""
    return f"{wall} s / {rss}{odd}{busy}"


def size_text(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB"


def timing_table(run: Run) -> list[str]:
    head = ["spec", "operations", "size", *(t.label for t in run.tools)]
    lines = [row(head), row(["---"] * len(head))]
    for s in run.specs:
        ops = f"{s.ops:,}" if s.ops else "?"
        cells = [cell(run.results.get((t.key, s.name))) for t in run.tools]
        lines.append(row([f"`{s.name}`", ops, size_text(s.path), *cells]))
    return lines


def worst_cell(run: Run) -> float:
    return max((m.others for m in run.results.values()), default=0.0)


def disturbed(run: Run) -> list[str]:
    cells = [m for m in run.results.values() if m.others > BUSY]
    if not cells:
        return []
    worst = max(m.others for m in cells)
    return ["", f"† other processes used more than {BUSY:.2f} CPU (up to {worst:.2f}) during "
            f"these cells' timed runs ({len(cells)} of {len(run.results)} cells): "
            "treat them as upper bounds."]


def row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def ratio(ours: float | None, theirs: float | None, limit: float) -> str:
    if ours is None or not theirs:
        return "n/a"
    r = ours / theirs
    return f"{r:.2f}x {'PASS' if r <= limit else 'FAIL'}"


def target_table(run: Run) -> list[str]:
    gen = [s for s in run.specs if s.name.startswith("gen") and s.peers]
    if not gen:
        return []
    spec = max(gen, key=lambda s: s.ops or 0)
    res = run.results
    osv, redocly = res.get(("osv", spec.name)), res.get(("redocly", spec.name))
    lines = [f"Targets on `{spec.name}` ({spec.ops:,} operations):", "",
             row(["target", "apigwctl cold", "apigwctl warm"]), row(["---"] * 3)]
    targets: list[tuple[str, Callable[[Measurement], float | None], Measurement | None,
                        float]] = [
        ("wall ≤ 1.0x Redocly", lambda m: m.wall, redocly, 1.0),
        ("wall ≤ 0.15x openapi-spec-validator", lambda m: m.wall, osv, 0.15),
        ("peak RSS ≤ Redocly", lambda m: m.rss_mb, redocly, 1.0),
    ]
    for label, get, peer, limit in targets:
        cells = []
        for key in ("apigwctl-cold", "apigwctl-warm"):
            ours = res.get((key, spec.name))
            cells.append(ratio(get(ours) if ours else None, get(peer) if peer else None, limit))
        lines.append(row([label, *cells]))
    return lines


def published_table(run: Run) -> list[str]:
    """This machine's peer figures next to the published ones, to judge comparability."""
    peers = [t for t in run.tools if any(key == t.key for key, _ in PUBLISHED)]
    gen = [s for s in run.specs if s.peers and any((t.key, s.ops) in PUBLISHED for t in peers)]
    if not peers or not gen:
        return []
    lines = ["Peers here vs the published figures (measured / published, wall and RSS):", "",
             row(["spec", *(t.label for t in peers)]), row(["---"] * (len(peers) + 1))]
    for s in gen:
        cells = []
        for t in peers:
            m, pub = run.results.get((t.key, s.name)), PUBLISHED.get((t.key, s.ops or 0))
            if m is None or m.wall is None or pub is None:
                cells.append("n/a")
                continue
            rss = f"{m.rss_mb / pub[1]:.2f}x" if m.rss_mb is not None else "n/a"
            cells.append(f"{m.wall / pub[0]:.2f}x / {rss}")
        lines.append(row([f"`{s.name}`", *cells]))
    return [*lines, ""]


def findings_table(checks: list[FindingCheck], only_interesting: bool) -> list[str]:
    lines = [row(["spec", "osv errors", "apigwctl E0100 (+ taken over)",
                  "apigwctl ERROR (all rules)", "lost"]), row(["---"] * 5)]
    for c in checks:
        if only_interesting and not (c.osv or c.lost or c.ours is None):
            continue
        lost = "n/a" if c.lost is None else ("none" if c.lost == 0 else f"**{c.lost}**")
        e0100 = errors = "n/a"
        if c.ours is not None:
            more = f" (+{c.ours.taken_over})" if c.ours.taken_over else ""
            e0100, errors = f"{c.ours.e0100}{more}", str(c.ours.errors)
        osv = "n/a" if c.osv is None else str(c.osv)
        lines.append(row([f"`{c.spec}`", osv, e0100, errors, lost]))
    return lines


def corpus_summary(checks: list[FindingCheck]) -> list[str]:
    if not checks:
        return []
    counted = [c for c in checks if c.osv is not None]
    with_errors = [c for c in counted if c.osv]
    lost = [c for c in checks if c.lost]
    return ["", f"Every other corpus file ({len(checks)}; untimed): openapi-spec-validator "
            f"gave an error count for {len(counted)} (the rest it could not load, e.g. "
            f"CloudFormation tags), {len(with_errors)} of them with errors; apigwctl lost "
            f"findings on {len(lost)}. Files with osv errors, a loss, or no apigwctl JSON:",
            "", *findings_table(checks, only_interesting=True)]


def machine() -> list[str]:
    cpu = "unknown"
    info = Path("/proc/cpuinfo")
    if info.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", info.read_text(), re.M)
        cpu = found[1] if found else cpu
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    node = capture(["node", "--version"])[1].strip() or "not found"
    return [f"- machine: {len(os.sched_getaffinity(0))} CPUs (nproc), {cpu}, {mem:.0f} GiB "
            f"RAM, {platform.system()} {platform.release()}",
            f"- Python {platform.python_version()} ({sys.executable}), Node {node}"]


def render(run: Run) -> str:
    versions = ", ".join(f"{t.label.removesuffix(' cold')} {t.version}" for t in run.tools
                         if t.key != "apigwctl-warm")
    lines = [
        f"Measured {run.started} by `{run.command}`.", "",
        *machine(),
        f"- tools: {versions}",
        f"- other work on the machine: at most {worst_cell(run):.2f} CPU during any cell's "
        f"timed runs; {run.other_cpu:.0f} CPU s over the {run.elapsed:.0f} s of the timing "
        f"phase, waits for quiet included; 1-minute load average {run.load[0]:.2f} before, "
        f"{run.load[1]:.2f} after",
        "", "Median wall clock of the timed runs / peak RSS (max over the timed runs):", "",
        *timing_table(run), *disturbed(run), "", *target_table(run), "", *published_table(run),
        "No finding lost (openapi-spec-validator errors vs apigwctl E0100 findings):", "",
        *findings_table(run.checks, only_interesting=False), *corpus_summary(run.corpus),
    ]
    if run.notes:
        lines += ["", "Notes:", *(f"- {n}" for n in run.notes)]
    return "\n".join(lines) + "\n"


def write_doc(path: Path, body: str) -> None:
    block = f"{BEGIN}\n{body}{END}\n"
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END):].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def dump(run: Run, path: Path) -> None:
    data = {
        "started": run.started, "runs": run.runs, "notes": run.notes, "load": run.load,
        "elapsed_s": run.elapsed, "other_cpu_s": run.other_cpu,
        "tools": [{"key": t.key, "version": t.version, "argv": list(t.argv)} for t in run.tools],
        "measurements": [{"tool": m.tool, "spec": m.spec, "error": m.error,
                          "other_cpus": m.others,
                          "median_wall_s": m.wall, "peak_rss_mb": m.rss_mb,
                          "samples": [asdict(s) for s in m.samples]}
                         for m in run.results.values()],
        "findings": [asdict(c) for c in run.checks + run.corpus],
    }
    path.write_text(json.dumps(data, indent=1))


# ---------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--runs", type=int, help="timed runs per tool and spec (default 5; "
                   "--quick: 1)")
    p.add_argument("--sizes", help="operations per generated spec (default 100,1000,5000; "
                   "--quick: 100,1000)")
    p.add_argument("--quick", action="store_true",
                   help="smoke test: fewer runs and sizes, no corpus; writes "
                   "bench/out/benchmarks-quick.md instead of docs/benchmarks.md")
    p.add_argument("--tools", help="comma-separated subset of "
                   "apigwctl-cold,apigwctl-warm,osv,spectral,redocly")
    p.add_argument("--output", type=Path, help="Markdown file to update")
    p.add_argument("--apigwctl", help="apigwctl executable (default: next to this Python)")
    p.add_argument("--timeout", type=float, default=900, help="seconds per process")
    p.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                   help="before each cell, wait up to SECONDS for other processes to go quiet")
    args = p.parse_args(argv)
    args.runs = args.runs or (1 if args.quick else 5)
    sizes = args.sizes or ("100,1000" if args.quick else "100,1000,5000")
    args.sizes = [int(s) for s in sizes.split(",") if s.strip()]
    args.output = args.output or (OUT / "benchmarks-quick.md" if args.quick else DOC)
    return args


def wait_quiet(limit: float) -> None:
    """Wait up to ``limit`` seconds for other processes to use less than BUSY CPUs."""
    deadline = time.monotonic() + limit
    while True:
        before = cpu_seconds()
        time.sleep(2)
        load = other_cpu(before, cpu_seconds()) / 2
        if load <= BUSY or time.monotonic() >= deadline:
            return
        print(f"  (machine busy: {load:.2f} CPUs used by others, waiting)", file=sys.stderr)
        time.sleep(min(28, max(0.0, deadline - time.monotonic())))


def measure_all(tools: list[Tool], specs: list[Spec], args: argparse.Namespace,
                ) -> dict[tuple[str, str], Measurement]:
    results = {}
    for spec in specs:
        for tool in tools:
            if tool.peer and not spec.peers:
                continue
            results[(tool.key, spec.name)] = measure_cell(tool, spec, args)
    return results


def measure_cell(tool: Tool, spec: Spec, args: argparse.Namespace) -> Measurement:
    """With --wait-quiet, a cell disturbed by other processes is measured again (twice at
    most) and the least disturbed attempt kept."""
    attempts: list[Measurement] = []
    while len(attempts) < (3 if args.wait_quiet else 1):
        if args.wait_quiet:
            wait_quiet(args.wait_quiet)
        print(f"{spec.name:28s} {tool.key:14s} ...", end="", file=sys.stderr, flush=True)
        attempts.append(measure(tool, spec, args.runs, args.timeout))
        print(f" {cell(attempts[-1])}", file=sys.stderr)
        if attempts[-1].others <= BUSY or attempts[-1].error:
            break
    return min(attempts, key=lambda m: m.others)


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through run_once, which kills the running tool


def main(argv: Sequence[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _terminate)
    args = parse_args(argv)
    LOGS.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    if args.runs < 5:
        notes.append(f"only {args.runs} timed run(s) per cell: a smoke test, not the "
                     "documented method (median of >= 5)")
    if not TIME.exists():
        notes.append(f"{TIME} not found: peak RSS not measured")
    load0 = os.getloadavg()[0]
    started = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    specs = generate(args.sizes)
    rows = manifest()
    specs += [] if args.quick else corpus_specs(rows, notes)
    exe = find_apigwctl(args.apigwctl)
    env = snapshot_source(apigwctl_python(exe))
    tools = apigwctl_tools(exe, specs[0].path, env, notes) + peer_tools(notes)
    if args.tools:
        tools = [t for t in tools if t.key in args.tools.split(",")]
    live = REPO / "src" / "apigwctl"
    digest, cpu0, clock0 = source_digest(live), cpu_seconds(), time.perf_counter()
    results = measure_all(tools, specs, args)
    elapsed = time.perf_counter() - clock0
    others = other_cpu(cpu0, cpu_seconds())
    if source_digest(live) != digest:
        notes.append("src/ changed during the run; the apigwctl figures are for the snapshot "
                     "of it taken at the start (source digest above)")
    load1 = os.getloadavg()[0]
    checker = Checker({t.key: t for t in tools}, results,
                      superseding_rules(str(apigwctl_python(exe)), env))
    checks = [checker.check(s.name, s.path) for s in specs]
    corpus = [] if args.quick or not {"osv", "apigwctl-cold"} <= checker.tools.keys() \
        else check_corpus(checker, rows)
    command = " ".join(["bench/validate.py", *(argv if argv is not None else sys.argv[1:])])
    run = Run(specs, tools, results, checks, corpus, args.runs, notes, (load0, load1),
              started, command, elapsed, others)
    body = render(run)
    print(body)
    write_doc(args.output, body)
    dump(run, OUT / "validate-results.json")
    lost = [c for c in run.checks + run.corpus if c.lost]
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
