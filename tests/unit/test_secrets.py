"""apigwctl.secrets: a Secret never shows its value; value_digest is a keyed HMAC."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import hmac
import json
import pickle

import pytest

from apigwctl.secrets import DIGEST_PREFIX, Secret, new_salt, value_digest

VALUE = "Zk3u9QpL0aXr7WmT2cVb8YsN"


def test_secret_prints_as_sensitive_everywhere() -> None:
    secret = Secret(VALUE)
    shown = [str(secret), repr(secret), f"{secret}", f"{secret!r}", f"{secret:>20}",
             format(secret), str([secret]), str({"k": secret})]
    assert all(VALUE not in text for text in shown)
    assert str(secret) == repr(secret) == "(sensitive)"
    assert secret.reveal() == VALUE and len(secret) == len(VALUE)


def test_secret_is_not_a_str_so_it_cannot_leak_by_str_operations() -> None:
    secret = Secret(VALUE)
    assert not isinstance(secret, str)
    with pytest.raises(TypeError):
        json.dumps({"value": secret})
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    with pytest.raises(TypeError):
        _ = "x" + secret  # type: ignore[operator]
    with pytest.raises(TypeError):
        Secret(123)  # type: ignore[arg-type]


def test_secret_equality_hash_and_copies() -> None:
    assert Secret(VALUE) == Secret(VALUE) and hash(Secret(VALUE)) == hash(Secret(VALUE))
    assert Secret(VALUE) != Secret(VALUE + "x")
    assert Secret(VALUE) != VALUE  # never equal to the clear text
    secret = Secret(VALUE)
    assert copy.copy(secret) is secret and copy.deepcopy(secret) is secret

    @dataclasses.dataclass(frozen=True)
    class Holder:
        value: Secret

    assert VALUE not in repr(Holder(secret))
    assert dataclasses.asdict(Holder(secret))["value"] is secret


def test_value_digest_is_hmac_sha256_under_the_salt() -> None:
    salt = b"s" * 32
    expected = hmac.new(salt, VALUE.encode(), hashlib.sha256).hexdigest()
    assert value_digest(salt, VALUE) == DIGEST_PREFIX + expected == "hmac-sha256:" + expected
    assert value_digest(salt, VALUE) == value_digest(salt, VALUE)
    assert value_digest(salt, VALUE) != value_digest(b"t" * 32, VALUE)
    assert value_digest(salt, VALUE) != value_digest(salt, VALUE + "x")
    assert VALUE not in value_digest(salt, VALUE)


def test_new_salt_is_random_32_bytes() -> None:
    a, b = new_salt(), new_salt()
    assert len(a) == len(b) == 32 and a != b
