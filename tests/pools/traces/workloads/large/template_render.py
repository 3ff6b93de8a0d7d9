# A small template renderer of the kind static-site generators use: parse a
# template with {{ name }}, {% for x in xs %} ... {% endfor %} into a tree
# once, then render many pages from dictionaries, escaping every value.
import html
import re

TOKEN = re.compile(r"({{.*?}}|{%.*?%})", re.S)

PAGE = """<html><head><title>{{ title }}</title></head><body>
<h1>{{ title }}</h1><p>by {{ author }}</p>
<ul>{% for item in items %}<li class="{{ item.kind }}">{{ item.name }}: {{ item.value }}</li>
{% endfor %}</ul>
{% for tag in tags %}<span>{{ tag }}</span>{% endfor %}
</body></html>"""


def parse(text):
    root, stack = [], []
    node = root
    for tok in TOKEN.split(text):
        if tok.startswith("{{"):
            node.append(("var", tok[2:-2].strip().split(".")))
        elif tok.startswith("{%"):
            words = tok[2:-2].split()
            if words[0] == "for":
                body = []
                node.append(("for", words[1], words[3], body))
                stack.append(node)
                node = body
            else:
                node = stack.pop()
        elif tok:
            node.append(("text", tok))
    return root


def lookup(ctx, path):
    value = ctx[path[0]]
    for part in path[1:]:
        value = value[part]
    return value


def render(tree, ctx, out):
    for n in tree:
        if n[0] == "text":
            out.append(n[1])
        elif n[0] == "var":
            out.append(html.escape(str(lookup(ctx, n[1]))))
        else:
            for x in lookup(ctx, [n[2]]):
                render(n[3], dict(ctx, **{n[1]: x}), out)


tree = parse(PAGE)
size = 0
for page in range(3000):
    ctx = {"title": "Page <%d>" % page, "author": "a&b %d" % (page % 17),
           "items": [{"kind": "k%d" % (j % 3), "name": "n%d" % j, "value": page * j}
                     for j in range(page % 20)],
           "tags": ["t%d" % (page % 7), "x"]}
    out = []
    render(tree, ctx, out)
    size += len("".join(out))
print(size)
