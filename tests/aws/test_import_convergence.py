"""Two independent models of REST import agree: the compiler, and the emulator's importer.

For every standalone REST document of the corpus (and the petstore), the spec is imported
into the embedded emulator with boto3, read back with the reader, and compared with what
the compiler produces. This is the convergence `plan`/`apply` will rest on. Documents where
the two still disagree are strict xfails naming the field, so fixing one forces this list to
be updated; documents the import refuses are listed with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from deepdiff import DeepDiff

from apigwctl.aws.emulator.core import Emulator
from apigwctl.aws.reader import read_api
from apigwctl.compile import ApiSettings, compile_api
from apigwctl.spec.loader import load_spec
from tests.support import corpus_dir, manifest_rows

ROOT = Path(__file__).resolve().parents[2]
CORPUS = corpus_dir() or ROOT.parent / "shared" / "corpus"

DIFFER = {
    "specs/serverless-samples/apigw-lambda-powertools-openapi-cdk__openapi.json":
        "model Order: `readOnly` beside a `$ref` is kept by the compiler, dropped by the "
        "emulator's importer",
    "specs/localstack/openapi.spec.pulumi.json":
        "TOKEN authorizer with identitySource \"\": the compiler defaults it to the scheme's "
        "header, the emulator's importer stores it empty",
}
# An object where API Gateway reads text is a malformed integration: AWS refuses the whole
# document ("Unable to parse API definition because of a malformed integration at path ...").
# These are standalone AWS::Include bodies whose CloudFormation functions were never resolved.
_INTRINSIC = "unresolved CloudFormation {} in the integration (malformed integration, as AWS)"
REFUSED = {
    "specs/moto/test_api_invalid_version.json": "not an importable version (as AWS)",
    "specs/community-airnode/httpGw.yaml.tpl": "`${path_key}` path segment (as AWS)",
    "specs/serverless-samples/fargate-rest-api-nlb-ecs__swagger.yaml":
        "info.title is an unresolved Fn::Sub object: the API name must be text",
    "specs/serverless-samples/serverless-rest-api-python-sam__swagger.yaml":
        "info.title is an unresolved Fn::Sub object: the API name must be text",
    "specs/serverless-patterns/apigw-dynamodb-lambda-scheduler-ses__api.yaml":
        _INTRINSIC.format("uri/requestTemplates Fn::Sub, credentials Fn::GetAtt"),
    "specs/serverless-patterns/appsync-apigateway-dynamodb-sam__api.yaml":
        _INTRINSIC.format("uri/requestTemplates Fn::Sub, credentials Fn::GetAtt"),
    "specs/serverless-patterns/apigw-kinesis-lambda-ddb__api.yaml":
        _INTRINSIC.format("credentials Fn::GetAtt"),
    "specs/serverless-patterns/apigw-rest-vpclink-pvt-alb-sam__api.yaml":
        _INTRINSIC.format("uri Fn::Sub, connectionId Ref"),
    "specs/serverless-patterns/apigw-sfn-crud__api.openapi.yaml":
        _INTRINSIC.format("requestTemplates Fn::Sub, credentials Fn::GetAtt"),
    "specs/serverless-patterns/apigw-mappingtemplate-lambda__api.yaml":
        _INTRINSIC.format("uri Fn::Sub"),
    "specs/serverless-samples/apigw-response-streaming-node-bedrock__api-gateway-config.yaml":
        _INTRINSIC.format("uri Fn::Sub"),
    "specs/amazon-api-gateway-url-shortener/api.yaml":
        _INTRINSIC.format("uri/requestTemplates/responseParameters Fn::Sub and Fn::If, "
                          "credentials Fn::GetAtt"),
    "specs/smithy/substitution-performed.json": _INTRINSIC.format("connectionId Fn::Sub"),
    "specs/sam/example-api_swagger_cors__swagger.yaml": _INTRINSIC.format("uri Fn::Sub"),
}
CRASHES: dict[str, str] = {}  # the emulator raising where AWS answers an error: none left


def _documents() -> list[str]:
    rows = [r for r in manifest_rows() if r["api_kind"] == "rest"]
    out = []
    for row in rows:
        docs = load_spec(str(CORPUS / row["file"])).documents
        if len(docs) == 1 and not docs[0].base:  # templates embed bodies: not importable as is
            out.append(row["file"])
    return out


DOCUMENTS = _documents()


@pytest.fixture(scope="module")
def apigateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with Emulator(tmp_path_factory.mktemp("emulator"), write=True) as em:
        yield em.client("apigateway")


def _converges(client: Any, path: Path, name: str) -> DeepDiff:
    desired = compile_api(load_spec(str(path)).documents[0], ApiSettings(name=name), ())
    api = client.import_rest_api(body=path.read_bytes(), failOnWarnings=False,
                                 parameters={"endpointConfigurationTypes": "REGIONAL"})
    client.update_rest_api(restApiId=api["id"],
                           patchOperations=[{"op": "replace", "path": "/name", "value": name}])
    live = read_api(client, name)
    assert live is not None
    return DeepDiff(desired.to_dict(), live.to_dict(), ignore_order=True)


def test_petstore_converges(apigateway: Any) -> None:
    assert _converges(apigateway, ROOT / "specs" / "petstore" / "openapi.yaml", "petstore") == {}


@pytest.mark.skipif(not DOCUMENTS, reason="shared corpus not found; set APIGWCTL_CORPUS")
@pytest.mark.parametrize("file", DOCUMENTS)
def test_corpus_document_converges(apigateway: Any, file: str) -> None:
    name = "c-" + file.replace("/", "-")[:100]
    if file in REFUSED:
        with pytest.raises(ClientError):
            _converges(apigateway, CORPUS / file, name)
        return
    if file in CRASHES:
        try:
            _converges(apigateway, CORPUS / file, name)
        except ClientError:
            pytest.fail(f"{file} is now refused properly: move it to REFUSED")
        except Exception:
            pytest.xfail(CRASHES[file])
        pytest.fail(f"{file} imports now: remove it from CRASHES")
    if file in DIFFER:
        diff = _converges(apigateway, CORPUS / file, name)
        if diff:
            pytest.xfail(DIFFER[file])
        pytest.fail(f"{file} converges now: remove it from DIFFER")
    assert _converges(apigateway, CORPUS / file, name) == {}


def test_counts() -> None:
    """The numbers quoted in the closing note: keep them true."""
    if not DOCUMENTS:
        pytest.skip("no corpus")
    known = set(DIFFER) | set(REFUSED) | set(CRASHES)
    assert known <= set(DOCUMENTS)
    assert (len(DOCUMENTS), len(DOCUMENTS) - len(known)) == (49, 33)
