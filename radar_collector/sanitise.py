"""Make Gerrit's text storable: what no database column can hold is replaced, and said so.

Gerrit may send text that is valid JSON but not storable (a lone surrogate such as ``\\ud800``)
or bytes that are not UTF-8 at all; NUL characters are storable but poison every terminal and
C string that meets them later. The Gerrit client decodes invalid bytes as lone surrogates
(``surrogateescape``) and then runs ``clean`` over the reply, so this one place handles both:
each such character becomes U+FFFD (the rest of the text is kept), and the JSON object that
held it gets ``FLAG`` set, so that the report stored from it is marked ``sanitised``.
"""

import re

FLAG = "_radar_sanitised"
REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# JSON escapes that decode to one: \u0000 and \uD800 to \uDFFF (any case).
_UNSTORABLE_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")


def may_hold_unstorable(json_text: str) -> bool:
    """Could the JSON text decode to an unstorable character (written as itself or as an
    escape)? When it cannot, ``clean`` would change nothing and need not copy the reply."""
    return bool(_UNSTORABLE.search(json_text) or _UNSTORABLE_ESCAPE.search(json_text))


def clean_text(text: str) -> tuple[str, bool]:
    """``text`` with every unstorable character replaced, and whether there was one."""
    cleaned, replaced = _UNSTORABLE.subn(REPLACEMENT, text)
    return cleaned, bool(replaced)


def clean(value):
    """A decoded JSON value with every string cleaned; dicts with a cleaned string (a key or a
    direct value) get ``FLAG`` = True."""
    if isinstance(value, str):
        return clean_text(value)[0]
    if isinstance(value, list):
        return [clean(item) for item in value]
    if not isinstance(value, dict):
        return value
    cleaned, flagged = {}, False
    for key, item in value.items():
        if isinstance(key, str):
            key, changed = clean_text(key)
            flagged |= changed
        if isinstance(item, str):
            item, changed = clean_text(item)
            flagged |= changed
        else:
            item = clean(item)
        cleaned[key] = item
    if flagged:
        cleaned[FLAG] = True
    return cleaned
