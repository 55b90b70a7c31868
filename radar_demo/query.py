"""Gerrit change queries: parsing and matching the subset Radar (and a careful client) uses.

Operators: ``project:``, ``branch:``, ``status:`` / ``is:`` (open, new, merged, abandoned,
closed), ``after:`` / ``since:`` and ``before:`` / ``until:`` (on the change's last update,
inclusive, UTC), ``age:`` (time since the last update, relative to the scenario's end),
``owner:`` and ``commentby:`` (account id, username or email), ``change:`` (number or
Change-Id); a bare number or Change-Id is a ``change:``. Combinators: ``AND`` (also
implicit), ``OR``, ``NOT`` / ``-`` and parentheses; values may be quoted with ``"..."`` or
``{...}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

Predicate = Callable[[object, object], bool]  # (change, context with .end and .account())


class QueryError(ValueError):
    """A query Gerrit would answer with 400 Bad Request; the message is Gerrit-like."""


_STATUSES = {
    "open": {"NEW"},
    "new": {"NEW"},
    "pending": {"NEW"},
    "merged": {"MERGED"},
    "abandoned": {"ABANDONED"},
    "closed": {"MERGED", "ABANDONED"},
}
_AGE_UNITS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "week": 604800,
    "weeks": 604800,
    "mon": 2592000,
    "month": 2592000,
    "months": 2592000,
    "y": 31536000,
    "year": 31536000,
    "years": 31536000,
}
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def parse_time(value: str) -> datetime:
    """Gerrit's query time formats (read as UTC); nanoseconds are cut to microseconds."""
    text = value.strip()
    match = re.fullmatch(r"(.*\.\d{6})\d{1,3}", text)
    if match:
        text = match.group(1)
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise QueryError(f"Invalid timestamp: {value}")


def _parse_age(value: str) -> timedelta:
    match = re.fullmatch(r"\s*(\d+)\s*([a-z]+)\s*", value.lower())
    if not match or match.group(2) not in _AGE_UNITS:
        raise QueryError(f"Invalid age: {value}")
    return timedelta(seconds=int(match.group(1)) * _AGE_UNITS[match.group(2)])


# --- tokens -----------------------------------------------------------------------------------

_KEYWORDS = {"AND", "OR", "NOT"}


def _tokenize(text: str) -> list[tuple[str, str | tuple[str, str]]]:
    """Tokens: ('(' / ')' / 'NEG' / 'AND' / 'OR' / 'NOT', _), ('TERM', (operator, value))."""
    tokens = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append((char, char))
            i += 1
        elif char == "-" and i + 1 < n and not text[i + 1].isspace():
            tokens.append(("NEG", "-"))
            i += 1
        else:
            operator, value, quoted, i = _read_word(text, i)
            if operator is None and not quoted and value in _KEYWORDS:
                tokens.append((value, value))
            else:
                tokens.append(("TERM", (operator or "", value)))
    return tokens


def _read_word(text: str, i: int) -> tuple[str | None, str, bool, int]:
    """``operator:value`` or a bare word from ``i``, up to whitespace or a parenthesis.

    Quotes (``"..."`` or ``{...}``) keep spaces and parentheses in the value.
    """
    out, quoted, operator = [], False, None
    closing = {'"': '"', "{": "}"}
    while i < len(text) and not text[i].isspace() and text[i] not in "()":
        char = text[i]
        if char in closing:
            end = text.find(closing[char], i + 1)
            if end < 0:
                raise QueryError(f"line 1:{i} mismatched input: unterminated {char}")
            out.append(text[i + 1 : end])
            quoted = True
            i = end + 1
            continue
        if char == ":" and operator is None and not quoted and re.fullmatch(r"\w+", "".join(out)):
            operator, out = "".join(out).lower(), []
        else:
            out.append(char)
        i += 1
    return operator, "".join(out), quoted, i


# --- grammar ----------------------------------------------------------------------------------


class _Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def take(self):
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Predicate:
        if not self.tokens:
            return lambda change, ctx: True
        node = self.or_expr()
        if self.peek() is not None:
            raise QueryError(f"line 1:0 extraneous input '{self.tokens[self.pos][1]}'")
        return node

    def or_expr(self) -> Predicate:
        parts = [self.and_expr()]
        while self.peek() == "OR":
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else (lambda c, x: any(p(c, x) for p in parts))

    def and_expr(self) -> Predicate:
        parts = [self.unary()]
        while self.peek() not in (None, "OR", ")"):
            if self.peek() == "AND":
                self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else (lambda c, x: all(p(c, x) for p in parts))

    def unary(self) -> Predicate:
        kind = self.peek()
        if kind in ("NOT", "NEG"):
            self.take()
            inner = self.unary()
            return lambda c, x: not inner(c, x)
        if kind == "(":
            self.take()
            inner = self.or_expr()
            if self.peek() != ")":
                raise QueryError("line 1:0 missing ')'")
            self.take()
            return inner
        if kind == "TERM":
            operator, value = self.take()[1]
            return term(operator, value)
        raise QueryError(f"line 1:0 no viable alternative at input '{self._rest()}'")

    def _rest(self) -> str:
        return " ".join(str(t[1]) for t in self.tokens[self.pos :]) or "<EOF>"


def parse(query: str) -> Predicate:
    """A predicate ``f(change, ctx)``; raises QueryError for what Gerrit would reject."""
    return _Parser(_tokenize(query or "")).parse()


def term(operator: str, value: str) -> Predicate:
    if operator == "":
        if value.isdigit() or re.fullmatch(r"I[0-9a-f]{40}", value):
            return term("change", value)
        raise QueryError(f"Unsupported query: {value}")
    if operator == "project":
        return lambda c, x: c.project == value
    if operator == "branch":
        branch = value.removeprefix("refs/heads/")
        return lambda c, x: c.branch == branch
    if operator in ("status", "is"):
        statuses = _STATUSES.get(value.lower())
        if statuses is None:
            raise QueryError(f"Unrecognized value: {value}")
        return lambda c, x: c.status in statuses
    if operator in ("after", "since"):
        moment = parse_time(value)
        return lambda c, x: c.updated >= moment
    if operator in ("before", "until"):
        moment = parse_time(value)
        return lambda c, x: c.updated <= moment
    if operator == "age":
        age = _parse_age(value)
        return lambda c, x: c.updated <= x.end - age
    if operator == "owner":
        return lambda c, x: _owner_matches(c, x, value)
    if operator == "commentby":
        return lambda c, x: _commented_by(c, x, value)
    if operator == "change":
        return lambda c, x: value in (str(c.number), c.change_id)
    raise QueryError(f"Unsupported operator {operator}:{value}")


def _commented_by(change, ctx, value: str) -> bool:
    account = ctx.account(value)
    return account is not None and any(m.author_id == account.id for m in change.messages)


def _owner_matches(change, ctx, value: str) -> bool:
    account = ctx.account(value)
    return account is not None and account.id == change.owner_id
