"""Where plan and apply go: the embedded emulator, AWS, or an AWS-compatible endpoint.

``open_target(target, state_dir, write=...)`` yields a :class:`Connection`: a plain boto3
``apigateway`` client and a one-line description of what it talks to, which every command
prints. The AWS SDK's own configuration chain applies to the aws target (``--profile`` or
the file's profile, ``AWS_PROFILE``, ``AWS_REGION``, ``AWS_ENDPOINT_URL``, ...); the embedded
emulator ignores it. The client is a :class:`QuotaClient`: every call waits for AWS's
quota and is retried when AWS says it may be. SDK failures that are the user's to fix (no
credentials, unknown profile, no region, endpoint unreachable) become
:class:`ApigwctlError` with a hint.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
)

from apigwctl import __version__
from apigwctl.aws.calls import QuotaClient, botocore_config
from apigwctl.config import TargetConfig, TargetKind
from apigwctl.config.model import EMULATOR_REGION
from apigwctl.errors import ApigwctlError

# botocore itself never retries: QuotaClient does, within AWS's quotas (aws/calls.py).
_CONFIG = botocore_config(user_agent_extra=f"apigwctl/{__version__}")


@dataclass(frozen=True)
class Connection:
    client: QuotaClient  # a botocore apigateway client behind AWS's quotas and retries
    region: str
    description: str  # e.g. "emulator (state in .apigwctl/emulator, region us-east-1)"


@contextmanager
def open_target(target: TargetConfig, state_dir: Path, *, write: bool) -> Iterator[Connection]:
    """Connect to the target; SDK configuration errors inside become ApigwctlError."""
    with translated_errors(target):
        if target.kind is TargetKind.EMULATOR:
            region = target.region or EMULATOR_REGION
            from apigwctl.aws.emulator.core import Emulator  # moto: only for this target

            with Emulator(state_dir, write=write) as em:
                raw = em.client("apigateway", region, config=_CONFIG)
                yield Connection(QuotaClient(raw), region,
                                 f"emulator (state in {state_dir}, region {region})")
            return
        session = boto3.session.Session(profile_name=target.profile,
                                        region_name=target.region)
        client = session.client("apigateway", endpoint_url=target.endpoint_url,
                                config=_CONFIG)
        yield Connection(QuotaClient(client), client.meta.region_name,
                         _describe_aws(target, client))


def _describe_aws(target: TargetConfig, client: Any) -> str:
    where = f" at {client.meta.endpoint_url}" if target.endpoint_url else ""
    profile = f", profile {target.profile}" if target.profile else ""
    return f"aws{where} (region {client.meta.region_name}{profile})"


@contextmanager
def translated_errors(target: TargetConfig) -> Iterator[None]:
    """The SDK's configuration failures and failed calls, as errors that say what to do."""
    try:
        yield
    except ProfileNotFound as exc:
        raise ApigwctlError(str(exc), hint="check --profile / target.profile / AWS_PROFILE "
                            "against `aws configure list-profiles`") from exc
    except NoRegionError as exc:
        raise ApigwctlError("no AWS region configured for the aws target",
                            hint="pass --region, set target.region in the deployment file, "
                            "or AWS_REGION") from exc
    except (NoCredentialsError, PartialCredentialsError) as exc:
        raise ApigwctlError(f"no usable AWS credentials: {exc}",
                            hint="configure credentials (aws configure, AWS_PROFILE, SSO or "
                            "an instance role), or plan against the embedded emulator: "
                            "--target emulator") from exc
    except EndpointConnectionError as exc:
        raise ApigwctlError(f"cannot reach {exc.kwargs.get('endpoint_url', 'the endpoint')}",
                            hint="check --endpoint-url / the network; for the local "
                            "emulator run `apigwctl emulator serve` first") from exc
    except ClientError as exc:  # a read; apply reports its own failures as ApplyError
        raise _client_error(exc) from exc


def _client_error(exc: ClientError) -> ApigwctlError:
    err = exc.response.get("Error", {})
    code, message = err.get("Code", "Unknown"), err.get("Message", "")
    hint = ("check the credentials' IAM permissions (apigateway:GET on the REST APIs)"
            if code in ("AccessDeniedException", "UnrecognizedClientException",
                        "InvalidSignatureException", "ExpiredTokenException")
            else "retry; if it persists, run with --debug and report it")
    return ApigwctlError(f"{exc.operation_name} failed: {code}: {message}", hint=hint)
