"""API keys: ``import_api_keys`` (moto 5.2.5 has none), paged ``get_api_keys``, clean deletes.

``import_api_keys(body=CSV, format="csv", failOnWarnings=...)`` follows the API key file
format of the developer guide (reference §5; api-key-file-format.html):

- a header row names the columns, case-insensitively and in any order; ``Name`` and ``Key``
  are required, ``Description``, ``Enabled`` and ``UsagePlanIds`` optional, any other column
  is ignored; values are trimmed (the guide's own example pads them with spaces);
- ``Key`` is 20 to 128 characters, ``Name`` at most 1,024; ``Enabled`` is a case-insensitive
  boolean, ``true`` when empty; ``Description`` is ``""`` when empty;
- ``UsagePlanIds`` is one id or several separated by commas inside a pair of double OR single
  quotes (``"q1,q2"`` / ``'q1,q2'``); each plan gets the key (the usage-plan keys are created
  too), within AWS's one-plan-per-API-stage rule;
- two keys are the same key when their values are equal: a value already present (in the
  account or earlier in the file) is overwritten (name, description, enabled; id kept).

A row that breaks a rule is skipped with a warning in the answer's ``warnings``; with
``failOnWarnings=true`` any warning rolls the whole import back and the answer is
``BadRequestException: Warnings found during import: …`` (the ``failOnWarnings`` description of
``ImportApiKeys``: "rollback ... when error is encountered"). A file without the ``Name`` and
``Key`` columns, or with an unterminated quote, is refused outright. The warnings' and errors'
wording is ours (AWS publishes none) and never contains a key value: they name the row and
the key's name.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from apigwctl.aws.emulator.paging import listing, page, query
from apigwctl.aws.emulator.patching import NotFound, bad_request, now, path_parts, reply
from apigwctl.aws.emulator.usage_plans import KEY_NOT_FOUND, add_key, stage_conflict

MIN_KEY, MAX_KEY, MAX_NAME = 20, 128, 1024
COLUMNS = ("name", "key", "description", "enabled", "usageplanids")


# --- CSV ----------------------------------------------------------------------------------

class _Reader:
    """A CSV reader for the key file: fields quoted with ``"`` or ``'`` (a doubled quote
    inside stands for one), unquoted fields trimmed, blank lines skipped."""

    def __init__(self, text: str) -> None:
        self.text = text.lstrip("\ufeff")
        self.records: list[list[str]] = []
        self.fields: list[str] = []
        self.buf: list[str] = []
        self.quote: str | None = None
        self.quoted = False  # the current field was quoted
        self.started = False  # the current field has a non-blank character

    def read(self) -> list[list[str]]:
        i = 0
        while i < len(self.text):
            i = self._step(i)
        if self.quote is not None:
            raise bad_request("Invalid API key file: a quoted value is not terminated")
        self._end_record()
        return self.records

    def _step(self, i: int) -> int:
        ch = self.text[i]
        if self.quote is not None:
            if ch != self.quote:
                self.buf.append(ch)
            elif self.text[i + 1:i + 2] == ch:
                self.buf.append(ch)
                return i + 2
            else:
                self.quote = None
        elif ch in "\"'" and not self.quoted and not self.started:
            self.quote, self.quoted, self.buf = ch, True, []
        elif ch == ",":
            self._end_field()
        elif ch in "\r\n":
            self._end_record()
        elif not (self.quoted and ch.isspace()):
            self.buf.append(ch)
            self.started = self.started or not ch.isspace()
        return i + 1

    def _end_field(self) -> None:
        text = "".join(self.buf)
        self.fields.append(text if self.quoted else text.strip())
        self.buf, self.quoted, self.started = [], False, False

    def _end_record(self) -> None:
        self._end_field()
        if any(self.fields):
            self.records.append(self.fields)
        self.fields = []


@dataclass
class _Row:
    number: int  # 1 = the first row after the header
    name: str
    value: str
    description: str
    enabled: str
    plans: list[str] = field(default_factory=list)

    def label(self) -> str:
        return f"Row {self.number} ({self.name!r})" if self.name else f"Row {self.number}"


def parse_file(text: str) -> list[_Row]:
    """The key file's rows; a file without ``Name`` and ``Key`` columns is refused."""
    records = _Reader(text).read()
    header = [h.strip().lower() for h in records[0]] if records else []
    if "name" not in header or "key" not in header:
        raise bad_request("Invalid API key file: the header must name the Name and Key columns")
    where = {column: header.index(column) for column in COLUMNS if column in header}
    rows = []
    for number, record in enumerate(records[1:], start=1):
        cell = {c: (record[i] if i < len(record) else "") for c, i in where.items()}
        plans = [p.strip() for p in cell.get("usageplanids", "").split(",") if p.strip()]
        rows.append(_Row(number, cell["name"], cell["key"], cell.get("description", ""),
                         cell.get("enabled", ""), plans))
    return rows


# --- import -------------------------------------------------------------------------------

def _row_problems(backend: Any, row: _Row) -> list[str]:
    """What makes a row unimportable (the key file rules of the module docstring)."""
    problems = []
    if not MIN_KEY <= len(row.value) <= MAX_KEY:
        problems.append(f"{row.label()}: the Key must be between {MIN_KEY} and {MAX_KEY} "
                        "characters")
    if not row.name or len(row.name) > MAX_NAME:
        problems.append(f"{row.label()}: the Name must be between 1 and {MAX_NAME} characters")
    if row.enabled.strip().lower() not in ("", "true", "false"):
        problems.append(f"{row.label()}: Enabled must be true or false")
    problems += [f"{row.label()}: Invalid Usage Plan ID specified: {plan}"
                 for plan in row.plans if plan not in backend.usage_plans]
    return problems


def _upsert(backend: Any, row: _Row, by_value: dict[str, Any]) -> Any:
    """The key with the row's value, created or overwritten (identity is the value)."""
    enabled = row.enabled.strip().lower() != "false"
    key = by_value.get(row.value)
    if key is None:
        key = backend.create_api_key({"name": row.name, "value": row.value,
                                      "description": row.description, "enabled": enabled})
        by_value[row.value] = key
    else:
        key.name, key.description, key.enabled = row.name, row.description, enabled
        key.last_updated_date = now()
    return key


def _link(backend: Any, row: _Row, key_id: str) -> list[str]:
    """Add the key to the row's plans; a plan sharing an API stage with another plan of the
    key is refused with a warning (reference §5)."""
    warnings = []
    for plan_id in row.plans:
        if key_id in backend.usage_plan_keys.get(plan_id, {}):
            continue
        reason = stage_conflict(backend, plan_id, key_id)
        if reason:
            warnings.append(f"{row.label()}: {reason}")
        else:
            add_key(backend, plan_id, key_id)
    return warnings


def import_keys(backend: Any, text: str, fail_on_warnings: bool) -> tuple[list[str], list[str]]:
    """Import the key file into ``backend``; returns the imported keys' ids and the warnings.

    With ``fail_on_warnings`` any warning restores the keys and plan links as they were and
    raises ``BadRequestException``.
    """
    rows = parse_file(text)
    saved = ((copy.deepcopy(backend.keys), copy.deepcopy(backend.usage_plan_keys))
             if fail_on_warnings else None)
    by_value = {k.value: k for k in backend.keys.values()}
    ids: list[str] = []
    warnings: list[str] = []
    for row in rows:
        problems = _row_problems(backend, row)
        if problems:
            warnings += problems
            continue
        key = _upsert(backend, row, by_value)
        ids.append(key.id)
        warnings += _link(backend, row, key.id)
    if warnings and saved is not None:
        backend.keys, backend.usage_plan_keys = saved
        raise bad_request("Warnings found during import:\n\t" + "\n\t".join(warnings))
    return ids, warnings


def handle_import_api_keys(self: Any) -> Any:
    """``ImportApiKeys``: ``POST /apikeys?mode=import&format=csv&failonwarnings=…``."""
    if (query(self, "format") or "").lower() != "csv":
        raise bad_request("Invalid format: only csv is supported")
    raw = self.body or b""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    except UnicodeDecodeError:
        raise bad_request("Invalid API key file: not UTF-8 text") from None
    fail = (query(self, "failonwarnings") or "").lower() == "true"
    ids, warnings = import_keys(self.backend, text, fail)
    body: dict[str, Any] = {"ids": ids}
    if warnings:
        body["warnings"] = warnings
    return reply(body, 201)


# --- get_api_keys / delete_api_key ----------------------------------------------------------

def key_json(key: Any, include_value: bool) -> dict[str, Any]:
    out = {k: v for k, v in key.to_json().items() if v is not None}
    if not include_value:
        out.pop("value", None)
    return out


def handle_get_api_keys(self: Any) -> Any:
    """``GetApiKeys``: ``nameQuery`` (a name prefix), ``customerId``, ``includeValues``,
    paged (``limit``/``position``: :mod:`paging`)."""
    prefix = query(self, "name") or ""
    customer = query(self, "customerId")
    include = (query(self, "includeValues") or "").lower() == "true"
    keys = [k for k in self.backend.keys.values()
            if (k.name or "").startswith(prefix)
            and (customer is None or k.customer_id == customer)]
    items, position = page(self, keys, lambda k: str(k.id))
    return reply(listing([key_json(k, include) for k in items], position))


def handle_delete_api_key(self: Any) -> Any:
    """``DeleteApiKey``: the key leaves every usage plan with it (moto left the plan keys)."""
    key_id = path_parts(self)[1]
    if self.backend.keys.pop(key_id, None) is None:
        raise NotFound(KEY_NOT_FOUND)
    for keys in self.backend.usage_plan_keys.values():
        keys.pop(key_id, None)
    return 202, {"status": "202"}, "{}"
