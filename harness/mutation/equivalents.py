"""equivalents.py -- the mutants judged equivalent, read from
docs/mutation-equivalents.md.

Each entry there is a bullet list item of five or six sub-items:

    - file: containers.c
      function: list_new
      operator: ror-bound
      line: `if (n >= 0)`
      change: `>=` -> `>`
      reason: n is never 0 here: ...

`function` is the function the mutant is in, `line` the text of the line
it changes (whitespace collapsed), `change` as the report prints it, and
`occurrence` (optional, default 1) which of the function's lines of that
text it is, counted from the top.  Matching uses those, not the line
number, so the list survives edits elsewhere in the file.
"""
import re

FIELD = re.compile(r"^\s*-?\s*(file|function|operator|line|change|occurrence|reason):"
                   r"\s*(.*)$")


def load(path):
    """{(file, function, operator, line, change): reason}"""
    out, cur, last = {}, {}, None
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return out

    def flush():
        if all(k in cur for k in ("file", "function", "operator", "line", "change")):
            key = (cur["file"], cur["function"], cur["operator"], unquote(cur["line"]),
                   cur["change"].strip(), int(cur.get("occurrence", "1")))
            out[key] = " ".join(cur.get("reason", "equivalent").split())

    for raw in text.splitlines():
        m = FIELD.match(raw)
        if m:
            k, v = m.group(1), m.group(2)
            if k == "file" and raw.lstrip().startswith("-"):
                flush()
                cur = {}
            cur[k], last = v.strip(), k
        elif last and raw.startswith("  ") and raw.strip():
            cur[last] += " " + raw.strip()  # a field continued on the next line
        else:
            last = None
    flush()
    return out


def unquote(s):
    s = s.strip()
    if len(s) >= 2 and s[0] == "`" and s[-1] == "`":
        s = s[1:-1]
    return " ".join(s.split())


def unused(equiv, keys):
    return [k for k in equiv if k not in keys]
