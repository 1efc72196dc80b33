"""The VTL syntax checker: real templates pass, broken ones are reported at line:col."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from apigwctl.spec.loader import load_spec
from apigwctl.spec.rules.templates import java_regex_problem
from apigwctl.spec.vtl import VtlError, check_vtl

# Verbatim from the shared corpus (aws-samples, awsdocs, localstack, tdr, url-shortener).
VALID = {
    "passthrough": (
        "#set($allParams = $input.params())\n{\n  \"params\" : {\n"
        "    #foreach($type in $allParams.keySet())\n"
        "      #set($params = $allParams.get($type))\n      \"$type\" : {\n"
        "        #foreach($paramName in $params.keySet())\n"
        "          \"$paramName\" : \"$util.escapeJavaScript($params.get($paramName))\"\n"
        "          #if($foreach.hasNext),#end\n        #end\n      }\n"
        "      #if($foreach.hasNext),#end\n    #end\n  }\n}\n"),
    "elseif_and_strings": (
        "#if( $input.params('origin') == 'https://app.tdr-local.nationalarchives.gov.uk:9000'"
        " && $context.stage == 'intg') #set($context.responseOverride.header."
        "Access-Control-Allow-Origin = 'https://app.tdr-local.nationalarchives.gov.uk:9000')"
        " #elseif( $input.params('origin').contains('sharepoint.com')) #set($context."
        "responseOverride.header.Access-Control-Allow-Origin = $input.params('origin'))#end"),
    "nested_quotes": (
        "#set($body= $input.json('$'))#set($inputRoot='{\"data\" :'+$body+',\"httpMethod\" :\"'"
        "+$context.httpMethod+'\"}')#set($apiData=$util.escapeJavaScript($inputRoot))"
        "#set($apiData=$apiData.replaceAll(\"\\\\'\",\"'\")){\"input\" :\"$apiData\","
        "\"stateMachineArn\": \"${StateMachine}\"}"),
    "dynamodb_hash_names": (
        "{\n    \"TableName\": \"${RestaurantTable}\",\n    \"UpdateExpression\": "
        "\"set #n = :n, #s = :s\",\n    \"ExpressionAttributeValues\": {\n"
        "        \":n\": {\"S\": \"$input.path(\"$.name\")\"}\n    },\n"
        "    \"ExpressionAttributeNames\": {\"#n\": \"name\", \"#s\": \"state\"}\n}"),
    "form_urlencoded": (
        "#set($inputRoot = $input.path('$'))\nAction=Publish&PhoneNumber=$util.urlEncode("
        "$util.parseJson($input.json('$.PhoneNumber')))&Message=$util.parseJson($input.json("
        "'$.Message'))&AWS.SNS.SMS.SMSType={'DataType:'String','StringValue': 'Transactional'}"),
    "html_with_css": "<style>body { color: #333; }</style><a href=\"/$context.stage/pets/\">",
    "comments_and_escapes": "## line\n#* block #if *# \\#if \\$x #[[ #if( ]]# $5 #{if}(true)#{end}",
}

# (template, (line, col), message fragment) for the first error.
BROKEN = [
    ("#if($a)\nx", (1, 1), "#if is never closed"),
    ("x\n  #end", (2, 3), "#end without an open"),
    ("#foreach($i in $l)\n#else\n#end", (2, 1), "#else outside an #if (inside #foreach)"),
    ("#else", (1, 1), "#else outside an #if"),
    ("#if($a)a#else b#elseif($c)c#end", (1, 16), "#elseif after this #if's #else"),
    ("#set $x = 1", (1, 1), "#set needs its arguments in parentheses"),
    ("#if($a == 'b)\n#end", (1, 11), "unterminated string literal"),
    ("#if(($a)\n#end", (1, 4), "'(' is never closed"),
    ("#set($m = {\"a\": [1, 2)})", (1, 22), "')' does not match the '['"),
    ("{\n  \"a\": \"${foo\"\n}", (2, 9), "'${' is never closed by '}'"),
    ("$!{name", (1, 1), "'${' is never closed"),
    ("${a.b('x'}", (1, 10), "'}' does not match the '(' at line 1, col 6"),
    ("\"id\": \"$input.path('$.id'\"", (1, 26), "unterminated string literal"),
    ("\"id\": $input.path('$.id'\n}", (2, 1), "'}' does not match the '(' at line 1, col 18"),
    ("x\n $input.path('$.id'", (2, 13), "'(' is never closed"),
    ("\"id\": $input.json('$.id)", (1, 19), "unterminated string literal"),
    ("#* never closed", (1, 3), "comment '#*' is never closed"),
    ("#[[ raw", (1, 4), "unparsed block '#[[' is never closed"),
    ("#macro(m $a)\n#if($a)\n#end", (1, 1), "#macro is never closed"),
]


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_templates_pass(name: str) -> None:
    assert check_vtl(VALID[name]) == []


@pytest.mark.parametrize(("text", "where", "fragment"), BROKEN)
def test_broken_templates_are_reported(text: str, where: tuple[int, int], fragment: str) -> None:
    errors = check_vtl(text)
    assert errors, text
    assert (errors[0].line, errors[0].col) == where, errors
    assert fragment in errors[0].message, errors


def test_every_unclosed_block_is_reported_in_order() -> None:
    errors = check_vtl("#if($a)\n  #foreach($x in $l)\n")
    assert [(e.line, e.col) for e in errors] == [(1, 1), (2, 3)]
    assert str(errors[1]) == "line 2, col 3: #foreach is never closed by #end"


def test_lone_hash_and_dollar_are_text() -> None:
    assert check_vtl("#ff0000 #elsewhere #endless $ $5 $( ${ x} #") == []
    assert check_vtl("#end(") == [VtlError(1, 1, "#end without an open #if/#foreach/#macro/"
                                                "#define")]


def _corpus() -> Path | None:
    env = os.environ.get("APIGWCTL_CORPUS")
    root = Path(__file__).resolve().parents[2]
    for cand in ([Path(env)] if env else []) + [root.parent / "shared" / "corpus"]:
        if (cand / "MANIFEST.tsv").is_file():
            return cand
    return None


def _templates(node: Any) -> Iterator[str]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key in ("requestTemplates", "responseTemplates") and isinstance(value, Mapping):
                for tpl in value.values():
                    sub = tpl.get("Fn::Sub") if isinstance(tpl, Mapping) else tpl
                    sub = sub[0] if isinstance(sub, list) and sub else sub
                    if isinstance(sub, str):
                        yield sub
            yield from _templates(value)
    elif isinstance(node, list):
        for item in node:
            yield from _templates(item)


def test_every_corpus_template_passes() -> None:
    corpus = _corpus()
    if corpus is None:
        pytest.skip("shared corpus not found; set APIGWCTL_CORPUS")
    checked = 0
    for path in sorted((corpus / "specs").rglob("*")):
        if not path.is_file() or path.stat().st_size > 1_000_000:
            continue
        for doc in load_spec(path).documents:
            for text in _templates(doc.data):
                assert check_vtl(text) == [], (path.name, text[:200])
                checked += 1
    assert checked >= 100, checked


@pytest.mark.parametrize("pattern", ["4\\d{2}", ".*NotFound.*", "(?<code>5\\d\\d)", "\\p{Alpha}+",
                                     "a*+b", "2\\d{2}|3\\d{2}", "default"])
def test_java_regexes_accepted(pattern: str) -> None:
    assert java_regex_problem(pattern) is None


@pytest.mark.parametrize(("pattern", "fragment"), [
    ("(4\\d{2}", "missing )"),
    ("{\"error\".*", "Illegal repetition"),
    ("(?P<x>5..)", "Python syntax"),
    ("*abc", "nothing to repeat"),
])
def test_broken_regexes_reported(pattern: str, fragment: str) -> None:
    problem = java_regex_problem(pattern)
    assert problem is not None and fragment in problem, problem
