"""equivalents.py -- the mutants judged equivalent, read from
docs/mutation-equivalents.md.

Each entry there is a bullet list item of four or five sub-items:

    - file: containers.c
      operator: ror-bound
      line: `if (n >= 0)`
      change: `>=` -> `>`
      reason: n is never 0 here: ...

`line` is the text of the line the mutant changes (whitespace collapsed),
`change` as the report prints it.  Matching uses those, not the line
number, so the list survives edits elsewhere in the file.
"""
import re

FIELD = re.compile(r"^\s*-?\s*(file|operator|line|change|reason):\s*(.*)$")


def load(path):
    """{(file, operator, line, change): reason}"""
    out, cur = {}, {}
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return out

    def flush():
        if all(k in cur for k in ("file", "operator", "line", "change")):
            out[(cur["file"], cur["operator"], unquote(cur["line"]), cur["change"].strip())] = \
                cur.get("reason", "equivalent").strip()

    for raw in text.splitlines():
        m = FIELD.match(raw)
        if not m:
            continue
        k, v = m.group(1), m.group(2)
        if k == "file" and raw.lstrip().startswith("-"):
            flush()
            cur = {}
        cur[k] = v.strip()
    flush()
    return out


def unquote(s):
    s = s.strip()
    if len(s) >= 2 and s[0] == "`" and s[-1] == "`":
        s = s[1:-1]
    return " ".join(s.split())


def unused(equiv, keys):
    return [k for k in equiv if k not in keys]
