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
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
LOGS = OUT / "logs"
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
# Settings lint_env.sh uses so the Node peers neither phone home nor print banners.
NODE_ENV = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
            "NO_UPDATE_NOTIFIER": "1"}
STRUCTURE_RULE = "E0100"
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


def run_once(argv: Sequence[str], env: dict[str, str], log: Path, timeout: float) -> Sample:
    """One process, its wall clock and peak RSS.

    RSS comes from GNU time rather than this process's wait4: a child spawned from Python
    (vfork) inherits the parent's RSS high-water mark at exec, which would inflate it.
    """
    rss_file = log.with_suffix(".rss")
    full = [str(TIME), "-f", "%M", "-o", str(rss_file), *argv] if TIME.exists() else list(argv)
    with log.with_suffix(".out").open("wb") as out, log.with_suffix(".err").open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(full, stdout=out, stderr=err, env=env, cwd=OUT,
                                start_new_session=True)
        try:
            rc = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # our own session: the tool and GNU time
            proc.wait()
            raise
        wall = time.perf_counter() - start
    return Sample(wall, _read_rss(rss_file) if TIME.exists() else None, rc)


def _read_rss(path: Path) -> int | None:
    lines = path.read_text().split() if path.exists() else []
    return int(lines[-1]) if lines and lines[-1].isdigit() else None


def read_log(log: Path, suffix: str) -> str:
    path = log.with_suffix(suffix)
    return path.read_text(errors="replace") if path.exists() else ""


def measure(tool: Tool, spec: Spec, runs: int, timeout: float) -> Measurement:
    """One warm-up run (fills the OS page cache, or apigwctl's cache for the warm
    variant; its output feeds the findings check), then ``runs`` timed cold processes."""
    result = Measurement(tool.key, spec.name)
    log = LOGS / f"{spec.name}.{tool.key}"
    try:
        run_once(tool.command(spec.path), tool.env, log, timeout)
        result.stdout, result.stderr = read_log(log, ".out"), read_log(log, ".err")
        timed = LOGS / f"{spec.name}.{tool.key}.timed"
        result.samples = [run_once(tool.command(spec.path), tool.env, timed, timeout)
                          for _ in range(runs)]
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


def apigwctl_tools(explicit: str | None, probe: Path, notes: list[str]) -> list[Tool]:
    exe = find_apigwctl(explicit)
    python = exe.parent / "python" if exe and (exe.parent / "python").exists() \
        else Path(sys.executable)
    argv: tuple[str, ...] = (str(python), "-c", SHIM, "{file}")
    if exe is not None:
        cli = (str(exe), "validate", "{file}", "--format", "json")
        _, out, _ = capture([str(exe), "validate", str(probe), "--format", "json"])
        try:
            parse_findings(out)
            argv = cli
        except ValueError:
            notes.append(f"`{exe} validate --format json` gave no JSON findings yet: apigwctl "
                         "was timed through a `python -c` shim around "
                         "apigwctl.spec.validate.validate_path (same code, no CLI layer)")
    else:
        notes.append("apigwctl executable not found: timed through the library shim")
    version = capture([str(python), "-c", "import apigwctl; print(apigwctl.__version__)"])[1]
    version = f"{version.strip()} ({git_describe()})"
    cold = base_env() | {"APIGWCTL_NO_CACHE": "1"}
    return [Tool("apigwctl-cold", "apigwctl cold", argv, cold, False, version),
            Tool("apigwctl-warm", "apigwctl warm", argv, base_env(), False, version)]


def git_describe() -> str:
    rc, head, _ = capture(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    if rc != 0:
        return "not a git checkout"
    _, dirty, _ = capture(["git", "-C", str(REPO), "status", "--porcelain", "--", "src"])
    return f"commit {head.strip()}" + (" + uncommitted changes in src/" if dirty.strip() else "")


def tool_version(argv: Sequence[str]) -> str:
    _, out, err = capture([*argv, "--version"], base_env())
    found = re.findall(r"\d+\.\d+\.\d+\S*", out + err)
    return found[-1] if found else "unknown"


def ensure_node_peers(notes: list[str]) -> dict[str, Path]:
    """Spectral and Redocly from bench/node_modules, installed from package.json if absent."""
    if not (BENCH / "node_modules").is_dir():
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
        exe = BENCH / "node_modules" / ".bin" / name
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
