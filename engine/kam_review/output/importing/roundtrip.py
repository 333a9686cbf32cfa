"""Account files read and written as a person wrote them (ruamel.yaml's round trip): comments,
key order, quoting and blank lines kept, long lines never rewrapped; and the one trap of
adding to such a file handled: ruamel.yaml attaches what follows a collection's last item (a
comment, the blank line before the next key) to that item, so an item added after it would
land below them. `append` and `insert_key` move them onto the new last item."""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedBase, CommentedMap, CommentedSeq
from ruamel.yaml.tokens import CommentToken

# (mapping, sequence, offset) indents tried in turn: the first that reproduces a file byte
# for byte is how it is written again. The sample accounts and `kam new` use the first.
INDENTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4))
# Wide enough that no line of a file is ever folded.
WIDTH = 1_000_000


def _yaml(indent: tuple[int, int, int]) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = WIDTH
    yaml.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
    # One value used twice (a deal's stage_since and its history's date) is written out
    # twice: the account format refuses anchors and aliases.
    yaml.representer.ignore_aliases = lambda *_: True
    return yaml


class RoundTrip:
    """One file's document and the settings that write it back unchanged."""

    def __init__(self, document: CommentedMap, yaml: YAML, newline: str = "\n") -> None:
        self.document = document
        self._yaml = yaml
        self._newline = newline  # a file written on Windows keeps its \r\n

    def dump(self) -> str:
        out = io.StringIO()
        self._yaml.dump(self.document, out)
        text = out.getvalue()
        return text if self._newline == "\n" else text.replace("\n", self._newline)


def load(text: str) -> RoundTrip | None:
    """The file's document, or None when no setting writes it back unchanged (then it is
    not updated: rewriting would change what a person wrote). Read the text with its line
    ends as they are (newline="")."""
    newline = "\r\n" if "\r\n" in text else "\n"
    for indent in INDENTS:
        yaml = _yaml(indent)
        document = yaml.load(text.replace("\r\n", "\n"))
        if not isinstance(document, CommentedMap):
            return None
        trip = RoundTrip(document, yaml, newline)
        if trip.dump() == text:
            return trip
    return None


def new_document(values: dict[str, Any]) -> RoundTrip:
    """A document for a new file, written with the settings of `kam new`."""
    return RoundTrip(CommentedMap(values), _yaml(INDENTS[0]))


def _tail(node: Any) -> tuple[list[Any], int] | None:
    """Where the comment after node's last line is held: a slot of a comment list, or None."""
    if isinstance(node, CommentedMap) and node:
        key = list(node)[-1]
        slot = node.ca.items.get(key)
        if slot and slot[2] is not None:
            return slot, 2
        return _tail(node[key])
    if isinstance(node, CommentedSeq) and node:
        index = len(node) - 1
        slot = node.ca.items.get(index)
        if slot and slot[0] is not None:
            return slot, 0
        return _tail(node[index])
    return None


def _take_trailing(node: Any, keep_indented: bool = False) -> CommentToken | None:
    """Detach what follows node's last line, keeping a comment on that line where it is
    (and, with keep_indented, the indented comment lines that continue it)."""
    found = _tail(node)
    if found is None:
        return None
    slot, place = found
    token: CommentToken = slot[place]
    text = token.value
    keep = text.find("\n") + 1
    if keep == 0:
        return None
    while keep_indented and keep < len(text):
        line = text[keep:text.find("\n", keep) + 1 or len(text)]
        if not (line[:1] in (" ", "\t") and line.lstrip().startswith("#")):
            break
        keep += len(line)
    if keep == len(text):
        return None  # only what belongs to the last line itself: it stays
    if keep == 1:
        slot[place] = None
    else:
        token.value = text[:keep]
    return CommentToken("\n" + text[keep:], token.start_mark, None)


def _give_trailing(node: Any, token: CommentToken | None) -> None:
    """Attach token after node's last line (inside a block item; after a one-line one)."""
    if token is None or not isinstance(node, CommentedMap | CommentedSeq) or not node:
        return
    last: Any = list(node)[-1] if isinstance(node, CommentedMap) else len(node) - 1
    value = node[last]
    if isinstance(value, CommentedMap | CommentedSeq) and value and not value.fa.flow_style():
        _give_trailing(value, token)
    else:
        place = 2 if isinstance(node, CommentedMap) else 0
        node.ca.items.setdefault(last, [None, None, None, None])[place] = token


def append(items: CommentedSeq, item: Any) -> None:
    """Add item after the last, in the style of the items before it, and move what
    followed the old last item (trailing comments, the blank line) after it."""
    if isinstance(item, CommentedBase) and items and isinstance(items[-1], CommentedBase) \
            and items[-1].fa.flow_style():
        item.fa.set_flow_style()
    token = _take_trailing(items)
    items.append(item)
    _give_trailing(items, token)


def insert(items: CommentedSeq, index: int, item: Any) -> None:
    """Add item before items[index] (at the end: `append`), in the style of its neighbours."""
    if index >= len(items):
        append(items, item)
        return
    if isinstance(item, CommentedBase) and isinstance(items[index], CommentedBase) \
            and items[index].fa.flow_style():
        item.fa.set_flow_style()
    items.insert(index, item)


def insert_key(mapping: CommentedMap, after: str | None, key: str, value: Any) -> None:
    """Add key: value after the key `after` (None: at the end), moving what followed that
    key's value (a blank line, a comment heading the next key) after the new one; indented
    comment lines that continue the comment on `after`'s line stay with it."""
    keys = list(mapping)
    if after is None or after not in mapping:
        after = keys[-1] if keys else None
    if after is None:
        mapping[key] = value
        return
    position = keys.index(after) + 1
    holder = CommentedMap({after: mapping[after]})
    holder.ca.items.update({after: mapping.ca.items[after]} if after in mapping.ca.items else {})
    token = _take_trailing(holder, keep_indented=True)
    mapping.insert(position, key, value)
    single = CommentedMap({key: value})
    _give_trailing(single, token)
    if key in single.ca.items:
        mapping.ca.items[key] = single.ca.items[key]
