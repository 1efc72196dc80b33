"""The loader: hostile input stays cheap, the fast parsers and locators agree with the
reference ones, and the result cache is safe.

Hostile input: each case must give its rule id at a line:col, raise nothing, and stay
within a time and a memory bound (correctness bounds, generous on purpose, not benchmarks).
"""

from __future__ import annotations

import json
import math
import random
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from apigwctl.spec import cache, loader, sourcemap
from apigwctl.spec.loader import Limits, load_spec, parse_text
from apigwctl.spec.validate import FileReport, validate_path
from tests.support import corpus_files

SECONDS = 5.0
MEGABYTES = 64

_SPEC = ('openapi: "3.0.3"\ninfo: {title: t, version: "1"}\npaths:\n  /a:\n    get:\n'
         '      responses:\n        "200":\n          description: ok\n          content:\n'
         '            application/json:\n              schema: {$ref: "%s"}\n')
_HEAD = 'openapi: "3.0.3"\ninfo: {title: t, version: "1"}\npaths: {}\n'
_N = 10_000
_LAUGHS = ('a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 10)))

# name: (file name, content, extra files, rule expected)
HOSTILE: dict[str, tuple[str, str | bytes, dict[str, str], str]] = {
    "alias-bomb": ("s.yaml", _HEAD + _LAUGHS, {}, "E0004"),
    "alias-in-itself-list": ("s.yaml", _HEAD + "x: &x [*x]\n", {}, "E0004"),
    "alias-in-itself-map": ("s.yaml", _HEAD + "x: &x {a: *x}\n", {}, "E0004"),
    "deep-json": ("s.json", '{"openapi": "3.0.3", "x": ' + "[" * _N + "]" * _N + "}", {},
                  "E0003"),
    "deep-json-object": ("s.json", '{"openapi": "3.0.3", "x": ' + '{"a": ' * _N + "1"
                         + "}" * _N + "}", {}, "E0003"),
    "deep-yaml-flow": ("s.yaml", _HEAD + "x: " + "[" * _N + "]" * _N + "\n", {}, "E0003"),
    "deep-yaml-flow-map": ("s.yaml", _HEAD + "x: " + "{a: " * _N + "1" + "}" * _N + "\n", {},
                           "E0003"),
    "deep-yaml-block": ("s.yaml", _HEAD + "x:\n" + "- " * _N + "x\n", {}, "E0003"),
    "deep-yaml-block-map": ("s.yaml", _HEAD + "x:\n" + "".join(
        " " * i + "a:\n" for i in range(400)) + " " * 400 + "a: 1\n", {}, "E0003"),
    "over-bound-json": ("s.json", '{"openapi": "3.0.3", "x": ' + "[" * 300 + "]" * 300 + "}",
                        {}, "E0003"),
    "not-utf8": ("s.yaml", b'openapi: "3.0.3"\ninfo: {title: "\xff\xfe"}\n', {}, "E0001"),
    "not-utf8-json": ("s.json", b'{"openapi": "3.0.3",\n "x": "\xc3\x28"}', {}, "E0001"),
    "duplicate-key-yaml": ("s.yaml", _HEAD + "paths: {}\n", {}, "E0006"),
    "duplicate-key-json": ("s.json", '{"openapi": "3.0.3", "info": {"title": "t", '
                           '"version": "1"}, "paths": {}, "paths": {}}', {}, "E0006"),
    "duplicate-quoted-plain-yaml": ("s.yaml", _HEAD + "x:\n  '200': a\n  200: b\n", {},
                                    "E0006"),
    "not-a-mapping": ("s.yaml", "- 1\n- 2\n", {}, "E0005"),
    "empty": ("s.yaml", "# nothing\n", {}, "E0005"),
    "remote-ref": ("s.yaml", _SPEC % "https://example.com/x.yaml#/A", {}, "E0010"),
    "traversal-ref": ("s.yaml", _SPEC % "../../etc/passwd#/A", {}, "E0011"),
    "missing-ref-file": ("s.yaml", _SPEC % "nope.yaml#/A", {}, "E0012"),
    "missing-ref-target": ("s.yaml", _SPEC % "#/components/schemas/Nope", {}, "E0012"),
    "ref-cycle-two-files": ("s.yaml", _SPEC % "cyc/a.yaml#/X", {
        "cyc/a.yaml": 'X: {$ref: "b.yaml#/Y"}\n', "cyc/b.yaml": 'Y: {$ref: "a.yaml#/X"}\n'},
        "E0100"),
    "mutual-recursion-two-files": ("s.yaml", _SPEC % "cyc/a.yaml#/X", {
        "cyc/a.yaml": 'X: {type: object, properties: {b: {$ref: "b.yaml#/Y"}}}\n',
        "cyc/b.yaml": 'Y: {type: object, properties: {a: {$ref: "a.yaml#/X"}}}\n'}, ""),
}


def _write(root: Path, name: str, content: str | bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _bounded(call: Any) -> Any:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = call()
    finally:
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert elapsed < SECONDS, f"took {elapsed:.1f} s"
    assert peak < MEGABYTES * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    return result


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_input(case: str, tmp_path: Path) -> None:
    name, content, files, rule = HOSTILE[case]
    spec = _write(tmp_path, name, content)
    for rel, text in files.items():
        _write(tmp_path, rel, text)
    report: FileReport = _bounded(lambda: validate_path(str(spec)))
    if not rule:  # a legitimate recursive schema: nothing to say about loading
        assert not [d for d in report.diagnostics if d.rule.startswith("E0")]
        return
    found = [d for d in report.diagnostics if d.rule == rule]
    assert found, [(d.rule, d.message) for d in report.diagnostics]
    assert all(d.line >= 1 and d.col >= 1 for d in found), found


def test_size_bound_is_checked_before_reading(tmp_path: Path) -> None:
    spec = _write(tmp_path, "s.yaml", _HEAD + "#" * 200_000 + "\n")
    report = _bounded(lambda: validate_path(str(spec), limits=Limits(max_bytes=10_000)))
    assert [d.rule for d in report.diagnostics] == ["E0002"]
    assert (report.diagnostics[0].line, report.diagnostics[0].col) == (1, 1)


def test_reading_reserves_only_the_file_size(tmp_path: Path) -> None:
    spec = _write(tmp_path, "s.yaml", _HEAD)
    _bounded(lambda: load_spec(spec, Limits(max_bytes=1 << 30)))


def test_non_utf8_is_placed_at_the_byte(tmp_path: Path) -> None:
    spec = _write(tmp_path, "s.yaml", b'openapi: "3.0.3"\ninfo: {title: "\xff"}\n')
    (d,) = load_spec(spec).diagnostics
    assert (d.rule, d.line, d.col) == ("E0001", 2, 16)


def test_duplicate_keys_are_placed(tmp_path: Path) -> None:
    spec = _write(tmp_path, "s.yaml", _HEAD + "x:\n  a: 1\n  a: 2\n")
    dups = [(d.line, d.col) for d in load_spec(spec).diagnostics if d.rule == "E0006"]
    assert dups == [(6, 3)]
    spec = _write(tmp_path, "s.json", '{\n "openapi": "3.0.3",\n "a": 1,\n "a": 2\n}')
    dups = [(d.line, d.col) for d in load_spec(spec).diagnostics if d.rule == "E0006"]
    assert dups == [(4, 2)]


def test_rapidyaml_errors_stay_off_stderr(tmp_path: Path,
                                          capfd: pytest.CaptureFixture[str]) -> None:
    spec = _write(tmp_path, "s.yaml", _HEAD + "x: [1, 2\n")
    report = validate_path(str(spec))
    assert [d.rule for d in report.diagnostics if d.rule.startswith("E0")] == ["E0001"]
    assert capfd.readouterr().err == ""


# --------------------------------------------------------------------------- fast parsers

_corpus_files = corpus_files


def _same(a: Any, b: Any) -> bool:
    """Equal, with the same types all the way down and the same key order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def _both(path: Path, text: str) -> tuple[Any, Any]:
    def parse(fast: bool) -> Any:
        try:
            return parse_text(path, text, fast=fast)
        except loader._ParseFailure as exc:
            return ("error", exc.rule, exc.message, exc.line, exc.col)
    return parse(True), parse(False)


def test_fast_parsers_read_the_corpus_as_the_reference_does() -> None:
    files = _corpus_files()
    if not files:
        pytest.skip("shared corpus not found; set APIGWCTL_CORPUS")
    for path in files:
        fast, ref = _both(path, path.read_bytes().decode("utf-8-sig"))
        assert _same(fast, ref), path


YAML_SNIPPETS = [
    "a: yes\nb: 'yes'\nc: No\nd: on\ne: OFF\nf: y\ng: ~\nh: null\ni: Null\nj:\nk: ''\n",
    "a: 0777\nb: 0x1F\nc: 0b101\nd: 1_000\ne: 190:20:30\nf: -12\ng: +12\nh: 012\n",
    "a: 1e3\nb: 1.0e3\nc: 1.5E+3\nd: .5\ne: 1.\nf: -.inf\ng: .NaN\nh: inf\ni: nan\n"
    "j: -inf\nk: .Inf\nl: 3.\nm: -0\nn: 0.0\no: 2001-12-14\n",
    "200: a\n'201': b\n1.5: c\ntrue: d\n~: e\n0x10: f\n",
    "a: |\n  line1\n  line2\nb: >\n  f1\n  f2\n\n  f3\nc: |+\n  x\n\nd: |-\n  y\n",
    "a: \"\\u00e9\\x41\\t\\n\\\\ \\\"q\\\"\"\nb: 'it''s'\nc: \"multi\n  line\n\n  para\"\n",
    "a: b # comment\nc: 'd' #e\nf: g#h\ni: j: k\n",
    "a: [1, {b: c}, 'd', \"e\", [f, g]]\nb: {x: 1, y: [2, 3], z: {}}\nc: []\nd: {}\n",
    "a:\n  - - x\n    - y\n  - {p: q}\n  -\n  - ''\n",
    "? a\n: 1\n? 'b'\n: 2\n",
    "---\na: 1\n",
    "a: 1\n...\n",
    "a: 1\r\nb: |\r\n  x\r\n  y\r\nc: 'q\r\n\r\n  r'\r\n",
    "a:\tb\n",
    "a: \"tab\tinside\"\n",
    "a: &x 1\nb: *x\n",
    "a: !!str 12\nb: !Ref x\n",
    "<<: {a: 1}\nb: 2\n",
    "a: =\n",
    "a: @x\n",
    "a: `x\n",
    "a: x\u0085y\n",
    "a: x\u2028y\n",
    "a: \x07\n",
    "%YAML 1.1\n---\na: 1\n",
    "a: 1\n---\nb: 2\n",
    "k" * 1100 + ": 1\n",
    "a: b: c\n",
    "a: [1, 2\n",
    "a:\n  b: 1\n c: 2\n",
    "a: 123456789012345678901234567890\n",
    "a: 1\na: 2\n",
    "a: {b: 1, b: 2}\n",
    "'a': 1\na: 2\n",
    "a: \u00e9t\u00e9\nb: \U0001f600\n\u00fc: x\n",
    "a: 'x'\n\nb:   spaced   \n",
    "a:\n- 1\n- 2\nb: 3\n",
    "{a: 1, b: [x, y]}\n",
    "",
    "# only\n",
    "- 1\n",
    "- a: 1\n",
    "---\n- a: 1\n",
    "---\n# c\n...\n",
    "plain\n",
]


@pytest.mark.parametrize("text", YAML_SNIPPETS, ids=range(len(YAML_SNIPPETS)))
def test_fast_yaml_reads_as_pyyaml_does(text: str) -> None:
    fast, ref = _both(Path("s.yaml"), text)
    assert _same(fast, ref)


JSON_SNIPPETS = [
    '{"a": 1, "b": 1.5, "c": -0, "d": 1E2, "e": [true, false, null], "f": "\\u00e9"}',
    '{"a": NaN}', '{"a": Infinity}', '{"a": 123456789012345678901234567890}',
    '{"a": "\\ud800"}', '{"a": 1, "a": 2}', '{"a": "x:y", "b": "\\u003a"}',
    '{"a": {"b": 1, "b": {"c": 2}}}', '{"a": 1,}', '[1, 2]', '{"a": "\x01"}',
    '{\n  "a": 1\n}\n', "{}", '{"a": 1e400}',
]


@pytest.mark.parametrize("text", JSON_SNIPPETS, ids=range(len(JSON_SNIPPETS)))
def test_fast_json_reads_as_json_does(text: str) -> None:
    fast, ref = _both(Path("s.json"), text)
    assert _same(fast, ref)


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    scalars: list[Any] = [
        "yes", "No", "on", "~", "null", "", "0777", "0x1F", "1_000", "12:30", "1e3", ".5",
        "inf", "-.Inf", "200", "2001-01-01", "a: b", "x #y", " lead", "trail ", "é", "\u00a0",
        "line\nbreak", "'q'", '"dq"', "\\", "@at", "`bt", "- dash", "? q", "%p", "*star",
        "&amp", "!bang", "{b}", "[s]", 0, -1, 1.5, 1e20, -0.0, True, False, None, 10**18,
    ]
    if depth > 3 or rng.random() < 0.4:
        return rng.choice(scalars)
    if rng.random() < 0.5:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = ["k", "200", "yes", "1.5", "~", "a b", "x-y", "é", "", "0x10"]
    out: dict[Any, Any] = {}
    for _ in range(rng.randint(0, 4)):
        key: Any = rng.choice([*keys, 404, True, None, 1.5])
        out[key] = _random_value(rng, depth + 1)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_fast_yaml_reads_random_documents_as_pyyaml_does(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(60):
        doc = {"openapi": "3.0.3", "x": _random_value(rng)}
        flow = rng.choice([False, True, None])
        text = yaml.safe_dump(doc, default_flow_style=flow, allow_unicode=rng.random() < 0.5,
                              width=rng.choice([20, 80, 1000]), sort_keys=False)
        fast, ref = _both(Path("s.yaml"), text)
        assert _same(fast, ref), text


def _generated(n_ops: int) -> dict[str, Any]:
    """A spec shaped like the benchmark's (shared/bench/gen_spec.py): CRUD operations with
    integrations, `${stageVariables.x}` placeholders and quoted response codes."""
    paths: dict[str, Any] = {}
    for i in range(n_ops):
        path = f"/res{i // 5}" + ("/{id}" if i % 5 > 1 else "")
        op: dict[str, Any] = {
            "operationId": f"op{i}", "summary": f"op {i}", "tags": [f"T{i // 5}"],
            "x-amazon-apigateway-integration": {
                "type": "aws_proxy", "httpMethod": "POST", "timeoutInMillis": 29000,
                "uri": "arn:aws:apigateway:r:lambda:path/${stageVariables.fn}/invocations"},
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/R{i // 5}"}}}},
                "400": {"description": "bad"}}}
        if "{id}" in path:
            op["parameters"] = [{"name": "id", "in": "path", "required": True,
                                 "schema": {"type": "string", "maxLength": 64}}]
        paths.setdefault(path, {})[("get", "post", "get", "put", "delete")[i % 5]] = op
    schemas = {f"R{j}": {"type": "object", "required": ["id"], "properties": {
        "id": {"type": "string"}, "n": {"type": "integer", "minimum": 0}}}
        for j in range(n_ops // 5 + 1)}
    return {"openapi": "3.0.3", "info": {"title": "g", "version": "1.0.0"}, "paths": paths,
            "components": {"schemas": schemas}}


def test_fast_paths_are_taken() -> None:
    """The common documents do not fall back to the reference parsers."""
    doc = _generated(200)
    text = yaml.safe_dump(doc, sort_keys=False, width=200)
    fast = loader._parse_yaml_fast(text)
    assert fast is not loader._UNDECIDED
    assert _same(fast, parse_text(Path("s.yaml"), text, fast=False)[0])
    text = json.dumps(doc, indent=1)
    fast = loader._parse_json_fast(text)
    assert fast is not loader._UNDECIDED
    assert _same(fast, json.loads(text))


# --------------------------------------------------------------------------- positions

def _pointers(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _pointers(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _pointers(v, (*path, i))


def _check_positions(path: Path, sizes: tuple[int, ...] = (3, 40, 400, 20_000)) -> None:
    text = path.read_bytes().decode("utf-8-sig")
    try:
        data, fmt, _ = parse_text(path, text)
    except loader._ParseFailure:
        return
    every = [*_pointers(data), ("nope",), ("paths", "/nope", "get")]
    rng = random.Random(str(path))
    for size in sizes:
        wanted = rng.sample(every, min(size, len(every)))
        if fmt == "json" or loader._looks_like_json(path, text):
            assert sourcemap.locate_json(text, wanted) == sourcemap.locate_json_tokens(
                text, wanted), path
        else:
            assert sourcemap.locate_yaml(text, wanted) == sourcemap.locate_yaml_events(
                text, wanted), path


def test_fast_locators_place_as_the_reference_does(tmp_path: Path) -> None:
    files = _corpus_files()
    if not files:
        pytest.skip("shared corpus not found; set APIGWCTL_CORPUS")
    for path in files:
        _check_positions(path)
    doc = _generated(300)
    yml = tmp_path / "g.yaml"
    yml.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    jsn = tmp_path / "g.json"
    jsn.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    for path in (yml, jsn):
        _check_positions(path)


_LOCATABLE = [t for t in YAML_SNIPPETS if t.strip()]


@pytest.mark.parametrize("text", _LOCATABLE, ids=range(len(_LOCATABLE)))
def test_fast_yaml_locator_on_odd_snippets(text: str, tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8", newline="")
    _check_positions(path, sizes=(1000,))


# --------------------------------------------------------------------------- result cache

@pytest.fixture
def cache_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("APIGWCTL_CACHE_DIR", str(where))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("APIGWCTL_NO_CACHE", raising=False)
    return where


def _spec_with_shared(root: Path, shared: str) -> Path:
    _write(root, "api/shared.yaml", shared)
    return _write(root, "api/spec.yaml", _SPEC % "shared.yaml#/Ok")


def _entry(where: Path) -> Path:
    (entry,) = cache.entries(where)
    return entry


def test_cache_warm_run_returns_the_stored_report(cache_env: Path, tmp_path: Path) -> None:
    spec = _spec_with_shared(tmp_path, "Ok: {type: string}\n")
    cold = cache.cached_validate_path(str(spec))
    assert cold == validate_path(str(spec))
    entry = _entry(cache_env)
    # An entry the cache itself signed is what a warm run returns, without validating.
    body = json.loads(entry.read_text(encoding="utf-8"))["body"]
    body["report"]["diagnostics"] = [["E0100", "ERROR", "marker", str(spec), [], 1, 1, None,
                                      None]]
    secret = cache._secret()
    assert secret is not None
    entry.write_text(json.dumps({"body": body, "mac": cache._mac(secret, body)}),
                     encoding="utf-8")
    warm = cache.cached_validate_path(str(spec))
    assert [d.message for d in warm.diagnostics] == ["marker"]


def test_cache_entry_not_signed_by_us_is_ignored(cache_env: Path, tmp_path: Path) -> None:
    spec = _spec_with_shared(tmp_path, "Ok: {type: string}\n")
    cold = cache.cached_validate_path(str(spec))
    entry = _entry(cache_env)
    data = json.loads(entry.read_text(encoding="utf-8"))
    data["body"]["report"]["diagnostics"] = []
    entry.write_text(json.dumps(data), encoding="utf-8")  # the MAC no longer matches
    assert cache.cached_validate_path(str(spec)) == cold


@pytest.mark.parametrize("garbage", [b"", b"\xff\xfe\x00", b"{", b"[]", b'{"body": 1}',
                                     b'{"body": {}, "mac": 5}', b"null", b"1e999999"])
def test_corrupt_cache_entry_is_ignored(cache_env: Path, tmp_path: Path,
                                        garbage: bytes) -> None:
    spec = _spec_with_shared(tmp_path, "Ok: {type: string}\n")
    cold = cache.cached_validate_path(str(spec))
    _entry(cache_env).write_bytes(garbage)
    assert cache.cached_validate_path(str(spec)) == cold
    assert json.loads(_entry(cache_env).read_text(encoding="utf-8"))["mac"]  # rewritten


def test_cache_follows_referenced_files(cache_env: Path, tmp_path: Path) -> None:
    spec = _spec_with_shared(tmp_path, "Ok: {type: string}\n")
    before = cache.cached_validate_path(str(spec))
    assert not [d for d in before.diagnostics if d.rule == "E0012"]
    _write(tmp_path, "api/shared.yaml", "Other: {type: string}\n")
    after = cache.cached_validate_path(str(spec))
    assert [d for d in after.diagnostics if d.rule == "E0012"]
    assert after == validate_path(str(spec))


def test_cache_notices_a_referenced_file_appearing(cache_env: Path, tmp_path: Path) -> None:
    spec = _write(tmp_path, "api/spec.yaml", _SPEC % "later.yaml#/Ok")
    missing = cache.cached_validate_path(str(spec))
    assert [d for d in missing.diagnostics if d.rule == "E0012"]
    _write(tmp_path, "api/later.yaml", "Ok: {type: string}\n")
    assert not [d for d in cache.cached_validate_path(str(spec)).diagnostics
                if d.rule == "E0012"]


def test_cache_key_changes_with_content_and_options(cache_env: Path, tmp_path: Path) -> None:
    spec = _write(tmp_path, "spec.yaml", _HEAD)
    content = spec.read_bytes()
    base = cache.entry_key(str(spec), content, None, Limits(), None)
    assert base != cache.entry_key(str(spec), content + b"\n", None, Limits(), None)
    assert base != cache.entry_key(str(spec), content, loader.ApiKind.HTTP, Limits(), None)
    assert base != cache.entry_key(str(spec), content, None, Limits(max_bytes=9), None)
    assert base != cache.entry_key("./" + str(spec), content, None, Limits(), None)


def test_no_cache_env_turns_it_off(cache_env: Path, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APIGWCTL_NO_CACHE", "1")
    spec = _write(tmp_path, "spec.yaml", _HEAD)
    assert cache.cached_validate_path(str(spec)) == validate_path(str(spec))
    assert not list(cache.entries(cache_env))


def test_unwritable_cache_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = _write(tmp_path, "blocker", "a file where the cache folder should be")
    monkeypatch.setenv("APIGWCTL_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    spec = _write(tmp_path, "spec.yaml", _HEAD)
    assert cache.cached_validate_path(str(spec)) == validate_path(str(spec))
