"""The embedded emulator: moto in-process, restored from and saved to ``state_dir``.

``with Emulator(path, write=True) as client:`` takes the lock (exclusive for writers, shared
for readers), isolates the process from the user's AWS configuration, starts ``mock_aws()``,
installs the fidelity layer and the journal hook, restores the snapshot, replays the journal
past it, and yields a factory of plain boto3 clients. A writer journals every write request
as moto answers it and, on exit, saves a snapshot and starts a new journal. A reader that
sends a write gets an ``EmulatorReadOnly`` error: its change would otherwise vanish silently.

Start-up cost matters (every ``plan`` pays it), hence two economies:

- moto's API Gateway models import openapi-spec-validator (about 0.1 s with its pydantic
  settings) only to validate documents in moto's own ``import_rest_api``/``put_rest_api``,
  which the fidelity layer replaces. :func:`_import_moto_apigateway` imports them with the
  validator deferred to its first use.
- One boto3 session per emulator serves both the clients it hands out and moto's region
  lists (``AccountSpecificBackend.get_session``), so botocore parses its 1.2 MB endpoint
  data and the service model once instead of twice.
"""

from __future__ import annotations

import hashlib
import os
import sys
import types
from pathlib import Path
from types import TracebackType
from typing import Any

import boto3
import moto
from botocore.config import Config
from moto import mock_aws
from moto.core.base_backend import AccountSpecificBackend, BackendDict
from moto.core.exceptions import JsonRESTError
from moto.moto_api._internal import mock_random

_OSV_MODULES = ("openapi_spec_validator", "openapi_spec_validator.validation",
                "openapi_spec_validator.validation.exceptions")


class _NotRaised(Exception):
    """Stands in for openapi-spec-validator's error class until the validator is loaded."""


def _validate_lazily(*args: Any, **kwargs: Any) -> Any:
    """moto's ``validate``: loads openapi-spec-validator, and its error class with it, into
    moto's module before the first validation (``except`` looks the class up when raised)."""
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    models = sys.modules["moto.apigateway.models"]
    models.__dict__.update(validate=validate, OpenAPIValidationError=OpenAPIValidationError)
    return validate(*args, **kwargs)


def _import_moto_apigateway() -> None:
    """Import ``moto.apigateway.models`` with openapi-spec-validator deferred.

    The models module does ``from openapi_spec_validator import validate`` and imports
    ``OpenAPIValidationError``; placeholder modules answer those two imports and are removed
    right after, so any later ``import openapi_spec_validator`` gets the real package.
    """
    if "moto.apigateway.models" in sys.modules or any(m in sys.modules for m in _OSV_MODULES):
        import moto.apigateway.models  # already loaded, or the validator is
        return
    stubs = {name: types.ModuleType(name) for name in _OSV_MODULES}
    stubs["openapi_spec_validator"].__dict__["validate"] = _validate_lazily
    stubs["openapi_spec_validator.validation.exceptions"].__dict__[
        "OpenAPIValidationError"] = _NotRaised
    sys.modules.update(stubs)
    try:
        import moto.apigateway.models  # noqa: F401
    finally:
        for name, stub in stubs.items():
            if sys.modules.get(name) is stub:
                del sys.modules[name]


_import_moto_apigateway()

# Imported after the line above: each of these imports moto.apigateway.models.
from moto.apigateway.models import apigateway_backends  # noqa: E402
from moto.apigatewayv2.models import apigatewayv2_backends  # noqa: E402

from apigwctl.aws.emulator import fidelity, journal, quotas, store  # noqa: E402
from apigwctl.aws.emulator.store import JournalEntry, JournalWriter  # noqa: E402

DEFAULT_STATE_DIR = Path(".apigwctl/emulator")
MOTO_VERSION: str = moto.__version__
DEFAULT_REGION = "us-east-1"
_BACKENDS: dict[str, BackendDict[Any]] = {"apigateway": apigateway_backends,
                                           "apigatewayv2": apigatewayv2_backends}
_ISOLATED_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                 "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": DEFAULT_REGION,
                 "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
_REMOVED_ENV = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL",
                "AWS_ENDPOINT_URL_API_GATEWAY", "AWS_ENDPOINT_URL_APIGATEWAYV2")


class EmulatorReadOnly(JsonRESTError):  # type: ignore[misc]  # moto is untyped for mypy
    code = 400

    def __init__(self) -> None:
        super().__init__("EmulatorReadOnlyException",
                         "this apigwctl command opened the emulator read-only; "
                         "its writes would not be saved")


class _Journal:
    """The journal hook's sink for a writer: seeds per entry, appends each entry."""

    def __init__(self, writer: JournalWriter, generation: str, first: int) -> None:
        self.writer, self.generation, self.count = writer, generation, first

    def next_seed(self) -> int:
        digest = hashlib.sha256(f"{self.generation}:{self.count}".encode()).digest()
        return int.from_bytes(digest[:8], "big")

    def record(self, entry: JournalEntry) -> None:
        self.writer.append(entry)
        self.count += 1


class _ReadOnly:
    def next_seed(self) -> int:
        raise EmulatorReadOnly()

    def record(self, entry: JournalEntry) -> None:  # pragma: no cover - never reached
        raise EmulatorReadOnly()


def snapshot_state() -> dict[str, Any]:
    """Every loaded API Gateway backend (v1 and v2) plus moto's RNG state."""
    services = {name: {acct: dict(regions) for acct, regions in bd.items()}
                for name, bd in _BACKENDS.items()}
    return {"services": services, "random": mock_random.getstate()}


def restore_state(state: dict[str, Any]) -> None:
    for name, accounts in state["services"].items():
        for acct, regions in accounts.items():
            account_backends = _BACKENDS[name][acct]
            for region, backend in regions.items():
                dict.__setitem__(account_backends, region, backend)
    mock_random.setstate(state["random"])


class Emulator:
    """Context manager yielding ``client(service_name, region) -> botocore client``."""

    def __init__(self, state_dir: Path = DEFAULT_STATE_DIR, *, write: bool,
                 lock_timeout: float = 30.0) -> None:
        self.state_dir = Path(state_dir)
        self.write = write
        self.lock_timeout = lock_timeout
        self._lock: Any = None
        self._mock: Any = None
        self._env: dict[str, str | None] = {}
        self._writer: JournalWriter | None = None
        self._sink: _Journal | None = None
        self._session: boto3.session.Session | None = None
        self._moto_get_session: Any = None  # moto's own, restored on stop
        self._quotas: quotas.Activation | None = None

    def client(self, service_name: str, region: str = DEFAULT_REGION, *,
               config: Config | None = None) -> Any:
        """A botocore client of the emulator, from the emulator's own boto3 session (whose
        endpoint data and service models are already loaded); ``config`` defaults to one
        attempt per call."""
        session = self._session or boto3.session.Session()
        return session.client(service_name, region_name=region,
                              aws_access_key_id="testing", aws_secret_access_key="testing",
                              config=config or Config(retries={"max_attempts": 1}))

    def __enter__(self) -> Emulator:
        self._lock = store.locked(self.state_dir, exclusive=self.write,
                                  timeout=self.lock_timeout)
        self._lock.__enter__()
        try:
            self._start()
        except BaseException:
            self._stop()
            raise
        return self

    def _start(self) -> None:
        self._env = {k: os.environ.get(k) for k in (*_ISOLATED_ENV, *_REMOVED_ENV)}
        os.environ.update(_ISOLATED_ENV)
        for key in _REMOVED_ENV:
            os.environ.pop(key, None)
        # Created in the isolated environment; moto lists regions with it while we run.
        session = self._session = boto3.session.Session()
        self._moto_get_session = AccountSpecificBackend.__dict__["get_session"]
        AccountSpecificBackend.get_session = classmethod(lambda cls: session)
        self._mock = mock_aws()
        self._mock.start()
        fidelity.install()
        journal.install()
        generation = self._restore()
        if self.write:
            self._writer = JournalWriter(self.state_dir, generation)
            self._sink = _Journal(self._writer, generation, first=self._replayed)
            journal.set_sink(self._sink)
        else:
            journal.set_sink(_ReadOnly())
        # After the journal hook: a request refused for quota is never journaled or replayed.
        self._quotas = quotas.activate(self.state_dir)

    def _restore(self) -> str:
        loaded = store.load_snapshot(self.state_dir, MOTO_VERSION)
        gen, entries = store.read_journal(self.state_dir)
        self._replayed = 0
        if loaded is not None:
            header, state = loaded
            restore_state(state)
            if gen != header.generation:  # journal predates the snapshot: already in it
                if self.write:
                    store.save_snapshot_journal(self.state_dir, header.generation)
                return header.generation
            entries = entries[header.journal_len:]
        journal.replay(entries, where=str(self.state_dir / store.JOURNAL))
        self._replayed = len(entries)
        return gen or store.new_generation()

    def save(self) -> None:
        """Snapshot the current state and start an empty journal (writers only)."""
        assert self.write and self._writer is not None and self._sink is not None
        with journal.WRITE_LOCK:
            generation = store.save_snapshot(self.state_dir, snapshot_state(), MOTO_VERSION)
            self._writer.close()
            self._writer = JournalWriter(self.state_dir, generation)
            self._sink.writer, self._sink.generation, self._sink.count = (
                self._writer, generation, 0)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if self.write and self._writer is not None:
                self.save()
        finally:
            self._stop()

    def _stop(self) -> None:
        if self._quotas is not None:
            quotas.deactivate(self._quotas)
            self._quotas = None
        journal.set_sink(None)
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._mock is not None:
            journal.uninstall()
            fidelity.uninstall()
            self._mock.stop()
            self._mock = None
        if self._moto_get_session is not None:
            AccountSpecificBackend.get_session = self._moto_get_session
            self._moto_get_session = None
        self._session = None
        for key, value in self._env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._env = {}
        if self._lock is not None:
            self._lock.__exit__(None, None, None)
            self._lock = None
