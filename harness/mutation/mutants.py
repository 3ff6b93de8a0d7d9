"""mutants.py -- stage 1 of the mutation tool: the mutants of one C file.

A mutant is the file with one small, classic change at one site:

    operator      site                          change
    ror-neg       == != < <= > >=               negated: == <-> !=, < <-> >=, > <-> <=
    ror-bound     < <= > >=                     boundary: < <-> <=, > <-> >=
    lor           && ||                         swapped: && <-> ||
    const+1       an integer literal            n -> n + 1
    const-1       an integer literal            n -> n - 1 (not for 0)
    drop-call     f(...); where f is a helper   the statement becomes ';'
                  (incref, decref, free, list_, pool_, trace_, gc_, obj_, mem_, ...)
    del-stmt      any other expression          the statement becomes ';'
                  statement, break, continue
    if-neg        if (c)                        if (!(c)): the two branches swapped
    ret-const     return e; (non-void)          return NULL / 0 (-1 when e is 0) / 0.0

Comments, string and character literals, preprocessor lines and the
Valgrind client requests (VALGRIND_*) are never mutated.  The file is
scanned once into a "masked" copy where comments and literals are blanked,
then tokenized; every site is a (start, end, replacement) edit of the
original text, so a mutant is exact text, not a re-printed tree.

Identity.  `mid` (file:line:operator#n) names a mutant in a report; `key`
(the file, the function, the operator, the text of the line it changes, the
change, and which of the function's lines of that text it is) names it
across edits of the file: the equivalent-mutant list
matches on it.
"""
import re
from dataclasses import dataclass

HELPER_CALL = re.compile(
    r"(incref|decref|free|clear|track|untrack|dealloc|append|insert|release|"
    r"^(list|tuple|dict|obj|mem|gc|pool|pools|trace|tracing|gen|frame|arena|err)_)")
KEYWORDS_STMT = {"if", "while", "for", "switch", "do", "else", "case", "default", "goto",
                 "return", "break", "continue", "sizeof"}
TYPE_WORDS = {"const", "static", "unsigned", "signed", "struct", "enum", "union", "volatile",
              "register", "extern", "inline", "void", "char", "short", "int", "long", "float",
              "double", "_Bool", "bool"}

TOKEN = re.compile(r"""
    (?P<num>0[xX][0-9a-fA-F]+[uUlL]*|[0-9]+\.[0-9]*(?:[eE][-+]?[0-9]+)?[fFlL]?|[0-9]+[eE][-+]?[0-9]+[fFlL]?|[0-9]+[uUlL]*)
  | (?P<id>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<op>->|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||\+\+|--|\+=|-=|\*=|/=|%=|&=|\|=|\^=|\.\.\.|[-+*/%<>=!&|^~?:;,.(){}\[\]])
""", re.X)


@dataclass
class Token:
    kind: str
    text: str
    start: int
    end: int
    line: int


@dataclass
class Mutant:
    file: str        # the file's name, as in lab.json
    line: int        # 1-based line of the change's start
    last_line: int   # line of its end (a statement may span lines)
    op: str
    start: int
    end: int
    repl: str
    original: str    # the changed text, before
    mid: str = ""
    key: tuple = ()
    func: str = ""   # the function it is in

    def apply(self, text):
        return text[:self.start] + self.repl + text[self.end:]

    def change(self):
        before = " ".join(self.original.split())
        after = " ".join(self.repl.split()) or "(nothing)"
        return f"`{before}` -> `{after}`"


def mask(text):
    """The text with comments, string and char literals and preprocessor
    lines (with their continuations) replaced by spaces; newlines kept."""
    out = list(text)
    i, n = 0, len(text)
    line_start = True
    while i < n:
        c = text[i]
        if line_start and c in " \t":
            i += 1
            continue
        if line_start and c == "#":  # a directive, up to an unescaped newline
            while i < n and not (text[i] == "\n" and text[i - 1] != "\\"):
                if text[i] != "\n":
                    out[i] = " "
                i += 1
            continue
        line_start = False
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if text[k] != "\n":
                    out[k] = " "
            i = j
            continue
        if text.startswith("//", i):
            while i < n and text[i] != "\n":
                out[i] = " "
                i += 1
            continue
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            for k in range(i + 1, min(j, n)):
                if text[k] != "\n":
                    out[k] = " "
            i = j + 1
            continue
        if c == "\n":
            line_start = True
        i += 1
    return "".join(out)


def tokenize(masked):
    toks, line, pos = [], 1, 0
    for m in TOKEN.finditer(masked):
        line += masked.count("\n", pos, m.start())
        pos = m.start()
        toks.append(Token(m.lastgroup, m.group(), m.start(), m.end(), line))
    return toks


def int_value(lit):
    body = lit.rstrip("uUlL")
    return body, lit[len(body):], int(body, 16 if body[:2].lower() == "0x" else 10)


def bumped(lit, delta):
    body, suffix, v = int_value(lit)
    v += delta
    if v < 0:
        return None
    if body[:2].lower() == "0x":
        return f"{body[:2]}{v:X}{suffix}" if body[2:].isupper() else f"{body[:2]}{v:x}{suffix}"
    return f"{v}{suffix}"


ROR_NEG = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
ROR_BOUND = {"<": "<=", "<=": "<", ">": ">=", ">=": ">"}


class Scanner:
    """Walks the tokens of one file and collects its mutants."""

    def __init__(self, name, text):
        self.name, self.text = name, text
        self.masked = mask(text)
        self.toks = tokenize(self.masked)
        self.lines = text.split("\n")
        self.mutants = []
        self.skip_lines = {i + 1 for i, l in enumerate(self.lines) if "VALGRIND_" in l}
        self.match = self._matching()

    def _matching(self):
        match, stack = {}, []
        for i, t in enumerate(self.toks):
            if t.text in "([{" and t.kind == "op":
                stack.append(i)
            elif t.text in ")]}" and t.kind == "op" and stack:
                j = stack.pop()
                match[i], match[j] = j, i
        return match

    def add(self, op, t0, t1, repl):
        """A mutant replacing the text of tokens t0..t1 (inclusive)."""
        a, b = self.toks[t0], self.toks[t1]
        if a.line in self.skip_lines or b.line in self.skip_lines:
            return
        self.mutants.append(Mutant(self.name, a.line, b.line, op, a.start, b.end, repl,
                                   self.text[a.start:b.end]))

    # ------------------------------------------------------------ token operators
    def token_sites(self, body_ranges):
        for i, t in enumerate(self.toks):
            if not any(lo <= i <= hi for lo, hi in body_ranges):
                continue
            if t.kind == "op" and t.text in ROR_NEG:
                self.add("ror-neg", i, i, ROR_NEG[t.text])
                if t.text in ROR_BOUND:
                    self.add("ror-bound", i, i, ROR_BOUND[t.text])
            elif t.kind == "op" and t.text in ("&&", "||"):
                self.add("lor", i, i, "||" if t.text == "&&" else "&&")
            elif t.kind == "num" and re.fullmatch(r"(0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]*", t.text):
                if i > 0 and self.toks[i - 1].text == "[" and self._in_declaration(i):
                    continue  # an array's size: a mutant there changes no behaviour
                up, down = bumped(t.text, 1), bumped(t.text, -1)
                if up:
                    self.add("const+1", i, i, up)
                if down:
                    self.add("const-1", i, i, down)

    def _in_declaration(self, i):
        j = i
        while j > 0 and self.toks[j - 1].text not in (";", "{", "}"):
            j -= 1
        first = [t for t in self.toks[j:i] if t.text != "*"][:2]
        return len(first) == 2 and all(t.kind == "id" for t in first) \
            and first[0].text not in KEYWORDS_STMT

    # ------------------------------------------------------------ statements
    def statement_sites(self, lo, hi, rettype):
        """The statements of one function body, tokens lo..hi (the braces)."""
        i = lo + 1
        while i < hi:
            t = self.toks[i]
            if t.text in ("{", "}", ";") or t.kind == "op" and t.text == ":":
                i += 1
                continue
            i = self.statement(i, hi, rettype)

    def statement(self, i, hi, rettype):
        """Handles the statement starting at token i; returns the next
        statement start (inside a compound or a header's body)."""
        t = self.toks[i]
        if t.text in ("if", "while", "for", "switch") and i + 1 < hi and self.toks[i + 1].text == "(":
            close = self.match.get(i + 1, hi)
            if t.text == "if":
                self.add_if_neg(i + 1, close)
            return close + 1
        if t.text in ("else", "do"):
            return i + 1
        if t.text in ("case", "default"):
            while i < hi and self.toks[i].text != ":":
                i += 1
            return i + 1
        if t.kind == "id" and self.toks[i + 1].text == ":":
            return i + 2  # a label
        end = self.statement_end(i, hi)
        if end is None:
            return i + 1
        if t.text == "return":
            if end > i + 1 and rettype not in (None, "void"):
                self.add_ret_const(i + 1, end - 1, rettype)
            return end + 1
        if t.text in ("break", "continue"):
            self.add("del-stmt", i, end, ";")
            return end + 1
        if t.text in KEYWORDS_STMT or self.is_declaration(i, end):
            return end + 1
        if t.kind == "id" and self.toks[i + 1].text == "(" and self.match.get(i + 1) == end - 1 \
                and HELPER_CALL.search(t.text):
            self.add("drop-call", i, end, ";")
        else:
            self.add("del-stmt", i, end, ";")
        return end + 1

    def statement_end(self, i, hi):
        depth = 0
        for j in range(i, hi):
            s = self.toks[j].text
            if s in "([":
                depth += 1
            elif s in ")]":
                depth -= 1
                if depth < 0:
                    return None
            elif s == "{" and depth == 0:
                return self.statement_end(self.match.get(j, hi) + 1, hi)  # an initializer
            elif s == ";" and depth == 0:
                return j
        return None

    def is_declaration(self, i, end):
        first = [t for t in self.toks[i:end] if t.text != "*"][:2]
        if self.toks[i].text in TYPE_WORDS:
            return True
        return len(first) == 2 and first[0].kind == "id" and first[1].kind == "id"

    def add_if_neg(self, open_i, close_i):
        a, b = self.toks[open_i], self.toks[close_i]
        if a.line in self.skip_lines or b.line in self.skip_lines:
            return
        cond = self.text[a.end:b.start]
        self.mutants.append(Mutant(self.name, a.line, b.line, "if-neg", a.start, b.end,
                                   f"(!({cond}))", self.text[a.start:b.end]))

    def add_ret_const(self, lo, hi, rettype):
        expr = " ".join(self.text[self.toks[lo].start:self.toks[hi].end].split())
        if rettype == "pointer":
            if expr == "NULL":
                return
            repl = "NULL"
        elif rettype == "real":
            repl = "0.0" if expr not in ("0", "0.0") else "1.0"
        else:
            repl = "-1" if expr in ("0", "false") else "0"
        self.add("ret-const", lo, hi, repl)

    # ------------------------------------------------------------ functions
    def functions(self):
        """(body_lo, body_hi, return type) of every function definition:
        a '{' at file level whose previous token is ')'."""
        out, i, n = [], 0, len(self.toks)
        boundary = -1
        while i < n:
            t = self.toks[i]
            if t.text == "{" and i > 0 and self.toks[i - 1].text == ")":
                close = self.match.get(i, n - 1)
                out.append((i, close, self.return_type(boundary + 1, i), self.function_name(i)))
                boundary, i = close, close + 1
                continue
            if t.text in ("{", "(", "["):
                i = self.match.get(i, i) + 1
                continue
            if t.text == ";":
                boundary = i
            i += 1
        return out

    def function_name(self, body):
        open_paren = self.match.get(body - 1)
        return self.toks[open_paren - 1].text if open_paren else "?"

    def return_type(self, lo, body):
        # the name is the identifier before the '(' that matches the ')' before the body
        open_paren = self.match.get(body - 1)
        if open_paren is None or open_paren < 1:
            return None
        head = [t.text for t in self.toks[lo:open_paren - 1]]
        if "*" in head:
            return "pointer"
        words = [w for w in head if w not in ("static", "inline", "const", "extern")]
        if words == ["void"]:
            return "void"
        if any(w in ("double", "float") for w in words):
            return "real"
        return "integer"


def function_bodies(name, text):
    """{function name: its body's text, whitespace collapsed}."""
    s = Scanner(name, text)
    return {fname: " ".join(s.masked[s.toks[lo].start:s.toks[hi].end].split())
            for lo, hi, _, fname in s.functions()}


def mutants_of(name, text, given=()):
    """The mutants of one file; functions named in `given` (code the
    skeleton hands out as is) are left alone."""
    s = Scanner(name, text)
    funcs = [f for f in s.functions() if f[3] not in given]
    s.token_sites([(lo, hi) for lo, hi, _, _ in funcs])
    for lo, hi, rettype, _ in funcs:
        s.statement_sites(lo, hi, rettype)
    bodies = [(s.toks[lo].start, s.toks[hi].end, name) for lo, hi, _, name in funcs]
    s.mutants.sort(key=lambda m: (m.start, m.op, m.repl))
    seen = {}
    for m in s.mutants:
        base = f"{name}:{m.line}:{m.op}"
        seen[base] = seen.get(base, 0) + 1
        m.mid = f"{base}#{seen[base]}"
        m.func = next((f for a, b, f in bodies if a <= m.start < b), "?")
        line = original_lines(text, m)
        m.key = (name, m.func, m.op, line, m.change(), occurrence(text, bodies, m, line))
    return s.mutants


def occurrence(text, bodies, m, line):
    """1 + the number of lines of the same text before the mutant's in its
    function: tells `if (i < 0)` twice in one function apart."""
    a = next((a for a, b, f in bodies if a <= m.start < b), 0)
    start = text.rfind("\n", 0, m.start) + 1
    before = text[a:start].split("\n")
    return 1 + sum(1 for l in before if " ".join(l.split()) == line)


def original_lines(text, m):
    """The line(s) the mutant changes, whitespace collapsed: with the
    operator and the change, what the equivalent-mutant list quotes."""
    a = text.rfind("\n", 0, m.start) + 1
    b = text.find("\n", m.end)
    b = len(text) if b < 0 else b
    return " ".join(text[a:b].split())
