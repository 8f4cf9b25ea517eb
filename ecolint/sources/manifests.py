"""Compose files and Kubernetes manifests: each service or container as a launch.

Compose: a top-level ``services:`` mapping; per service ``image``, ``entrypoint`` and
``command`` (a string, split as a shell would, or a list) and ``environment`` (a mapping or a
list of ``NAME=value``), with Compose's ``${VAR:-default}`` interpolation. Kubernetes: every
document of a stream with ``apiVersion`` and ``kind`` (Deployment, StatefulSet, Pod, Job,
CronJob, and custom resources that embed containers), per container ``image``, ``command``,
``args`` and ``env`` (``name``/``value`` entries). Kubernetes does not interpolate values.
"""

from __future__ import annotations

from collections.abc import Iterator

import yaml

from ecolint.sources.document import Document
from ecolint.sources.launch_model import Launch, Offsets, Word, value_after
from ecolint.sources.shell_script import Chars, RawWord, Shell, split_words
from ecolint.sources.yaml_roots import yaml_roots

MAX_DEPTH = 12  # how deep containers are looked for in a Kubernetes resource


def manifest_launches(document: Document) -> Iterator[Launch]:
    reader = _Reader(Offsets(document))
    for root in yaml_roots(document):
        if not isinstance(root, yaml.MappingNode):
            continue
        top = _mapping(root)
        services = top.get("services")
        if isinstance(services, yaml.MappingNode):
            for _, service in services.value:
                if isinstance(service, yaml.MappingNode):
                    yield from reader.service(_mapping(service))
        elif "apiVersion" in top and "kind" in top:
            for container in _containers(root, MAX_DEPTH):
                yield from reader.container(_mapping(container))


def _mapping(node: yaml.MappingNode) -> dict[str, yaml.Node]:
    return {str(key.value): value for key, value in node.value if isinstance(key, yaml.ScalarNode)}


def _containers(node: yaml.Node, depth: int) -> Iterator[yaml.MappingNode]:
    if depth == 0 or not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        if key.value in ("containers", "initContainers") and isinstance(value, yaml.SequenceNode):
            yield from (item for item in value.value if isinstance(item, yaml.MappingNode))
        elif isinstance(value, (yaml.MappingNode, yaml.SequenceNode)):
            children = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for child in children:
                yield from _containers(child, depth - 1)


class _Reader:
    def __init__(self, offsets: Offsets) -> None:
        self.offsets = offsets
        self.compose = Shell(offsets)  # interpolation: unset variables take their defaults

    def service(self, entries: dict[str, yaml.Node]) -> list[Launch]:
        argv: list[Word] = []
        raws: list[RawWord] = []
        for key in ("entrypoint", "command"):
            words, raw = self._command(entries.get(key), interpolate=True)
            argv += words
            raws += raw
        env: dict[str, Word] = {}
        environment = entries.get("environment")
        if isinstance(environment, yaml.MappingNode):
            for key, value in environment.value:
                if isinstance(value, yaml.ScalarNode):
                    env[str(key.value)] = self._word(value, interpolate=True)
        elif isinstance(environment, yaml.SequenceNode):
            for item in environment.value:
                if isinstance(item, yaml.ScalarNode) and "=" in str(item.value):
                    word = self._word(item, interpolate=True)
                    name = str(item.value).partition("=")[0]
                    env[name] = value_after(word, name)
        return self._launch(argv, raws, env, entries.get("image"), interpolate=True)

    def container(self, entries: dict[str, yaml.Node]) -> list[Launch]:
        argv: list[Word] = []
        raws: list[RawWord] = []
        for key in ("command", "args"):
            words, raw = self._command(entries.get(key), interpolate=False)
            argv += words
            raws += raw
        env: dict[str, Word] = {}
        variables = entries.get("env")
        if isinstance(variables, yaml.SequenceNode):
            for item in variables.value:
                if not isinstance(item, yaml.MappingNode):
                    continue
                fields = _mapping(item)
                name, value = fields.get("name"), fields.get("value")
                if isinstance(name, yaml.ScalarNode) and isinstance(value, yaml.ScalarNode):
                    env[str(name.value)] = self._word(value, interpolate=False)
        return self._launch(argv, raws, env, entries.get("image"), interpolate=False)

    def _launch(
        self,
        argv: list[Word],
        raws: list[RawWord],
        env: dict[str, Word],
        image: yaml.Node | None,
        interpolate: bool,
    ) -> list[Launch]:
        """Every command a ``sh -c`` script runs; the last one is the server."""
        image_word = self._word(image, interpolate) if isinstance(image, yaml.ScalarNode) else None
        started = self.compose.launch(argv, {}, raws) if argv else [Launch(())]
        return [Launch(launch.argv, {**env, **launch.env}, image_word) for launch in started]

    def _command(
        self, node: yaml.Node | None, interpolate: bool
    ) -> tuple[list[Word], list[RawWord]]:
        if isinstance(node, yaml.SequenceNode):
            items = [item for item in node.value if isinstance(item, yaml.ScalarNode)]
            return [self._word(item, interpolate) for item in items], [
                self._raw(item, interpolate) for item in items
            ]
        if isinstance(node, yaml.ScalarNode) and node.value:
            raws = split_words(self._chars(node))
            return [self.compose.word(raw, None) for raw in raws], raws
        return [], []

    def _word(self, node: yaml.ScalarNode, interpolate: bool) -> Word:
        return self.compose.word(self._raw(node, interpolate), None)

    def _raw(self, node: yaml.ScalarNode, interpolate: bool) -> RawWord:
        chars = self._chars(node)
        start = chars.offsets[0] if chars.offsets else self._offset(node.start_mark)
        end = chars.offsets[-1] + 1 if chars.offsets else start
        return RawWord(((chars, '"' if interpolate else "'"),), start, end)

    def _offset(self, mark: yaml.Mark) -> int:
        return self.offsets.starts[mark.line] + mark.column

    def _chars(self, node: yaml.ScalarNode) -> Chars:
        """The scalar's characters with their offsets in the file: exact for a scalar written
        on one line without escapes, for a literal block (``|``) and a folded one of one line
        (``>``), else all at its start."""
        value = str(node.value)
        start = self._offset(node.start_mark)
        text = self.offsets.document.text
        quote = 1 if node.style in ("'", '"') else 0
        if "\n" not in value and text[start + quote : start + quote + len(value)] == value:
            return Chars(value, tuple(range(start + quote, start + quote + len(value))))
        lines = self.offsets.document.lines
        if node.style == "|" or (node.style == ">" and "\n" not in value.rstrip("\n")):
            offsets: list[int] = []
            first = node.start_mark.line + 1
            body = [line for line in lines[first : first + value.count("\n") + 1] if line.strip()]
            indent = len(body[0]) - len(body[0].lstrip()) if body else 0
            for number, piece in enumerate(value.split("\n")):
                line = first + number
                if line < len(lines) and lines[line][indent:] == piece:
                    base = self.offsets.starts[line] + indent
                    offsets.extend(range(base, base + len(piece) + 1))
                else:
                    offsets.extend([start] * (len(piece) + 1))
            return Chars(value, tuple(offsets[: len(value)]))
        return Chars(value, (start,) * len(value))
