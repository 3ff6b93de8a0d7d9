# Tokenize Python source as linters and formatters do: the tokenize module
# over a fixed set of the standard library's own modules, counting tokens by
# type and names by frequency.
import collections
import io
import os
import tokenize

here = os.path.dirname(collections.__file__)
stdlib = os.path.dirname(here)
files = [os.path.join(here, "__init__.py")] + [
    os.path.join(stdlib, name)
    for name in ("argparse.py", "typing.py", "inspect.py", "pathlib.py", "dataclasses.py",
                 "textwrap.py", "tokenize.py", "difflib.py", "ast.py")]
kinds, names = collections.Counter(), collections.Counter()
for path in files:
    with open(path, "rb") as fh:
        source = fh.read()
    for tok in tokenize.tokenize(io.BytesIO(source).readline):
        kinds[tok.type] += 1
        if tok.type == tokenize.NAME:
            names[tok.string] += 1
print(sum(kinds.values()), len(names))
