"""OpenAPI structural validation: every error openapi-spec-validator reports, each placed, fast.

Input: a parsed document and its version. Output: ``(pointer, message)`` pairs, pointers
relative to the document. Two implementations give the same set of findings:

- :func:`structural_errors_reference` runs openapi-spec-validator (osv) itself. It is the
  definition of what is reported, and what the differential test compares against.
- :func:`structural_errors` (the one validation uses) gets the same findings in a fraction of
  the time. osv spends its time in two places: its whole-document JSON Schema pass, and its
  keyword checks (path parameters, operation ids, duplicate parameters, ``required``,
  defaults, tags), which walk the document through jsonschema-path (a ``$ref`` resolution and
  a runtime ``Protocol`` isinstance check per access) and meta-validate every schema with
  pure-Python jsonschema. Here the schema pass runs jsonschema-rs against osv's own schemas
  (read from the installed package, as osv itself does when jsonschema-rs is installed), and
  :class:`_Walker` replays osv's keyword checks over the plain dicts, in osv's order and with
  osv's messages, resolving each ``$ref`` once. A schema is meta-checked by jsonschema-rs
  first; only a schema it rejects goes through osv's own Python check, for osv's message.
  Default values are checked by osv's own value validator (they are few).

osv stops at the first exception a malformed document raises (a parameter without ``name``,
an unresolvable ``$ref``...); the walker stops at the same point with the same message. Where
replaying osv exactly would need more of jsonschema-path's corner cases (``$id``, anchors,
pointers through scalars, very deep recursion), the walker gives up and the reference runs
instead, so a finding is never lost, only slower to get.

Neither path fetches from the network or reads a file outside the spec's folder: a ``$ref``
there stops the keyword checks (the loader reports it as E0010/E0011).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import string
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote, urldefrag, urljoin, urlsplit
from urllib.request import url2pathname

import orjson

from apigwctl.diagnostics import Pointer
from apigwctl.spec.loader import DEFAULT_LIMITS, SpecVersion

RawError = tuple[Pointer, str]

_OP_IN_PATH = re.compile(r"for '(?P<method>[a-z]+)'(?: operation)? in '(?P<path>[^']*)'")
NESTED = "the document is nested too deeply for structural validation"
STOPPED = "structural validation stopped: "
_OPERATIONS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_SCHEMA_FILES = {
    SpecVersion.SWAGGER2: "v2.0",
    SpecVersion.OAS30: "v3.0",
    SpecVersion.OAS31: "v3.1",
}
# Root keys that would make osv's resolver treat the document itself as a reference or
# give it its own base URI: not replayed by the walker.
_ROOT_UNSUPPORTED = ("$ref", "$id", "$anchor", "$dynamicAnchor")
_MAX_SCHEMA_DEPTH = 60
_MAX_REF_CHAIN = 50


# --------------------------------------------------------------------------- shared helpers

def pointer_of(path: Sequence[Any], message: str) -> Pointer:
    """Where an osv error points: its instance path, else the operation its message names."""
    if path:
        return tuple(path)
    m = _OP_IN_PATH.search(message)
    if m:
        ptr: Pointer = ("paths", m["path"], m["method"])
        if "Operation ID" in message:
            ptr = (*ptr, "operationId")
        return ptr
    return ()


def string_keys(node: Any) -> Any:
    """A copy with every mapping key as a string (YAML reads `200:` as an int); shares
    untouched subtrees, so a document without such keys is returned as is."""
    try:
        orjson.dumps(node)  # C speed; refuses any non-string key (and a few other things)
    except Exception:  # then look at each key
        pass
    else:
        return node
    return _string_keys(node)


def _string_keys(node: Any) -> Any:
    if isinstance(node, Mapping):
        items = {k: _string_keys(v) for k, v in node.items()}
        if all(isinstance(k, str) for k in items) and all(
                items[k] is node[k] for k in items):
            return node
        return {str(k): v for k, v in items.items()}
    if isinstance(node, list):
        new = [_string_keys(v) for v in node]
        return node if all(a is b for a, b in zip(new, node, strict=True)) else new
    return node


_INSTANCE_FIRST = re.compile(r"^(?P<inst>[\[{].*?[\]}]) (?P<rest>(is|has|does) .*)$", re.S)
_NOWHERE = re.compile(r" does not exist within .*$", re.S)


def tidy(message: str) -> str:
    """First line of a validator message, without a long dump of the value.

    referencing's "pointer does not exist" message ends with the repr of the whole document
    (megabytes for a big spec); that tail is replaced by a phrase.
    """
    text = message.strip().splitlines()[0] if message.strip() else message
    text = _NOWHERE.sub(" does not exist within the referenced document", text)
    if " is not allowed for " in text:
        inst = text.split(" is not allowed for ", 1)[1]
        return f"{_short(inst)} is not allowed here"
    m = _INSTANCE_FIRST.match(text)
    if m and len(m["inst"]) > 60:
        return f"{_short(m['inst'])} {m['rest']}"
    return text


def _short(inst: str) -> str:
    if len(inst) <= 60:
        return inst
    return "the object" if inst.startswith("{") else "the array"


def _root_uri(spec_path: Path | None) -> str:
    return spec_path.resolve().as_uri() if spec_path else ""


def _root_dir(spec_path: Path | None) -> Path | None:
    return spec_path.resolve().parent if spec_path else None


class RefusedRef(Exception):
    """A `$ref` target the structural pass will not read: remote, or outside the folder."""


def load_external(uri: str, root_dir: Path | None) -> Any:
    """A referenced file's content, read the way osv's resolver reads it (PyYAML without
    timestamps, then a JSON round trip), but only a local file under ``root_dir``."""
    parts = urlsplit(uri)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost") or root_dir is None:
        raise RefusedRef(f"not a local file: {uri}")
    path = Path(url2pathname(parts.path)).resolve()
    if not path.is_relative_to(root_dir) or not path.is_file():
        raise RefusedRef(f"outside {root_dir} or missing: {path}")
    if path.stat().st_size > DEFAULT_LIMITS.max_bytes:
        raise RefusedRef(f"too large: {path}")
    from jsonschema_path.handlers.file import FileHandler

    with path.open("rb") as stream:  # binary, as urlopen gives it to osv
        return FileHandler()(stream)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- reference

class _Handlers(dict):  # type: ignore[type-arg]
    """jsonschema-path resolver handlers: every scheme goes to the local, in-folder reader
    (jsonschema-path would otherwise fetch http(s) URLs and read any file)."""

    def __init__(self, root_dir: Path | None) -> None:
        super().__init__()
        self.root_dir = root_dir

    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: str) -> Any:
        return functools.partial(load_external, root_dir=self.root_dir)


def _reference_class(version: SpecVersion) -> Any:
    import openapi_spec_validator as osv

    return {
        SpecVersion.SWAGGER2: osv.OpenAPIV2SpecValidator,
        SpecVersion.OAS30: osv.OpenAPIV30SpecValidator,
        SpecVersion.OAS31: osv.OpenAPIV31SpecValidator,
    }.get(version)


def structural_errors_reference(data: Mapping[str, Any], version: SpecVersion,
                                spec_path: Path | None = None) -> Iterator[RawError]:
    """Every error openapi-spec-validator reports for ``data`` (the reference).

    osv's own validator classes, with resolver handlers that read only local files under
    the spec's folder.
    """
    base = _reference_class(version)
    if base is None:
        return
    data = string_keys(data)
    cls = type(base.__name__, (base,), {"resolver_handlers": _Handlers(_root_dir(spec_path))})
    try:
        for err in cls(data, base_uri=_root_uri(spec_path)).iter_errors():
            yield pointer_of(tuple(err.absolute_path), err.message), tidy(err.message)
    except RecursionError:
        yield (), NESTED
    except Exception as exc:  # osv raises on malformed documents and broken refs
        yield (), STOPPED + tidy(str(exc))
    finally:
        cast(Any, cls).iter_errors.__wrapped__.cache_clear()  # osv caches each instance


# --------------------------------------------------------------------------- fast path

def structural_errors(data: Mapping[str, Any], version: SpecVersion,
                      spec_path: Path | None = None) -> Iterator[RawError]:
    """The findings of :func:`structural_errors_reference`, computed fast (see module doc)."""
    if version not in _SCHEMA_FILES:
        return
    data = string_keys(data)
    try:
        found = _fast_errors(data, version, spec_path)
    except Exception:  # _Bail, or a shape the walker did not expect: osv decides
        found = list(structural_errors_reference(data, version, spec_path))
    yield from found


class _Bail(Exception):
    """The walker cannot replay osv exactly here; the reference runs instead."""


class _Stop(Exception):
    """osv would raise here: its keyword checks end with this message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Nested(Exception):
    """osv would overflow the stack here (a cycle it follows forever)."""


def _fast_errors(data: Any, version: SpecVersion, spec_path: Path | None) -> list[RawError]:
    out: list[RawError] = []
    try:
        for err in _schema_validator(version).iter_errors(data):
            message = str(err)
            out.append((pointer_of(list(err.instance_path), message), tidy(message)))
    except RecursionError:
        return [*out, ((), NESTED)]
    except Exception as exc:  # what osv's own call to jsonschema-rs would raise
        return [*out, ((), STOPPED + tidy(str(exc)))]
    walker = _Walker(data, version, spec_path, out)
    try:
        walker.root()
    except _Stop as stop:
        out.append(((), STOPPED + tidy(stop.message)))
    except (_Nested, RecursionError):
        out.append(((), NESTED))
    return out


def _package_file(package: str, *parts: str) -> Path:
    """A data file of an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(package)
    return Path(next(iter(spec.submodule_search_locations)), *parts)


@functools.cache
def osv_schema(version: SpecVersion) -> dict[str, Any]:
    """osv's JSON Schema for a spec version, from the installed openapi-spec-validator."""
    path = _package_file("openapi_spec_validator", "resources", "schemas",
                         _SCHEMA_FILES[version], "schema.json")
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


@functools.cache
def _schema_validator(version: SpecVersion) -> Any:
    import jsonschema_rs

    schema = osv_schema(version)
    return jsonschema_rs.validator_cls_for(schema)(schema)


@functools.cache
def draft4_metaschema() -> dict[str, Any]:
    """The meta-schema osv checks OpenAPI 3.0 / Swagger 2.0 schemas against (draft 4)."""
    path = _package_file("jsonschema_specifications", "schemas", "draft4", "metaschema.json")
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _is_regex(value: str) -> bool:
    from openapi_schema_validator._format import is_regex

    return bool(is_regex(value))


@functools.cache
def _meta_validator() -> Any:
    """jsonschema-rs over the draft-4 meta-schema, with osv's own `regex` format check.

    Used as a filter only: a schema it accepts is one osv's Python check accepts too
    (the differential tests hold it to that); a schema it rejects goes to osv's check.
    """
    import jsonschema_rs

    return jsonschema_rs.Draft4Validator(draft4_metaschema(), validate_formats=True,
                                         formats={"regex": _is_regex})


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


class _Walker:
    """osv's keyword validators (openapi_spec_validator/validation/keywords.py), replayed.

    A node is carried with its logical path (the keys osv's SchemaPath would hold, used in
    its KeyError messages) and the URI of the document it came from (for relative
    ``$ref``s). Every child is dereferenced when it is reached, as jsonschema-path does on
    access; the order of the walk is osv's, so the same error ends it.
    """

    def __init__(self, data: Any, version: SpecVersion, spec_path: Path | None,
                 out: list[RawError]) -> None:
        self.version = version
        self.out = out
        self.root_uri = _root_uri(spec_path)
        self.root_dir = _root_dir(spec_path)
        self.data = data
        self.docs: dict[str, Any] = {self.root_uri: data}
        self.op_ids: set[Any] = set()
        self.op_ids_unhashable: list[Any] = []
        self.meta_checked: set[int] = set()
        self.visited: set[int] = set()
        self.dialect: str | None = None
        self.ids_checked = False
        self.depth = 0

    # ---- jsonschema-path semantics

    def deref(self, node: Any, base: str) -> tuple[Any, str]:
        chain: list[int] = []
        while type(node) is dict and isinstance(node.get("$ref"), str):
            if id(node) in chain:
                raise _Nested  # osv follows this cycle until the stack overflows
            chain.append(id(node))
            if len(chain) > _MAX_REF_CHAIN:
                raise _Bail("long $ref chain")  # osv recurses; it may or may not overflow
            node, base = self.lookup(node["$ref"], base)
        return node, base

    def lookup(self, ref: str, base: str) -> tuple[Any, str]:
        if ref.startswith("#"):
            uri, fragment = base, ref[1:]
        else:
            uri, fragment = urldefrag(urljoin(base, ref))
        doc = self.docs.get(uri, _MISSING)
        if doc is _MISSING:
            doc = self.fetch(uri, ref)
        if fragment.startswith("/"):
            return self.pointer(doc, fragment), uri
        if fragment:
            raise _Bail("anchor $ref")
        return doc, uri

    def fetch(self, uri: str, ref: str) -> Any:
        if not self.ids_checked:
            self.ids_checked = True
            if _has_ids(self.data):
                raise _Bail("$id in document")
        try:
            doc = load_external(uri, self.root_dir)
        except Exception:
            raise _Stop(ref) from None  # referencing's Unresolvable(ref)
        if _has_ids(doc):
            raise _Bail("$id in referenced document")
        self.docs[uri] = doc
        return doc

    @staticmethod
    def pointer(doc: Any, fragment: str) -> Any:
        contents = doc
        for segment in unquote(fragment[1:]).split("/"):
            try:
                if type(contents) is list:
                    contents = contents[int(segment)]
                elif type(contents) is dict:
                    contents = contents[segment.replace("~1", "/").replace("~0", "~")]
                else:
                    raise _Bail("pointer through a scalar")
            except ValueError as exc:  # a non-integer index into an array
                raise _Stop(str(exc)) from None
            except LookupError:
                raise _Stop(f"{fragment!r} does not exist within the document") from None
            if type(contents) is dict and "$id" in contents:
                raise _Bail("$id on the pointer path")
        return contents

    def child(self, node: Any, key: Any, base: str) -> tuple[Any, str]:
        """``path / key`` then a read: the child, dereferenced (KeyError if missing)."""
        try:
            value = node[key] if type(node) in (dict, list) else _no_child(node, key)
        except (KeyError, IndexError, TypeError):
            raise _Stop(str(KeyError(key))) from None
        return self.deref(value, base)

    @staticmethod
    def keys(node: Any, parts: Pointer) -> Sequence[Any]:
        if type(node) is dict:
            return list(node)
        if type(node) is list:
            return range(len(node))
        raise _Stop(str(KeyError(parts[-1])) if parts else "")

    @staticmethod
    def has(node: Any, key: str) -> bool:
        return type(node) is dict and key in node

    def read_str(self, node: Any, key: str, base: str) -> str:
        value, _ = self.child(node, key, base)
        if not isinstance(value, str):
            raise _Stop(f"Expected a string value, got {type(value)}")
        return value

    # ---- RootValidator and below

    def root(self) -> None:
        root, base = self.data, self.root_uri
        if type(root) is not dict or any(k in root for k in _ROOT_UNSUPPORTED):
            raise _Bail("root is not a plain mapping")
        if "tags" in root:
            self.tags(*self.child(root, "tags", base))
        if "paths" in root:
            self.paths(*self.child(root, "paths", base))
        if "components" in root:
            components, cbase = self.child(root, "components", base)
            if self.has(components, "schemas"):
                schemas, sbase = self.child(components, "schemas", cbase)
                parts = ("components", "schemas")
                for key in self.keys(schemas, parts):
                    self.schema(*self.child(schemas, key, sbase), (*parts, key))

    def tags(self, tags: Any, base: str) -> None:
        seen: set[str] = set()
        for i in self.keys(tags, ("tags",)):
            tag, tbase = self.child(tags, i, base)
            name = self.read_str(tag, "name", tbase)
            if name in seen:
                self.error(f"Duplicate tag name '{name}'")
            seen.add(name)

    def paths(self, paths: Any, base: str) -> None:
        for url in self.keys(paths, ("paths",)):
            if not isinstance(url, str):
                raise _Stop("")  # osv's `assert isinstance(url, str)`
            self.path_item(url, *self.child(paths, url, base))

    def path_item(self, url: str, item: Any, base: str) -> None:
        params: tuple[Any, str, Pointer] | None = None
        if self.has(item, "parameters"):
            node, pbase = self.child(item, "parameters", base)
            params = (node, pbase, ("paths", url, "parameters"))
            self.parameters(*params)
        for name in self.keys(item, ("paths", url)):
            if not isinstance(name, str):
                raise _Stop("")
            if name in _OPERATIONS:
                self.operation(url, name, *self.child(item, name, base), params)

    def operation(self, url: str, name: str, op: Any, base: str,
                  path_params: tuple[Any, str, Pointer] | None) -> None:
        parts: Pointer = ("paths", url, name)
        if self.has(op, "operationId"):
            value, _ = self.child(op, "operationId", base)
            if value is not None and self.seen_op_id(value):
                self.error(f"Operation ID '{value}' for '{name}' in '{url}' is not unique")
        if self.has(op, "responses"):
            self.responses(*self.child(op, "responses", base), (*parts, "responses"))
        names: list[str] = []
        if self.has(op, "parameters"):
            params = (*self.child(op, "parameters", base), (*parts, "parameters"))
            self.parameters(*params)
            names += self.path_param_names(*params)
        if path_params is not None:
            names += self.path_param_names(*path_params)
        all_params = set(names)
        try:
            url_params = {f for _, f, _, _ in string.Formatter().parse(url) if f}
        except ValueError as exc:
            raise _Stop(str(exc)) from None
        for p in sorted(url_params):
            if p not in all_params:
                self.unresolved(p, name, url)
        for p in sorted(all_params):
            if p not in url_params:
                self.unresolved(p, name, url)

    def unresolved(self, param: str, name: str, url: str) -> None:
        self.error(f"Path parameter '{param}' for '{name}' operation in '{url}' was not resolved")

    def seen_op_id(self, value: Any) -> bool:
        # osv keeps a list and tests `in` (equality); a set does the same for hashables.
        if _hashable(value):
            found = value in self.op_ids or any(value == v for v in self.op_ids_unhashable)
            self.op_ids.add(value)
        else:
            found = value in self.op_ids_unhashable or any(value == v for v in self.op_ids)
            self.op_ids_unhashable.append(value)
        return found

    def path_param_names(self, params: Any, base: str, parts: Pointer) -> list[str]:
        names = []
        for i in self.keys(params, parts):
            param, pbase = self.child(params, i, base)
            if self.read_str(param, "in", pbase) == "path":
                names.append(self.read_str(param, "name", pbase))
        return names

    def parameters(self, params: Any, base: str, parts: Pointer) -> None:
        seen: set[tuple[Any, Any]] = set()
        for i in self.keys(params, parts):
            param, pbase = self.child(params, i, base)
            self.parameter(param, pbase, (*parts, i))
            name, where = _raw_child(param, "name"), _raw_child(param, "in")
            try:
                if (name, where) in seen:
                    self.error(f"Duplicate parameter '{name}'")
                seen.add((name, where))
            except TypeError as exc:
                raise _Stop(str(exc)) from None

    def parameter(self, param: Any, base: str, parts: Pointer) -> None:
        if self.has(param, "schema"):
            self.schema(*self.child(param, "schema", base), (*parts, "schema"))
        if self.version is SpecVersion.SWAGGER2 and self.has(param, "default"):
            value, _ = self.child(param, "default", base)
            self.check_default(param, base, value, (*parts, "default"))

    def responses(self, responses: Any, base: str, parts: Pointer) -> None:
        for code in self.keys(responses, parts):
            if not isinstance(code, str):
                raise _Stop("")
            response, rbase = self.child(responses, code, base)
            rparts = (*parts, code)
            if self.version is SpecVersion.SWAGGER2:
                if self.has(response, "schema"):
                    self.schema(*self.child(response, "schema", rbase), (*rparts, "schema"))
            elif self.has(response, "content"):
                self.content(*self.child(response, "content", rbase), (*rparts, "content"))

    def content(self, content: Any, base: str, parts: Pointer) -> None:
        for mime in self.keys(content, parts):
            if not isinstance(mime, str):
                raise _Stop("")
            media, mbase = self.child(content, mime, base)
            if self.has(media, "schema"):
                self.schema(*self.child(media, "schema", mbase), (*parts, mime, "schema"))

    # ---- SchemaValidator

    def schema(self, value: Any, base: str, parts: Pointer, require_properties: bool = True,
               meta_checked: bool = False) -> None:
        if not isinstance(value, (Mapping, bool)):
            self.error(f"{value!r} is not of type 'object', 'boolean'", parts)
            return
        sid = id(value)
        if not meta_checked and sid not in self.meta_checked:
            self.meta_checked.add(sid)
            if self.meta_error(value, parts):
                return
        if sid in self.visited:
            return
        self.visited.add(sid)
        self.depth += 1
        if self.depth > _MAX_SCHEMA_DEPTH:
            raise _Bail("deep schema")
        try:
            self.schema_body(value, base, parts, require_properties)
        finally:
            self.depth -= 1

    def schema_body(self, value: Any, base: str, parts: Pointer,
                    require_properties: bool) -> None:
        nested: list[Any] = []
        for kw in ("allOf", "anyOf", "oneOf"):
            if self.has(value, kw):
                node, nbase = self.child(value, kw, base)
                for i in self.keys(node, (*parts, kw)):
                    inner, ibase = self.child(node, i, nbase)
                    self.schema(inner, ibase, (*parts, kw, i), False, True)
                    if kw == "allOf":
                        nested += list(self.collect_properties(inner, ibase, (*parts, kw, i)))
        for kw in ("not", "items"):
            if self.has(value, kw):
                self.schema(*self.child(value, kw, base), (*parts, kw), False, True)
        if self.has(value, "properties"):
            props, pbase = self.child(value, "properties", base)
            for key in self.keys(props, (*parts, "properties")):
                self.schema(*self.child(props, key, pbase), (*parts, "properties", key),
                            False, True)
        self.required_defined(value, base, parts, nested, require_properties)
        if self.has(value, "default"):
            default, _ = self.child(value, "default", base)
            nullable: Any = False
            if self.has(value, "nullable"):
                nullable, _ = self.child(value, "nullable", base)
            if default is not None or nullable is not True:
                self.check_default(value, base, default, (*parts, "default"))

    def required_defined(self, value: Any, base: str, parts: Pointer, nested: list[Any],
                         require_properties: bool) -> None:
        required: Any = self.has(value, "required") and self.child(value, "required", base)[0]
        required = required or []
        properties: Any = []
        if self.has(value, "properties"):
            props, _ = self.child(value, "properties", base)
            properties = self.keys(props, (*parts, "properties")) or []
        if not self.has(value, "allOf"):
            return
        try:
            extra = set(required) - set(properties) - set(nested)
        except TypeError as exc:
            raise _Stop(str(exc)) from None
        if extra and require_properties:
            listed = sorted(extra, key=lambda p: (type(p).__name__, str(p)))
            self.error(f"Required list has not defined properties: {listed}", (*parts, "required"))

    def collect_properties(self, value: Any, base: str, parts: Pointer,
                           stack: frozenset[int] = frozenset()) -> set[Any]:
        if id(value) in stack:
            raise _Nested  # osv recurses here without end
        if len(stack) > _MAX_SCHEMA_DEPTH:
            raise _Bail("deep allOf")
        stack = stack | {id(value)}
        props: set[Any] = set()
        if self.has(value, "properties"):
            node, _ = self.child(value, "properties", base)
            props.update(self.keys(node, (*parts, "properties")))
        for kw in ("allOf", "anyOf", "oneOf"):
            if self.has(value, kw):
                node, nbase = self.child(value, kw, base)
                for i in self.keys(node, (*parts, kw)):
                    props.update(self.collect_properties(*self.child(node, i, nbase),
                                                         (*parts, kw, i), stack))
        for kw in ("items", "not"):
            if self.has(value, kw):
                props.update(self.collect_properties(*self.child(value, kw, base),
                                                     (*parts, kw), stack))
        return props

    # ---- meta-schema and default checks (osv's own Python checks where needed)

    def meta_error(self, value: Any, at: Pointer) -> bool:
        """Report osv's meta-schema error for ``value`` (the schema at ``at``), if any;
        True if there was one. osv gives these errors no place; we give the schema's."""
        if self.version is not SpecVersion.OAS31:
            try:
                if _meta_validator().is_valid(value):
                    return False
            except Exception:  # a value jsonschema-rs cannot take: osv decides
                pass
        from jsonschema.exceptions import SchemaError, ValidationError

        try:
            checker = self.schema_checker(value)
        except ValueError as exc:
            self.error(str(exc), at)
            return True
        try:
            checker(value)
        except (SchemaError, ValidationError) as err:
            self.error(err.message, (*at, *err.absolute_path))
            return True
        return False

    def schema_checker(self, value: Any) -> Any:
        if self.version is not SpecVersion.OAS31:
            from openapi_schema_validator.validators import OAS30Validator

            return OAS30Validator.check_schema
        from jsonschema.validators import validator_for
        from openapi_schema_validator import OAS31_BASE_DIALECT_ID, oas31_format_checker

        if isinstance(value, Mapping) and "$schema" in value:
            dialect = value["$schema"]
            if not isinstance(dialect, str):
                raise ValueError(f"Unknown JSON Schema dialect: {dialect!r}")
        else:
            if self.dialect is None:
                found = self.data.get("jsonSchemaDialect", OAS31_BASE_DIALECT_ID)
                if type(found) is dict:
                    raise _Bail("jsonSchemaDialect is a mapping")
                if not isinstance(found, str):
                    raise _Stop(f"Expected a string value, got {type(found)}")
                self.dialect = found
            dialect = self.dialect
        cls = validator_for({"$schema": dialect}, default=None)
        if cls is None:
            raise ValueError(f"Unknown JSON Schema dialect: {dialect!r}")
        return functools.partial(cls.check_schema, format_checker=oas31_format_checker)

    def check_default(self, schema: Any, base: str, value: Any, at: Pointer) -> None:
        """osv's check of a ``default`` against its schema; errors placed under ``at``."""
        validator = self.value_validator(schema, base)
        try:
            for err in validator.iter_errors(value):
                self.error(err.message, (*at, *err.absolute_path))
        except RecursionError:
            raise _Nested from None
        except Exception as exc:
            raise _Stop(str(exc)) from None

    def value_validator(self, schema: Any, base: str) -> Any:
        from jsonschema_path.retrievers import SchemaRetriever
        from openapi_schema_validator import (
            OAS30Validator,
            OAS31Validator,
            oas30_format_checker,
            oas31_format_checker,
        )
        from referencing import Registry
        from referencing.jsonschema import DRAFT202012

        if self.version is SpecVersion.OAS31:
            cls, formats = OAS31Validator, oas31_format_checker
        else:
            cls, formats = OAS30Validator, oas30_format_checker
        registry = self.__dict__.get("_registry")
        if registry is None:
            retriever = SchemaRetriever(_Handlers(self.root_dir), DRAFT202012)
            registry = Registry(retrieve=retriever).with_resource(  # type: ignore[call-arg]
                self.root_uri, DRAFT202012.create_resource(self.data))
            self.__dict__["_registry"] = registry
        return cls(schema, _resolver=registry.resolver(base_uri=base), format_checker=formats)

    def error(self, message: str, path: Pointer = ()) -> None:
        self.out.append((pointer_of(path, message), tidy(message)))


_MISSING = object()


def _no_child(node: Any, key: Any) -> Any:
    """Indexing a scalar the way pathable does: strings index, others have no children."""
    if isinstance(node, (str, bytes, tuple)):
        return node[key]
    raise KeyError(key)


class _PathToken:
    """What ``parameter["name"]`` gives osv for a mapping or list value: a path object,
    equal to nothing else (its parts name this very parameter)."""


def _raw_child(node: Any, key: str) -> Any:
    """``parameter[key]`` in osv: the child as stored, or osv's KeyError."""
    if type(node) is dict and key in node:
        value = node[key]
        return _PathToken() if type(value) in (dict, list) else value
    raise _Stop(str(KeyError(key)))


def _has_ids(doc: Any) -> bool:
    """Whether any mapping in ``doc`` declares an ``$id``/``$anchor`` string."""
    stack = [doc]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if type(node) is dict:
            if any(isinstance(node.get(k), str) for k in ("$id", "$anchor", "$dynamicAnchor")):
                return True
            stack.extend(v for v in node.values() if type(v) in (dict, list))
        elif type(node) is list:
            stack.extend(v for v in node if type(v) in (dict, list))
    return False
