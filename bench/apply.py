#!/usr/bin/env python3
"""Apply benchmark: the reference deployment applied from scratch, re-planned, and done by hand.

Usage (from the repo root, with the project venv):
    .venv/bin/python bench/apply.py [--sizes 10,100,1000] [--runs 3] [--quick] [--wait-quiet 300]

The reference deployment: one REST API from a 100-operation spec (bench/gen_spec.py, the
generator behind the published peer figures), 3 stages (dev, staging, prod) with variables
and method settings (prod also with a cache cluster, per-method caching, tracing and tags),
2 usage plans (gold: prod; bronze: prod and staging, as in the peers' scripts) and N API keys,
each with a random 32-character value read through ``${file:keys/<name>.key}`` and linked to
one plan (odd keys gold, even keys bronze). Its apigwctl.yaml is written to a temporary folder.

For each N, after one untimed warm-up (OS page cache), ``--runs`` times in a fresh copy of that
folder (fresh emulator state, empty spec cache):

1. ``apigwctl apply --auto-approve --format json``, one cold process on the embedded
   emulator: process wall clock, CPU, peak RSS, and from the JSON "accounting" the AWS calls
   per operation, retries and seconds waited for quota. The run journal gives the calls in
   the order they were sent; :func:`apigwctl.aws.calls.lower_bound` (AWS's fixed quotas, the
   planning reads first) gives the least wall time those calls need on AWS;
2. ``apigwctl plan --detailed-exitcode``, the re-plan that should find nothing to do: exit
   code, the "Plan:" / "No changes." line, and the read calls from stderr's line
   ``read the live state of ...: N API calls``.

After the first run of each N, untimed: the keys, their values and plan links are read back
from the emulator (only counts are printed), the 32-character tokens of every output, plan and
journal are checked against the key values, and ``plan --format json`` tells what a re-plan
that is not a no-op would change.

3. The same deployment call by call, as the peers measured it: /work/shared/bench/
   boto3_deploy.py (``APIGWCTL_PEER_BENCH`` to move it) against a moto 5.2.5 server on a free
   port (reset between runs), with the ``--no-mock`` spec (moto crashes on MOCK integrations
   without a uri); 2N+8 calls: the peers' own setup, so the figures compare with theirs.
   Its AWS quota lower bound is computed the same way.

Targets: at most 15 AWS calls for any N <= 1000; wall <= 1.1x the quota lower bound; the
no-op re-plan at most 10 + ceil(N/500) read calls. The tables go into docs/benchmarks.md
between this script's BEGIN/END markers (--quick: bench/out/benchmarks-quick.md) and to
stdout; raw samples to bench/out/apply-results.json, every process's output to
bench/out/logs/apply.*. Exit 1 when a run failed (a missed target is reported, not fatal).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from plan import capture, last_line, set_up, versions
from validate import (
    BUSY,
    LOGS,
    OUT,
    REPO,
    Proc,
    _beside,
    _kill_session,
    cpu_seconds,
    measure_process,
    other_cpu,
    read_log,
    row,
    source_digest,
    wait_quiet,
)

SNAPSHOT = OUT / "apply-snapshot"  # not validate.py's or plan.py's: they may run meanwhile
DOC = REPO / "docs" / "benchmarks.md"
GEN_SPEC = REPO / "bench" / "gen_spec.py"
PEER_BENCH = Path(os.environ.get("APIGWCTL_PEER_BENCH", "/work/shared/bench"))
BEGIN = "<!-- BEGIN bench/apply.py output -->"
END = "<!-- END bench/apply.py output -->"
SECTION = "## apply"
INTRO = """\
How many AWS calls, and how much time, `apigwctl apply` takes to create a deployment with
stages, usage plans and N API keys from scratch; whether the re-plan right after it finds
nothing to do, in how many read calls; and the same deployment done call by call through
boto3, as the peers' figures were measured. Reproduce with `.venv/bin/python bench/apply.py`
(the script's docstring describes it; `--quick` for a smoke test).

Targets, for N = 10, 100 and 1,000 keys: the apply makes at most **15** AWS calls; its wall
clock is at most **1.1x** the lower bound AWS's fixed control-plane quotas put on those calls;
the no-op re-plan makes at most **10 + ⌈N/500⌉** read calls.

- **The reference deployment.** One REST API from `bench/gen_spec.py 100` (100 operations,
  40 paths; the generator behind the published peer figures), stages `dev`, `staging` and
  `prod` with 3 variables and method settings each (`*/*` throttling and metrics, a
  per-route throttle; `prod` also a 0.5 GB cache cluster, caching on one route, X-Ray and a
  tag), usage plans `gold` (`prod`) and `bronze` (`prod`, `staging`) with throttles and
  quotas, and N keys with random 32-character values read through `${file:keys/NAME.key}`,
  odd keys in `gold`, even ones in `bronze` (the plans and stages of the peers' scripts).
- **apply.** Each timed run is a cold `apigwctl apply --auto-approve --format json` in a
  fresh copy of the project (fresh emulator state, empty cache) on the embedded emulator,
  after one untimed warm-up. Calls, retries and quota waits come from the JSON
  `accounting`; the calls' order from the run journal. The lower bound is
  `apigwctl.aws.calls.lower_bound` of those calls in that order: the earliest moment the
  last one may leave under AWS's quotas (CreateRestApi 1 per 3 s for a Regional API,
  PutRestApi 1/s, CreateDeployment 1 per 5 s, CreateApiKey 5/s, 10/s with a burst of 40
  overall, ...), starting with full buckets as a first run does.
- **Re-plan.** `apigwctl plan --detailed-exitcode` right after each apply, cold; the read
  calls are parsed from its stderr line `read the live state of ...: N API calls`.
- **Checked, untimed.** After the first run of each N the keys are read back from the
  emulator (values compared with the files, plan links with the file's), and every output,
  plan and journal is searched for the key values.
- **By hand.** `/work/shared/bench/boto3_deploy.py SPEC N` (import, a deployment, 3 stages,
  a canary, 2 usage plans, then `create_api_key` + `create_usage_plan_key` per key: 2N+8
  calls) against a moto 5.2.5 server, as the published figures were measured, on the
  `--no-mock` variant of the spec. Its wall excludes interpreter and boto3 start-up (the
  script's own figure); the process wall includes them.
- **apigwctl build.** As for `bench/validate.py`: a byte-compiled copy of `src/apigwctl`
  taken at the start, with fake AWS credentials and no AWS config files.
"""
OPERATIONS = 100
STAGES = ("dev", "staging", "prod")
PLANS = ("gold", "bronze")
KEY_LENGTH = 32
KEY_CHARS = string.ascii_letters + string.digits
TARGET_CALLS = 15
TARGET_RATIO = 1.1
READS = re.compile(r"read the live state of \S+: (\d+) API calls?")
PLAN_LINE = re.compile(r"^(Plan: .*|No changes\..*)$", re.M)
BOTO3_LINE = re.compile(r"calls=(\d+) wall=([\d.]+) startup=([\d.]+)")
TOKEN = re.compile(rf"[A-Za-z0-9]{{{KEY_LENGTH}}}")
# The peers' published boto3 figures (moto 5.2.5, no quotas): /work/shared/bench/README.md.
PUBLISHED_BOTO3 = {10: (28, 0.11), 100: (208, 0.77), 1000: (2008, 5.5)}
# The AWS SDK's configuration must not leak in: everything signs with these.
QUOTA_MODE = "aws"  # APIGWCTL_EMULATOR_QUOTAS for every apigwctl process (AWS's quotas)


def target_reads(n: int) -> int:
    return 10 + math.ceil(n / 500)


def key_name(i: int) -> str:
    return f"key-{i:04d}"


def plan_of(i: int) -> str:
    return PLANS[0] if i % 2 else PLANS[1]


def boto3_sequence(n: int) -> list[str]:
    """The AWS operations boto3_deploy.py sends, in order (without --bulk)."""
    return ["ImportRestApi", "CreateDeployment", *["CreateStage"] * 3, "UpdateStage",
            *["CreateUsagePlan"] * 2, *["CreateApiKey", "CreateUsagePlanKey"] * n]


# ---------------------------------------------------------------- the reference deployment


def deployment_file(n: int) -> str:
    lines = ["# The reference deployment of bench/apply.py (written by it).",
             "api:", "  name: bench-apply", "  spec: openapi.yaml", "  type: REST",
             "  endpoint_type: REGIONAL", "  tags: {bench: apply}", "stages:"]
    for stage in STAGES:
        lines += [f"  {stage}:", f"    description: {stage} stage", "    variables:",
                  f"      fn: pets-{stage}", f"      backend: https://{stage}.backend.example.com",
                  "      logLevel: INFO", "    method_settings:",
                  '      "*/*":', "        throttling: {rate_limit: 100, burst_limit: 200}",
                  "        metrics: true",
                  '      "/res0000/GET":', "        throttling: {rate_limit: 50, burst_limit: 100}"]
        if stage == "prod":
            lines += ['      "/res0000/{id}/GET":', "        caching: {enabled: true, ttl: 600}",
                      "    cache_cluster: {enabled: true, size: 0.5}", "    tracing: true",
                      "    tags: {env: prod}"]
    lines += ["usage_plans:",
              "  gold:", "    description: Gold tier",
              "    throttle: {rate_limit: 100, burst_limit: 200}",
              "    quota: {limit: 100000, period: MONTH}", "    stages:", "      prod: {}",
              "  bronze:", "    description: Bronze tier",
              "    throttle: {rate_limit: 10, burst_limit: 20}",
              "    quota: {limit: 1000, period: DAY}", "    stages:", "      prod: {}",
              "      staging: {}",
              "api_keys:" if n else "api_keys: {}"]
    for i in range(1, n + 1):
        lines += [f"  {key_name(i)}:", f"    description: bench key {i}",
                  f"    value: ${{file:keys/{key_name(i)}.key}}",
                  f"    usage_plans: [{plan_of(i)}]"]
    lines += ["target:", "  kind: emulator", "  region: us-east-1"]
    return "\n".join(lines) + "\n"


def make_template(work: Path, n: int, spec: Path) -> tuple[Path, dict[str, str]]:
    """The project folder for N keys, and the key values (kept in memory, never printed)."""
    folder = work / f"template-N{n}"
    (folder / "keys").mkdir(parents=True)
    shutil.copyfile(spec, folder / "openapi.yaml")
    values: dict[str, str] = {}
    for i in range(1, n + 1):
        value = "".join(secrets.choice(KEY_CHARS) for _ in range(KEY_LENGTH))
        path = folder / "keys" / f"{key_name(i)}.key"
        path.write_text(value + "\n")
        path.chmod(0o600)
        values[key_name(i)] = value
    (folder / "apigwctl.yaml").write_text(deployment_file(n))
    return folder, values


def generate_specs(python: Path, work: Path) -> tuple[Path, Path]:
    """gen_spec.py 100 (YAML, for apigwctl) and its --no-mock variant (JSON, for moto)."""
    subprocess.run([str(python), str(GEN_SPEC), str(OPERATIONS), str(work / "spec")],
                   check=True, capture_output=True)
    subprocess.run([str(python), str(GEN_SPEC), str(OPERATIONS), str(work / "spec-nomock"),
                    "--no-mock"], check=True, capture_output=True)
    return work / "spec.yaml", work / "spec-nomock.json"


# ---------------------------------------------------------------- running processes


def run_once(argv: Sequence[str], env: dict[str, str], cwd: Path, log: Path,
             timeout: float) -> Proc:
    """One process: wall clock, CPU time, peak RSS and exit code (validate.py's)."""
    return measure_process(argv, env, cwd, log, timeout)


# ---------------------------------------------------------------- apply and re-plan


@dataclass
class ApplySample:
    proc: Proc
    calls: dict[str, int] = field(default_factory=dict)  # AWS operation -> requests sent
    total: int | None = None
    retries: int = 0
    quota_wait: float = 0.0
    backoff: float = 0.0
    sequence: list[str] = field(default_factory=list)  # quota bucket keys, in order
    bound: float | None = None
    error: str | None = None


@dataclass
class PlanSample:
    proc: Proc
    reads: int | None
    says: str  # "No changes." or the "Plan: ..." line


@dataclass
class Check:
    """What the first run of one N left in the emulator, read back untimed."""

    keys: int = 0
    values_ok: int = 0
    linked_ok: int = 0
    plans: int = 0
    leaked: list[str] = field(default_factory=list)  # files holding a key value
    replan: dict[str, int] = field(default_factory=dict)  # "kind field" -> count
    error: str | None = None


@dataclass
class Boto3Sample:
    proc: Proc
    calls: int | None
    wall: float | None  # the script's own figure: without interpreter and boto3 start-up
    startup: float | None
    error: str | None = None


@dataclass
class SizeResult:
    n: int
    applies: list[ApplySample] = field(default_factory=list)
    plans: list[PlanSample] = field(default_factory=list)
    check: Check | None = None
    boto3: list[Boto3Sample] = field(default_factory=list)
    boto3_bound: float | None = None
    errors: list[str] = field(default_factory=list)
    others: float = 0.0  # CPUs' worth of other processes' work during the timed runs

    def ok_applies(self) -> list[ApplySample]:
        return [a for a in self.applies if a.error is None]

    def ok_boto3(self) -> list[Boto3Sample]:
        return [b for b in self.boto3 if b.error is None]


def median(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def journal_calls(folder: Path) -> list[str]:
    """The AWS operations the apply's run journal records, in the order sent."""
    journals = sorted((folder / ".apigwctl" / "journal").glob("*.jsonl"))
    ordered: list[str] = []
    if not journals:
        return ordered
    for line in journals[-1].read_text().splitlines():
        record = json.loads(line) if line.strip() else {}
        if record.get("type") == "op":
            for op, count in (record.get("calls") or {}).items():
                ordered += [str(op)] * int(count)
    return ordered


def call_sequence(folder: Path, calls: Mapping[str, int], endpoint_type: str) -> list[str]:
    """Every call the apply counted, in order: the ones no journal entry holds (the
    planning reads) first, then the journal's; CreateRestApi as its endpoint type's bucket."""
    ordered = journal_calls(folder)
    journaled = Counter(ordered)
    unjournaled = [op for op, count in sorted(calls.items())
                   for _ in range(count - journaled.get(op, 0))]
    kind = "EDGE" if endpoint_type.upper() == "EDGE" else "REGIONAL"
    return [f"CreateRestApi/{kind}" if op == "CreateRestApi" else op
            for op in unjournaled + ordered]


def parse_apply(proc: Proc, log: Path, folder: Path) -> ApplySample:
    sample = ApplySample(proc)
    if proc.rc != 0:
        sample.error = f"apply exit {proc.rc}: {last_line(read_log(log, '.err'))}"
    try:
        data = json.loads(read_log(log, ".out"))
        accounting = data["accounting"]
    except (ValueError, KeyError, TypeError):
        sample.error = sample.error or "apply printed no JSON accounting"
        return sample
    ops = accounting.get("operations") or {}
    sample.calls = {str(k): int(v.get("calls", 0)) for k, v in ops.items()}
    total = accounting.get("total") or {}
    sample.total = int(total.get("calls", sum(sample.calls.values())))
    sample.retries = int(total.get("retries", 0))
    sample.quota_wait = float(total.get("quota_wait_seconds", 0.0))
    sample.backoff = float(total.get("backoff_seconds", 0.0))
    endpoint = next((str(d.get("endpoint_type", "EDGE")) for d in data.get("done") or []
                     if d.get("op") == "create_rest_api"), "REGIONAL")
    sample.sequence = call_sequence(folder, sample.calls, endpoint)
    return sample


def parse_plan(proc: Proc, log: Path) -> PlanSample:
    found = READS.search(read_log(log, ".err"))
    says = PLAN_LINE.findall(read_log(log, ".out"))
    return PlanSample(proc, int(found[1]) if found else None,
                      says[-1] if says else last_line(read_log(log, ".err")))


READ_BACK = """\
import json, sys
from pathlib import Path
from apigwctl.aws.emulator.core import Emulator
want = json.load(sys.stdin)  # {"values": {name: value}, "plans": {name: plan}}
with Emulator(Path(".apigwctl/emulator"), write=False) as em:
    c = em.client("apigateway")
    keys = [k for page in c.get_paginator("get_api_keys").paginate(includeValues=True)
            for k in page["items"]]
    plans = {p["id"]: p["name"] for page in c.get_paginator("get_usage_plans").paginate()
             for p in page["items"]}
    linked = {}
    for plan_id, plan in plans.items():
        for page in c.get_paginator("get_usage_plan_keys").paginate(usagePlanId=plan_id):
            for k in page["items"]:
                linked.setdefault(k["name"], []).append(plan)
print(json.dumps({
    "keys": len(keys), "plans": len(plans),
    "values_ok": sum(want["values"].get(k["name"]) == k.get("value") for k in keys),
    "linked_ok": sum(linked.get(name) == [plan] for name, plan in want["plans"].items()),
}))
"""


def read_back(python: Path, env: dict[str, str], folder: Path,
              values: Mapping[str, str]) -> Check:
    want = {"values": dict(values),
            "plans": {key_name(i): plan_of(i) for i in range(1, len(values) + 1)}}
    rc, out, err = capture([str(python), "-c", READ_BACK], env, folder,
                           stdin=json.dumps(want))
    if rc != 0:
        return Check(error=f"read-back failed (exit {rc}): {last_line(err)}")
    data = json.loads(out)
    return Check(keys=data["keys"], values_ok=data["values_ok"],
                 linked_ok=data["linked_ok"], plans=data["plans"])


def leaks(values: Mapping[str, str], files: Sequence[Path]) -> list[str]:
    """The files among ``files`` that hold a key value (as a 32-character token)."""
    secret = set(values.values())
    return [str(p) for p in files
            if p.is_file() and secret & set(TOKEN.findall(p.read_text(errors="replace")))]


def replan_changes(exe: Path, env: dict[str, str], folder: Path) -> dict[str, int]:
    """What a re-plan would change, as counts of "kind field" (untimed)."""
    rc, out, err = capture([str(exe), "plan", "--format", "json"], env, folder)
    if rc != 0:
        return {f"plan --format json failed (exit {rc}): {last_line(err)}": 1}
    counts: Counter[str] = Counter()
    for change in json.loads(out)["plan"]["changes"]:
        kind = str(change.get("address", "?")).split(":", 1)[0]
        fields = [str(f.get("path")) for f in change.get("fields") or []]
        for name in fields or [str(change.get("action", "?"))]:
            counts[f"{kind} {name}"] += 1
    return dict(counts)


def measure_apigwctl(n: int, template: Path, values: Mapping[str, str], *, exe: Path,
                     python: Path, env: dict[str, str], work: Path,
                     args: argparse.Namespace) -> SizeResult:
    result = SizeResult(n)
    apply_argv = [str(exe), "apply", "--auto-approve", "--format", "json"]
    plan_argv = [str(exe), "plan", "--detailed-exitcode"]
    # One warm-up (OS page cache); its folder is then dropped.
    warm = work / f"N{n}-warm"
    shutil.copytree(template, warm)
    log = LOGS / f"apply.N{n}.warm-up"
    try:
        proc = run_once(apply_argv, env, warm, log, args.timeout)
    except subprocess.TimeoutExpired:
        result.errors.append(f"warm-up apply timed out after {args.timeout:.0f} s")
        return result
    if proc.rc != 0:
        result.errors.append(f"warm-up apply exit {proc.rc}: "
                             f"{last_line(read_log(log, '.err'))}")
        return result
    shutil.rmtree(warm)
    before, start = cpu_seconds(), time.perf_counter()
    for run in range(args.runs):
        folder = work / f"N{n}-run{run + 1}"
        shutil.copytree(template, folder)
        alog, plog = LOGS / f"apply.N{n}.run{run + 1}", LOGS / f"apply.N{n}.run{run + 1}.plan"
        try:
            applied = parse_apply(run_once(apply_argv, env, folder, alog, args.timeout),
                                  alog, folder)
            result.applies.append(applied)
            if applied.error:
                result.errors.append(f"run {run + 1}: {applied.error}")
                continue
            result.plans.append(parse_plan(run_once(plan_argv, env, folder, plog,
                                                    args.timeout), plog))
        except subprocess.TimeoutExpired:
            result.errors.append(f"run {run + 1}: timed out after {args.timeout:.0f} s")
            continue
        if result.check is None:  # untimed checks, on the first run that applied
            pause = time.perf_counter()
            check = read_back(python, env, folder, values)
            files = [_beside(log, suffix) for log in (alog, plog) for suffix in (".out", ".err")]
            files += sorted((folder / ".apigwctl" / "journal").glob("*.jsonl"))
            files += sorted((folder / ".apigwctl" / "cache").glob("*"))
            check.leaked = leaks(values, files)
            check.replan = replan_changes(exe, env, folder)
            result.check = check
            start += time.perf_counter() - pause  # not part of the timed runs' CPU share
        shutil.rmtree(folder, ignore_errors=True)
    result.others = other_cpu(before, cpu_seconds()) / max(1e-9, time.perf_counter() - start)
    return result


# ---------------------------------------------------------------- boto3 by hand on moto


@contextlib.contextmanager
def moto_server(python: Path, env: dict[str, str], work: Path,
                timeout: float = 60) -> Iterator[str]:
    """A moto server on a free port (moto_server beside the venv's Python); yields its URL."""
    server = python.parent / "moto_server"
    log = LOGS / "apply.moto-server.err"
    with log.open("wb") as err:
        proc = subprocess.Popen([str(server), "-H", "127.0.0.1", "-p", "0"],
                                stdout=err, stderr=subprocess.STDOUT, env=env, cwd=work,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        url = None
        while url is None:
            found = re.search(r"Running on (http://[\d.]+:\d+)", log.read_text(errors="replace"))
            url = found[1] if found else None
            if url is None and (proc.poll() is not None or time.monotonic() > deadline):
                raise RuntimeError("moto_server did not start: "
                                   + last_line(log.read_text(errors="replace")))
            time.sleep(0.05)
        yield url
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            _kill_session(proc.pid)
            proc.wait()


def reset_moto(url: str) -> None:
    request = urllib.request.Request(f"{url}/moto-api/reset", method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def measure_boto3(result: SizeResult, spec_json: Path, *, python: Path,
                  env: dict[str, str], work: Path, args: argparse.Namespace) -> None:
    script = PEER_BENCH / "boto3_deploy.py"
    if not script.exists():
        result.errors.append(f"{script} not found: no by-hand comparison")
        return
    n = result.n
    try:
        with moto_server(python, env, work) as url:
            argv = [str(python), str(script), str(spec_json), str(n)]
            for run in range(args.runs + 1):  # the first is the warm-up
                reset_moto(url)
                log = LOGS / f"apply.N{n}.boto3.{'warm-up' if run == 0 else f'run{run}'}"
                proc = run_once(argv, env | {"EP": url}, work, log, args.timeout)
                found = BOTO3_LINE.search(read_log(log, ".out"))
                sample = Boto3Sample(proc, int(found[1]) if found else None,
                                     float(found[2]) if found else None,
                                     float(found[3]) if found else None)
                if proc.rc != 0 or not found:
                    sample.error = (f"boto3_deploy.py exit {proc.rc}: "
                                    f"{last_line(read_log(log, '.err'))}")
                    result.errors.append(f"by hand, run {run}: {sample.error}")
                if run:
                    result.boto3.append(sample)
                elif sample.error:
                    return
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        result.errors.append(f"by hand: {exc}")


# ---------------------------------------------------------------- quotas


QUOTA_PROBE = """\
import sys, tempfile
from pathlib import Path
from apigwctl.aws.calls import botocore_config
from apigwctl.aws.emulator.core import Emulator
with tempfile.TemporaryDirectory() as d, Emulator(Path(d), write=True) as em:
    c = em.client("apigateway", config=botocore_config())  # no botocore retry hides a 429
    for _ in range(100):
        try:
            c.get_rest_apis()
        except Exception as exc:
            code = (getattr(exc, "response", None) or {}).get("Error", {}).get("Code")
            print("aws" if code == "TooManyRequestsException" else f"error {code}")
            break
    else:
        print("off")
"""


def emulator_quotas(python: Path, env: dict[str, str], work: Path) -> str:
    """Whether the embedded emulator answers 429 past AWS's shared burst of 40 calls."""
    rc, out, err = capture([str(python), "-c", QUOTA_PROBE], env, work)
    return out.strip() if rc == 0 else f"probe failed: {last_line(err)}"


BOUNDS = """\
import json, sys
from apigwctl.aws.calls import lower_bound
print(json.dumps({k: lower_bound(ops) for k, ops in json.load(sys.stdin).items()}))
"""


def lower_bounds(python: Path, env: dict[str, str], results: Sequence[SizeResult]) -> None:
    """calls.lower_bound (of the measured copy of apigwctl) for every call sequence."""
    wanted: dict[str, list[str]] = {}
    for r in results:
        wanted[f"boto3 {r.n}"] = boto3_sequence(r.n)
        for i, a in enumerate(r.applies):
            if a.sequence:
                wanted[f"apply {r.n} {i}"] = a.sequence
    rc, out, err = capture([str(python), "-c", BOUNDS], env, OUT, stdin=json.dumps(wanted))
    if rc != 0:
        raise RuntimeError(f"lower_bound failed: {last_line(err)}")
    bounds = json.loads(out)
    for r in results:
        r.boto3_bound = bounds.get(f"boto3 {r.n}")
        for i, a in enumerate(r.applies):
            a.bound = bounds.get(f"apply {r.n} {i}")


# ---------------------------------------------------------------- report


@dataclass
class Run:
    results: list[SizeResult]
    runs: int
    notes: list[str]
    load: tuple[float, float]
    started: str
    command: str
    tools: str
    code: str
    quotas: str  # the emulator's quota mode, as probed


def seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} s"


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def spread(values: Sequence[int | None]) -> str:
    found = sorted({v for v in values if v is not None})
    text = "-".join(str(v) for v in (found[0], found[-1])) if len(found) > 1 else (
        str(found[0]) if found else "n/a")
    return text + (" (+ runs without the figure)" if None in values else "")


def bound_of(r: SizeResult) -> float | None:
    return median([a.bound for a in r.ok_applies()])


def apply_wall(r: SizeResult) -> float | None:
    return median([a.proc.wall for a in r.ok_applies()])


def ratio_text(wall: float | None, bound: float | None) -> str:
    if wall is None or bound is None:
        return "n/a"
    return f"{wall / bound:.2f}x" if bound > 0 else "∞ (bound 0 s)"


def busy(r: SizeResult) -> str:
    return " †" if r.others > BUSY else ""


def apply_table(run: Run) -> list[str]:
    lines = [row(["N keys", "exit", "AWS calls", "retries", "waited for quota",
                  "quota lower bound", "median wall", "wall / bound", "median CPU",
                  "peak RSS"]), row(["---"] * 10)]
    for r in run.results:
        ok = r.ok_applies()
        if not ok:
            lines.append(row([f"{r.n:,}", "; ".join(r.errors[:1]) or "no run", *[""] * 8]))
            continue
        rss = [a.proc.rss_kb for a in ok if a.proc.rss_kb is not None]
        lines.append(row([
            f"{r.n:,}", ", ".join(str(c) for c in sorted({a.proc.rc for a in r.applies})),
            spread([a.total for a in ok]), spread([a.retries for a in ok]),
            seconds(median([a.quota_wait for a in ok])), seconds(bound_of(r)),
            seconds(apply_wall(r)) + busy(r), ratio_text(apply_wall(r), bound_of(r)),
            seconds(median([a.proc.cpu for a in ok])),
            f"{max(rss) / 1024:.0f} MB" if rss else "n/a"]))
    return lines


def operations_table(run: Run) -> list[str]:
    """Calls per AWS operation, from each N's first successful run."""
    firsts = {r.n: r.ok_applies()[0] for r in run.results if r.ok_applies()}
    if not firsts:
        return []
    ops = sorted({op for a in firsts.values() for op in a.calls})
    sizes = [r.n for r in run.results if r.n in firsts]
    lines = ["AWS calls per operation (first run of each N; the quota that applies to it):",
             "", row(["operation", "AWS quota", *(f"N = {n:,}" for n in sizes)]),
             row(["---"] * (2 + len(sizes)))]
    for op in ops:
        lines.append(row([op, QUOTA_TEXT.get(op, "10/s, burst 40 (shared)"),
                          *(str(firsts[n].calls.get(op, 0)) for n in sizes)]))
    lines.append(row(["**total**", "", *(f"**{firsts[n].total}**" for n in sizes)]))
    varying = [r.n for r in run.results
               if len({tuple(sorted(a.calls.items())) for a in r.ok_applies()}) > 1]
    if varying:
        lines += ["", "The calls differed between runs for N = "
                  + ", ".join(map(str, varying)) + " (see bench/out/apply-results.json)."]
    return lines


QUOTA_TEXT = {  # reference/aws-apigateway.md §2.1, as apigwctl.aws.calls.AWS_QUOTAS has them
    "CreateRestApi": "1 per 3 s (Regional)",
    "ImportRestApi": "1 per 3 s (Regional), 1 per 30 s (edge)",
    "PutRestApi": "1/s",
    "CreateDeployment": "1 per 5 s",
    "CreateApiKey": "5/s",
    "UpdateUsagePlan": "1 per 20 s",
    "GetResources": "5 per 2 s",
}


def replan_table(run: Run) -> list[str]:
    lines = [row(["N keys", "exit", "the re-plan says", "read calls", "limit 10 + ⌈N/500⌉",
                  "median wall"]), row(["---"] * 6)]
    for r in run.results:
        if not r.plans:
            continue
        says = sorted({p.says for p in r.plans})
        lines.append(row([
            f"{r.n:,}", ", ".join(str(c) for c in sorted({p.proc.rc for p in r.plans})),
            "; ".join(says), spread([p.reads for p in r.plans]), str(target_reads(r.n)),
            seconds(median([p.proc.wall for p in r.plans])) + busy(r)]))
    return lines


def comparison_table(run: Run) -> list[str]:
    lines = [row(["N keys", "apigwctl apply: calls", "apigwctl: process wall",
                  "by hand (boto3): calls", "by hand: wall in boto3 / process",
                  "published (boto3, moto)", "AWS quota lower bound: apigwctl / by hand"]),
             row(["---"] * 7)]
    for r in run.results:
        ok, hand = r.ok_applies(), r.ok_boto3()
        published = PUBLISHED_BOTO3.get(r.n)
        lines.append(row([
            f"{r.n:,}", spread([a.total for a in ok]), seconds(apply_wall(r)),
            spread([b.calls for b in hand]) if hand else "n/a",
            (f"{seconds(median([b.wall for b in hand]))} / "
             f"{seconds(median([b.proc.wall for b in hand]))}") if hand else "n/a",
            f"{published[0]} / {published[1]:.2f} s" if published else "—",
            f"{seconds(bound_of(r))} / {seconds(r.boto3_bound)}"]))
    return lines


def targets(r: SizeResult) -> dict[str, bool | None]:
    ok = r.ok_applies()
    calls = [a.total for a in ok]
    wall, bound = apply_wall(r), bound_of(r)
    waits = median([a.quota_wait for a in ok])
    reads = [p.reads for p in r.plans]
    check = r.check
    return {
        f"apply: ≤ {TARGET_CALLS} AWS calls": (
            None if not ok else all(c is not None and c <= TARGET_CALLS for c in calls)),
        f"apply: wall ≤ {TARGET_RATIO}x the quota lower bound": (
            None if wall is None or bound is None
            else bound > 0 and bound <= wall <= TARGET_RATIO * bound),
        f"(apply: time waited for quota ≤ {TARGET_RATIO}x the bound)": (
            None if waits is None or bound is None else waits <= TARGET_RATIO * bound + 0.01),
        "re-plan: ≤ 10 + ⌈N/500⌉ read calls": (
            None if not reads else all(x is not None and x <= target_reads(r.n)
                                       for x in reads)),
        "(re-plan: \"No changes.\", exit 0)": (
            None if not r.plans else all(p.proc.rc == 0 for p in r.plans)),
        "(keys: values and plan links as in the file, no value in any output)": (
            None if check is None or check.error else
            check.keys == r.n and check.values_ok == r.n and check.linked_ok == r.n
            and check.plans == len(PLANS) and not check.leaked),
    }


def target_table(run: Run) -> list[str]:
    if not run.results:
        return []
    names = list(targets(run.results[0]))
    lines = ["Targets (in parentheses: checks that are not targets of their own):", "",
             row(["target", *(f"N = {r.n:,}" for r in run.results)]),
             row(["---"] * (1 + len(run.results)))]
    table = [targets(r) for r in run.results]
    for name in names:
        lines.append(row([name, *(verdict(t[name]) for t in table)]))
    return lines


def check_lines(run: Run) -> list[str]:
    lines: list[str] = []
    for r in run.results:
        c = r.check
        if c is None:
            continue
        if c.error:
            lines.append(f"- N = {r.n:,}: {c.error}")
            continue
        changes = ", ".join(f"{v} x {k}" for k, v in sorted(c.replan.items())) or "nothing"
        lines.append(
            f"- N = {r.n:,}: {c.keys:,} keys in the emulator, {c.values_ok:,} with the file's "
            f"value, {c.linked_ok:,} linked to their plan alone, {c.plans} usage plans; key "
            f"values found in {len(c.leaked)} of the outputs, plans and journals"
            f"{' (' + ', '.join(c.leaked) + ')' if c.leaked else ''}; a re-plan would "
            f"change: {changes}.")
    return ["Checked after the first run of each N (untimed):", "", *lines] if lines else []


def analysis(run: Run) -> list[str]:
    """Notes the figures call for: a zero bound, a re-plan that is not a no-op."""
    notes: list[str] = []
    if run.quotas != "aws":
        notes.append(
            f"The embedded emulator does not enforce AWS's quotas in this build (probe: "
            f"{run.quotas}; `APIGWCTL_EMULATOR_QUOTAS={QUOTA_MODE}` was set): the apply walls "
            "are measured under apigwctl's client-side quotas only (`QuotaClient`, on for "
            "every call), and the lower bound is reported beside them.")
    zero = [r.n for r in run.results if bound_of(r) == 0]
    if zero:
        notes.append(
            "The quota lower bound is 0 s for N = " + ", ".join(f"{n:,}" for n in zero)
            + ": every operation's calls fit in its bucket's burst (one CreateRestApi, "
            "PutRestApi and CreateDeployment each, all keys in one ImportApiKeys, fewer than "
            "40 calls in all), so AWS's quotas require no wait at all and no positive wall "
            "clock is within 1.1x of the bound. The wall is process start-up, planning and "
            "the emulator's own work; the time spent waiting for quota is the quota part, "
            "checked against the bound in the supplementary row.")
    for r in run.results:
        if r.plans and any(p.proc.rc != 0 for p in r.plans) and r.check and r.check.replan:
            changes = ", ".join(f"{v} x {k}" for k, v in sorted(r.check.replan.items()))
            notes.append(f"N = {r.n:,}: the re-plan after the apply is not a no-op "
                         f"({changes}).")
    return notes


def disturbed(run: Run) -> list[str]:
    cells = [r for r in run.results if r.others > BUSY]
    if not cells:
        return []
    worst = max(r.others for r in cells)
    return ["", f"† other processes used more than {BUSY:.2f} CPU (up to {worst:.2f}) during "
            "these rows' timed runs: treat their wall clock as an upper bound."]


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


def render(run: Run) -> str:
    worst = max((r.others for r in run.results), default=0.0)
    quotas = ("on (AWS's quotas; probed: 429 past the shared burst)" if run.quotas == "aws"
              else "off (probed: no 429 past the shared burst)" if run.quotas == "off"
              else f"unknown ({run.quotas})")
    lines = [
        f"Measured {run.started} by `{run.command}`.", "",
        machine(Path(sys.executable)),
        f"- tools: {run.tools} ({run.code})",
        f"- embedded emulator's quotas: {quotas}; apigwctl's client-side quotas: on",
        f"- other work on the machine: at most {worst:.2f} CPU during any N's timed runs; "
        f"1-minute load average {run.load[0]:.2f} before, {run.load[1]:.2f} after",
        "", f"Apply from scratch, embedded emulator: {run.runs} timed cold processes per N "
        "after one warm-up; medians, peak RSS = max over the runs:", "",
        *apply_table(run), *disturbed(run), "", *operations_table(run), "",
        "The no-op re-plan (`apigwctl plan --detailed-exitcode`) right after each apply:", "",
        *replan_table(run), "",
        "The same deployment by hand, call by call (`boto3_deploy.py`, moto server, no "
        "quotas), against apigwctl:", "",
        *comparison_table(run), "", *target_table(run), "", *check_lines(run),
    ]
    errors = [f"N = {r.n:,}: {e}" for r in run.results for e in r.errors]
    notes = [*analysis(run), *run.notes, *errors]
    if notes:
        lines += ["", "Notes:", *(f"- {n}" for n in notes)]
    return "\n".join(lines) + "\n"


def write_doc(path: Path, body: str) -> None:
    """Replace this script's block; the first time, add a `## apply` section at the end."""
    block = f"{BEGIN}\n{body}{END}\n"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END):].lstrip("\n")
    else:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n{INTRO}\n{block}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def dump(run: Run, path: Path) -> None:
    data: dict[str, Any] = {
        "started": run.started, "runs": run.runs, "notes": run.notes, "load": run.load,
        "tools": run.tools, "code": run.code, "emulator_quotas": run.quotas,
        "sizes": [{"n": r.n, "errors": r.errors, "other_cpus": r.others,
                   "quota_lower_bound_s": bound_of(r), "median_wall_s": apply_wall(r),
                   "boto3_quota_lower_bound_s": r.boto3_bound,
                   "targets": {k: v for k, v in targets(r).items()},
                   "applies": [asdict(a) for a in r.applies],
                   "replans": [asdict(p) for p in r.plans],
                   "check": asdict(r.check) if r.check else None,
                   "boto3": [asdict(b) for b in r.boto3]} for r in run.results],
    }
    path.write_text(json.dumps(data, indent=1))


# ---------------------------------------------------------------- environment and main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--sizes", help="numbers of API keys (default 10,100,1000; --quick: 10,100)")
    p.add_argument("--runs", type=int, help="timed runs per N (default 3; --quick: 1)")
    p.add_argument("--quick", action="store_true",
                   help="smoke test: 1 run, N = 10 and 100; writes bench/out/"
                   "benchmarks-quick.md instead of docs/benchmarks.md")
    p.add_argument("--no-boto3", action="store_true", help="skip the by-hand comparison")
    p.add_argument("--output", type=Path, help="Markdown file to update")
    p.add_argument("--apigwctl", help="apigwctl executable (default: next to this Python)")
    p.add_argument("--source", type=Path, default=REPO / "src" / "apigwctl",
                   help="the apigwctl package to measure (default: src/apigwctl)")
    p.add_argument("--timeout", type=float, default=600, help="seconds per process")
    p.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                   help="before each N, wait up to SECONDS for other processes to go quiet")
    args = p.parse_args(argv)
    args.runs = args.runs or (1 if args.quick else 3)
    sizes = args.sizes or ("10,100" if args.quick else "10,100,1000")
    args.sizes = [int(s) for s in sizes.split(",") if s.strip()]
    args.output = args.output or (OUT / "benchmarks-quick.md" if args.quick else DOC)
    return args


def measure_all(exe: Path, python: Path, env: dict[str, str], args: argparse.Namespace,
                work: Path) -> list[SizeResult]:
    spec_yaml, spec_json = generate_specs(python, work)
    results: list[SizeResult] = []
    for n in args.sizes:
        print(f"N = {n:5d} ...", end="", file=sys.stderr, flush=True)
        if args.wait_quiet:
            wait_quiet(args.wait_quiet)
        template, values = make_template(work, n, spec_yaml)
        result = measure_apigwctl(n, template, values, exe=exe, python=python, env=env,
                                  work=work, args=args)
        if not args.no_boto3:
            measure_boto3(result, spec_json, python=python, env=env, work=work, args=args)
        shutil.rmtree(template, ignore_errors=True)
        results.append(result)
        first = result.ok_applies()[0] if result.ok_applies() else None
        print(f" apply {first.total if first else 'failed'} calls, "
              f"{seconds(apply_wall(result))}; re-plan "
              f"{spread([p.reads for p in result.plans])} reads", file=sys.stderr)
    lower_bounds(python, env, results)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    setup = set_up(args, SNAPSHOT, documented_runs=3, unit="N")
    if setup is None:
        return 1
    exe, python, source, digest, code, notes = (setup.exe, setup.python, setup.source,
                                                setup.digest, setup.code, setup.notes)
    env = setup.env | {"AWS_DEFAULT_REGION": "us-east-1", "APIGWCTL_EMULATOR_QUOTAS": QUOTA_MODE}
    load0 = os.getloadavg()[0]
    started = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    with tempfile.TemporaryDirectory(prefix="apigwctl-apply-bench-") as tmp:
        work = Path(tmp)
        quotas = emulator_quotas(python, env, work)
        results = measure_all(exe, python, env, args, work)
    if source == (REPO / "src" / "apigwctl").resolve() and source_digest(source) != digest:
        notes.append("src/ changed during the run; the figures are for the snapshot taken at "
                     "the start (source digest above)")
    command = " ".join(["bench/apply.py", *(argv if argv is not None else sys.argv[1:])])
    run = Run(results, args.runs, notes, (load0, os.getloadavg()[0]), started, command,
              versions(python, env), code, quotas)
    body = render(run)
    print(body)
    write_doc(args.output, body)
    dump(run, OUT / ("apply-results-quick.json" if args.quick else "apply-results.json"))
    return 1 if any(a.error for r in results for a in r.applies) or any(
        not r.ok_applies() for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
