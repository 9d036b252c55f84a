"""One YAML loader for every file a person writes: reports.yaml, ``-f`` files, assumptions.

PyYAML's ``safe_load`` quietly keeps the last of two equal keys, expands aliases into
structures that grow exponentially when anything walks them (a 350-byte "billion laughs"
file), turns a 5,000-digit integer into a ``ValueError`` traceback and reads a file that
is not UTF-8 only to fail with ``UnicodeDecodeError``.  :func:`read_yaml` refuses each of
these with one line naming the file, the line and what is allowed:

* a duplicate mapping key (``duplicate key 'council' at line 5``);
* an alias (``*name``), unless the caller allows aliases (the committed assumptions share
  a source between records that way); even then the document, with every alias expanded,
  may hold at most :data:`MAX_EXPANDED_NODES` values, and no alias may refer to itself;
* an integer of more than :data:`MAX_INT_DIGITS` digits;
* bytes that are not UTF-8 text.

Examples
--------
>>> loads("a: 1\\nb: [1, 2]\\n", "demo.yaml")
{'a': 1, 'b': [1, 2]}
>>> loads("a: 1\\na: 2\\n", "demo.yaml")
Traceback (most recent call last):
...
sharedservices.inputs.yamlio.YamlProblem: duplicate key 'a' at line 2 (allowed: each key once)
>>> loads("a: &x [1]\\nb: *x\\n", "demo.yaml")
Traceback (most recent call last):
...
sharedservices.inputs.yamlio.YamlProblem: alias *x is not allowed at line 2 (allowed: every value written out; anchors and aliases are refused in this file)
>>> loads("a: &x [1]\\nb: *x\\n", "demo.yaml", allow_aliases=True)
{'a': [1], 'b': [1]}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError, SafeConstructor

__all__ = ["MAX_EXPANDED_NODES", "MAX_INT_DIGITS", "YamlProblem", "loads", "read_text", "read_yaml"]

#: Python refuses to convert longer decimal strings to ``int`` (``sys.int_info``); so do we.
MAX_INT_DIGITS = 4300
#: Most values (scalars, lists, mappings) a document may hold once every alias is expanded.
#: The largest committed file, ``programmes.yaml``, holds a few thousand.
MAX_EXPANDED_NODES = 100_000


class YamlProblem(ValueError):
    """What is wrong with a YAML text, in one line that does not name the file."""


class StrictLoader(yaml.SafeLoader):
    """``SafeLoader`` refusing duplicate keys, over-long integers and (by default) aliases."""

    allow_aliases = False

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D102
        if self.check_event(yaml.AliasEvent) and not self.allow_aliases:
            event = self.peek_event()
            raise ComposerError(
                None, None,
                f"alias *{event.anchor} is not allowed (allowed: every value written out; "
                "anchors and aliases are refused in this file)", event.start_mark)
        return super().compose_node(parent, index)

    def construct_document(self, node: Any) -> Any:  # noqa: D102
        _check_expanded_size(node, MAX_EXPANDED_NODES)
        return super().construct_document(node)


class AliasLoader(StrictLoader):
    """:class:`StrictLoader` that allows aliases (their expanded size is still capped)."""

    allow_aliases = True


def _construct_mapping(loader: StrictLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            duplicate = key in seen
        except TypeError:  # an unhashable key; the base constructor reports it
            break
        if duplicate:
            raise ConstructorError(None, None, f"duplicate key {_short(key)} "
                                   "(allowed: each key once)", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


def _construct_int(loader: StrictLoader, node: yaml.ScalarNode) -> int:
    text = str(node.value)
    digits = sum(c.isdigit() for c in text)
    if digits > MAX_INT_DIGITS:
        raise ConstructorError(None, None, f"an integer of {digits} digits is too long "
                               f"(allowed: at most {MAX_INT_DIGITS} digits)", node.start_mark)
    value = SafeConstructor.construct_yaml_int(loader, node)
    if abs(value).bit_length() > MAX_INT_DIGITS * 3:  # 0x..., 0o..., 1:2:3 (base 60)
        approx = int(abs(value).bit_length() * 0.30103) + 1
        raise ConstructorError(None, None, f"an integer of about {approx} digits is too long "
                               f"(allowed: at most {MAX_INT_DIGITS} digits)", node.start_mark)
    return value


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value) if not isinstance(value, int) or abs(value).bit_length() < 4000 \
        else "a very long integer"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _children(node: Any) -> list[Any]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_expanded_size(root: Any, limit: int) -> None:
    """Refuse a node graph that, with aliases expanded, holds more than ``limit`` nodes.

    Aliased nodes are shared in the graph, so this counts in time proportional to the
    graph (not to its expansion) by remembering each node's expanded size.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        nid = id(node)
        if done:
            on_path.discard(nid)
            size = 1 + sum(sizes[id(c)] for c in _children(node))
            if size > limit:
                raise ComposerError(None, None, f"with its aliases expanded the document holds "
                                    f"more than {limit:,} values (allowed: at most {limit:,})",
                                    node.start_mark)
            sizes[nid] = size
            continue
        if nid in sizes:
            continue
        if nid in on_path:
            raise ComposerError(None, None, "an alias refers to the value that contains it "
                                "(allowed: aliases of finished values only)", node.start_mark)
        on_path.add(nid)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                raise ComposerError(None, None, "an alias refers to the value that contains it "
                                    "(allowed: aliases of finished values only)", child.start_mark)
            if id(child) not in sizes:
                stack.append((child, False))


def _describe(exc: yaml.YAMLError) -> str:
    """One line for a YAML error: what, and at which line."""
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    if problem is None:
        text = " ".join(str(exc).split())
        return f"is not valid YAML ({text[:200]})"
    line = f" at line {mark.line + 1}" if mark is not None else ""
    problem = " ".join(str(problem).split())
    if problem.startswith(("duplicate key", "alias ", "an integer", "with its aliases",
                           "an alias")):
        head, sep, tail = problem.partition(" (allowed:")
        return f"{head}{line}{sep}{tail}"
    return f"is not valid YAML{line} ({problem[:200]})"


def loads(text: str, where: str = "<text>", *, allow_aliases: bool = False) -> Any:
    """Parse YAML ``text``; raise :class:`YamlProblem` (one line) on any of the refusals."""
    loader_cls = AliasLoader if allow_aliases else StrictLoader
    try:
        return yaml.load(text, Loader=loader_cls)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise YamlProblem(_describe(exc)) from None
    except RecursionError:
        raise YamlProblem("is nested too deeply (allowed: a few levels of lists and "
                          "mappings)") from None


def read_text(path: Path) -> str:
    """The UTF-8 text of ``path``; :class:`YamlProblem` if it cannot be read or decoded."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise YamlProblem(f"cannot be read ({exc.strerror or exc})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlProblem(f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} at position "
                          f"{exc.start}) (allowed: a UTF-8 text file)") from None


def read_yaml(path: Path, *, allow_aliases: bool = False) -> Any:
    """Read and parse one YAML file (:func:`read_text`, then :func:`loads`).

    Raises
    ------
    YamlProblem
        The file cannot be read, is not UTF-8, is not valid YAML, repeats a key, uses an
        alias (unless ``allow_aliases``), expands too far or holds an over-long integer.
        The message does not name the file: the caller prefixes it.
    """
    return loads(read_text(path), str(path), allow_aliases=allow_aliases)
