"""API key values: a wrapper that never prints itself, and the salted digest that replaces it.

An API key value may be read from the environment or a file (``${env:X}``, ``${file:P}``) and
must then reach AWS, but nothing else: not stdout, a log, a finding, a plan file, a journal
or a ``repr``. :class:`Secret` holds it; only :meth:`Secret.reveal` gives it back, so every
place that handles the text is a grep for ``reveal(`` away. To tell whether a live key's
value changed, both sides are reduced to :func:`value_digest` (HMAC-SHA256 under a salt the
project keeps), which can be compared and stored without disclosing the value.

Pure: no I/O except :func:`new_salt`'s randomness.
"""

from __future__ import annotations

import hashlib
import hmac
import os

REDACTED = "(sensitive)"
DIGEST_PREFIX = "hmac-sha256:"
SALT_BYTES = 32


class Secret:
    """A sensitive string. ``str``, ``repr`` and formatting show ``(sensitive)``.

    Not a ``str`` subclass on purpose: concatenation, ``.encode()`` or ``json.dumps`` of a
    ``str`` subclass would hand out the value; here they fail or show the placeholder.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("Secret wraps a str")
        self._value = value

    def reveal(self) -> str:
        """The value itself: call it only to send the value to AWS or to digest it."""
        return self._value

    def __len__(self) -> int:
        return len(self._value)

    def __repr__(self) -> str:
        return REDACTED

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return format(REDACTED, spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, hashlib.sha256(self._value.encode()).digest()))

    def __copy__(self) -> Secret:
        return self  # immutable

    def __deepcopy__(self, memo: dict[int, object]) -> Secret:
        return self

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret is not pickled (it would be written out in clear)")


def value_digest(salt: bytes, value: str) -> str:
    """``hmac-sha256:<hex>`` of ``value`` under ``salt``: equal values, equal digests.

    Keyed, so a digest found in a plan file cannot be checked against guessed values without
    the salt, which stays beside the project (never in the plan).
    """
    mac = hmac.new(salt, value.encode("utf-8"), hashlib.sha256).hexdigest()
    return DIGEST_PREFIX + mac


def new_salt() -> bytes:
    """A fresh random salt (32 bytes) for :func:`value_digest`."""
    return os.urandom(SALT_BYTES)
