"""The reference pages `man/*.md`, generated from the docstrings: the roxygen2 of rkeras.

    python -m rkeras.tools.document            # (re)write man/ from the docstrings
    python -m rkeras.tools.document --check    # exit 1, listing the stale pages, if man/ is out of date

One Markdown page per public name of `rkeras.__all__` (functions, and the few classes), plus
`man/index.md`. A page has the sections of an R man page: title, description, usage (the real
signature, from `inspect.signature`), arguments, value, call arguments (layers), references,
examples and "See also" families derived from the code: a function's family comes from the module
that defines it (`rkeras.api.layers_normalization` -> "normalization layers", `rkeras.api.verbs` ->
"model functions", ...) and every `layer_*` is also in "layers". Pages are never edited by hand.

Docstrings are numpy style: a title line, prose, then sections underlined with dashes
("Parameters", "Call arguments", "Returns", "References", "Examples", ...). The generator fails,
listing every problem, when a parameter of a function's signature is not documented in
"Parameters" or a documented one is not in the signature (`*args` / `**kwargs` are documented as
`*args` / `**kwargs`; several names may share one entry: `on_train_begin, on_train_end : callable`).
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
import textwrap
import types
from dataclasses import dataclass, field
from pathlib import Path

from . import project_root

GENERATOR = "python -m rkeras.tools.document"

# Families that the module name alone does not spell (see `family_of`).
_MODULE_FAMILIES = {
    "rkeras": "backend",
    "rkeras.api.verbs": "model functions",
    "rkeras.api.custom": "custom classes",
    "rkeras.api.utils": "utils",
    "rkeras.api.layers_embedding": "embedding and masking layers",
    "rkeras.compose": "pipe",
    "rkeras.core.config": "config backend",
    "rkeras.core.layer": "layers",
    "rkeras.core.symbolic": "model creation",
    "rkeras.core.variable": "variables",
    "rkeras.models.functional": "model creation",
    "rkeras.models.model": "model creation",
    "rkeras.models.sequential": "model creation",
    "rkeras.random": "random",
    "rkeras.ops.random": "random",
    "rkeras.training.vjp": "custom training",
    "rkeras.training.checkpoint_callbacks": "callbacks",
}
# Packages whose every module is one family.
_PACKAGE_FAMILIES = {
    "rkeras.datasets": "datasets",
    "rkeras.distribute": "distribution",
    "rkeras.ops": "ops",
}
# Order of the families in man/index.md; others follow alphabetically.
_FAMILY_ORDER = [
    "model creation", "core layers", "normalization layers", "convolutional layers", "pooling layers",
    "embedding and masking layers", "merging layers", "preprocessing layers", "layers", "model functions",
    "custom training", "custom classes",
    "optimizers", "losses", "metrics", "callbacks", "initializers", "regularizers", "constraints",
    "ops", "datasets", "random", "distribution", "pipe", "config backend", "backend", "variables",
]
LAYERS_FAMILY = "layers"

_KNOWN_SECTIONS = ("Parameters", "Call arguments", "Returns", "Yields", "Raises", "Warns", "Notes",
                   "Warnings", "References", "Examples", "See Also", "Attributes", "Methods")
_ENTRY_NAME = re.compile(r"^\*{0,2}[A-Za-z_]\w*$")
_URL = re.compile(r"(?<![<(\[`])\b(https?://[^\s<>()`]*[^\s<>()`.,;:])")


class DocumentationError(Exception):
    """A docstring that cannot become a page: undocumented or unknown parameters, bad sections."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} documentation problem(s):\n"
                         + "\n".join(f"  - {p}" for p in self.problems))


# --------------------------------------------------------------------------------------------------
# Docstring parsing

@dataclass
class Entry:
    """One item of a "Parameters"-like section: `name1, name2 : type` then an indented description."""
    names: list
    type: str
    description: str


@dataclass
class Docstring:
    title: str
    description: str
    sections: dict = field(default_factory=dict)  # section name -> dedented body text, in order

    def entries(self, section, where):
        return parse_entries(self.sections.get(section, ""), f"{where}, section '{section}'")


def _is_underline(line):
    stripped = line.strip()
    return len(stripped) >= 3 and set(stripped) == {"-"}


def parse_docstring(doc, where="docstring"):
    """Split a numpy-style docstring into title, description and its dash-underlined sections."""
    lines = inspect.cleandoc(doc or "").splitlines()
    headers = [i for i in range(len(lines) - 1)
               if lines[i].strip() and not lines[i].startswith(" ") and _is_underline(lines[i + 1])
               and not lines[i + 1].startswith(" ")]
    preamble = lines[:headers[0]] if headers else lines
    first_blank = next((i for i, line in enumerate(preamble) if not line.strip()), len(preamble))
    title = " ".join(line.strip() for line in preamble[:first_blank])
    description = "\n".join(preamble[first_blank:]).strip("\n")
    sections = {}
    for k, start in enumerate(headers):
        name = lines[start].strip()
        name = {"See also": "See Also", "Call Arguments": "Call arguments"}.get(name, name)
        end = headers[k + 1] if k + 1 < len(headers) else len(lines)
        if name in sections:
            raise DocumentationError([f"{where}: section '{name}' appears twice"])
        sections[name] = textwrap.dedent("\n".join(lines[start + 2:end])).strip("\n")
    return Docstring(title=title, description=description, sections=sections)


def parse_entries(body, where="section"):
    """Entries `name : type` (names at the section's indentation) each with an indented description."""
    entries, problems = [], []
    current, desc = None, []

    def close():
        if current is not None:
            current.description = textwrap.dedent("\n".join(desc)).strip("\n")
            entries.append(current)

    for line in body.splitlines():
        if not line.strip():
            desc.append("")
        elif line[0] != " ":
            close()
            head, sep, kind = line.partition(" :")
            if not sep:
                head, sep, kind = line.partition(":") if line.rstrip().endswith(":") else (line, "", "")
            names = [n.strip() for n in head.split(",")]
            if not all(_ENTRY_NAME.match(n) for n in names):
                problems.append(f"{where}: cannot read the entry line {line.strip()!r} (expected "
                                f"`name : type`, then the description indented below it)")
                current, desc = None, []
                continue
            current, desc = Entry(names=names, type=kind.strip(), description=""), []
        elif current is None:
            problems.append(f"{where}: indented text {line.strip()!r} before any `name : type` line")
        else:
            desc.append(line)
    close()
    if problems:
        raise DocumentationError(problems)
    return entries


def _bare(name):
    return name.lstrip("*")


# --------------------------------------------------------------------------------------------------
# Signatures

def _signature(obj):
    try:
        return inspect.signature(obj)
    except (TypeError, ValueError):
        return None


def check_parameters(obj, name=None, doc=None):
    """Problems (a list of strings) between the signature of `obj` and its "Parameters" section.

    Every parameter of the signature must be documented, and nothing else; `*args` and `**kwargs`
    are documented under those names (with or without the stars).
    """
    name = name or getattr(obj, "__name__", repr(obj))
    doc = doc if doc is not None else parse_docstring(inspect.getdoc(obj), name)
    sig = _signature(obj)
    params = list(sig.parameters.values()) if sig is not None else []
    try:
        entries = doc.entries("Parameters", name)
    except DocumentationError as err:
        return err.problems
    documented = [n for e in entries for n in e.names]
    shown = {p.name: _param_display(p) for p in params}
    problems = []
    missing = [shown[p.name] for p in params if p.name not in {_bare(n) for n in documented}]
    if missing:
        problems.append(f"{name}: parameter(s) of the signature not documented in 'Parameters': "
                        f"{', '.join(missing)}")
    unknown = [n for n in documented if _bare(n) not in shown]
    if unknown:
        problems.append(f"{name}: documented parameter(s) not in the signature "
                        f"{name}{_one_line_signature(sig)}: {', '.join(unknown)}")
    twice = sorted({n for n in documented if [_bare(m) for m in documented].count(_bare(n)) > 1})
    if twice:
        problems.append(f"{name}: parameter(s) documented twice: {', '.join(twice)}")
    return problems


def _param_display(p):
    return {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "") + p.name


def format_default(value):
    """A default value as code: strings in double quotes (as in R), functions by name."""
    if isinstance(value, str) and '"' not in value and "\\" not in value and value.isprintable():
        return f'"{value}"'
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, types.MethodType, type)):
        return value.__qualname__
    text = repr(value)
    if " at 0x" in text:  # an object's default repr: the address changes from run to run
        return f"{type(value).__name__}()"
    return text


def _usage_parts(sig):
    parts = []
    params = list(sig.parameters.values())
    for i, p in enumerate(params):
        after_star = i > 0 and params[i - 1].kind in (p.KEYWORD_ONLY, p.VAR_POSITIONAL)
        if p.kind == p.KEYWORD_ONLY and not after_star:
            parts.append("*")
        text = _param_display(p)
        if p.default is not p.empty:
            text += "=" + format_default(p.default)
        parts.append(text)
        if p.kind == p.POSITIONAL_ONLY and (i + 1 == len(params) or params[i + 1].kind != p.POSITIONAL_ONLY):
            parts.append("/")
    return parts


def _one_line_signature(sig):
    return "(" + ", ".join(_usage_parts(sig)) + ")" if sig is not None else "(...)"


def format_usage(name, sig, width=80):
    """The call as R's usage shows it: one line if it fits in `width`, else one argument a line."""
    if sig is None:
        return f"{name}(...)"
    parts = _usage_parts(sig)
    one_line = f"{name}({', '.join(parts)})"
    if len(one_line) <= width or not parts:
        return one_line
    return f"{name}(\n" + ",\n".join(f"    {p}" for p in parts) + "\n)"


# --------------------------------------------------------------------------------------------------
# Families

def family_of(module_name):
    """The "See also" family of a public name, from the module that defines it.

    `rkeras.api.layers_<kind>` -> "<kind> layers", `rkeras.training.optimizers` -> "optimizers", a few
    modules are named in `_MODULE_FAMILIES`, and every module of a package in `_PACKAGE_FAMILIES`
    shares its family.
    """
    if module_name in _MODULE_FAMILIES:
        return _MODULE_FAMILIES[module_name]
    for package, family in _PACKAGE_FAMILIES.items():
        if module_name == package or module_name.startswith(package + "."):
            return family
    last = module_name.rsplit(".", 1)[-1]
    if last.startswith("layers_"):
        return last[len("layers_"):].replace("_", " ") + " layers"
    return last.replace("_", " ")


def _family_key(family):
    if family in _FAMILY_ORDER:
        return (_FAMILY_ORDER.index(family), "")
    return (len(_FAMILY_ORDER), family)


# --------------------------------------------------------------------------------------------------
# Pages

@dataclass
class Topic:
    """One public name and what its page is made of."""
    name: str
    obj: object
    doc: Docstring
    family: str
    source: str  # path of the defining file, relative to the project root

    @property
    def is_class(self):
        return inspect.isclass(self.obj)

    @property
    def families(self):
        extra = [LAYERS_FAMILY] if (self.name.startswith("layer_") or self.name == "Layer") else []
        return [self.family] + [f for f in extra if f != self.family]


def _source_of(obj, root):
    try:
        path = Path(inspect.getsourcefile(inspect.unwrap(obj))).resolve()
    except (TypeError, ValueError):
        return "?"
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        parts = path.parts
        return "/".join(parts[parts.index("rkeras"):]) if "rkeras" in parts else path.name


def collect_topics(package=None, root=None):
    """The documented public names of `package` (default: rkeras), checked; raises on any problem."""
    if package is None:
        import rkeras as package
    root = Path(root) if root is not None else project_root()
    topics, problems = [], []
    for name in package.__all__:
        obj = getattr(package, name)
        if not (inspect.isclass(obj) or inspect.isfunction(obj) or inspect.isbuiltin(obj)
                or callable(obj)):
            continue  # constants have no page
        try:
            doc = parse_docstring(inspect.getdoc(obj), name)
        except DocumentationError as err:
            problems.extend(err.problems)
            continue
        if not doc.title:
            problems.append(f"{name}: no docstring (the first line is the page's title)")
            continue
        # A class documents its constructor when it has a "Parameters" section.
        if not inspect.isclass(obj) or "Parameters" in doc.sections:
            problems.extend(check_parameters(obj, name, doc))
        for section in ("Call arguments",):
            try:
                doc.entries(section, name)
            except DocumentationError as err:
                problems.extend(err.problems)
        module = getattr(inspect.unwrap(obj), "__module__", package.__name__)
        topics.append(Topic(name=name, obj=obj, doc=doc, family=family_of(module),
                            source=_source_of(obj, root)))
    if problems:
        raise DocumentationError(problems)
    return topics


def _link(name):
    return f"[`{name}()`]({name}.md)"


def _md_entries(entries):
    out = []
    for e in entries:
        names = ", ".join(f"`{n}`" for n in e.names)
        kind = f" (*{e.type}*)" if e.type else ""
        text = e.description.replace("\n", "\n  ") if e.description else ""
        out.append(f"- {names}{kind}: {text}".rstrip() if text else f"- {names}{kind}")
    return "\n".join(out)


def _md_returns(body):
    """numpy style (a `type` line, then its description indented below it), or free prose."""
    lines = body.splitlines()
    numpy_style = (lines and not lines[0].startswith(("-", "*", " "))
                   and all(not line.strip() or line.startswith(" ") for line in lines[1:3])
                   and len(lines[0]) < 60 and not lines[0].rstrip().endswith((".", ":")))
    if not numpy_style:
        return body
    items, kind, desc = [], None, []
    for line in lines + ["<end>"]:
        if line.strip() and not line.startswith(" "):
            if kind is not None:
                text = textwrap.dedent("\n".join(desc)).strip("\n")
                items.append(f"*{kind}*" + (f": {text}" if text else ""))
            kind, desc = line.strip(), []
        else:
            desc.append(line)
    return "\n\n".join(items)


def _md_examples(body):
    """Doctest examples as a code block: prompts removed, outputs as `#>` comments (as R prints)."""
    if ">>>" not in body:
        return f"```python\n{body}\n```"
    blocks, code, prose, in_code = [], [], [], False

    def flush_code():
        if code:
            while code and not code[-1].strip():
                code.pop()
            blocks.append("```python\n" + "\n".join(code) + "\n```")
            code.clear()

    for line in body.splitlines():
        stripped = line.strip()
        if stripped.startswith(">>>") or (in_code and stripped.startswith("...")):
            if prose:
                blocks.append("\n".join(prose).strip())
                prose.clear()
            in_code = True
            code.append(stripped[4:] if len(stripped) > 3 else "")
        elif in_code and stripped:
            code.append(f"#> {line}")
        elif not stripped:
            in_code = False
            if code:
                code.append("")
            elif prose:
                prose.append("")
        else:
            flush_code()
            prose.append(line)
    flush_code()
    if prose:
        blocks.append("\n".join(prose).strip())
    return "\n\n".join(b for b in blocks if b)


def _autolink(text):
    return _URL.sub(r"<\1>", text)


def _methods(cls):
    """Public methods of an rkeras class (own or inherited from rkeras bases), with their titles."""
    rows = []
    for attr in sorted(dir(cls)):
        if attr.startswith("_"):
            continue
        member = inspect.getattr_static(cls, attr)
        func = member.__func__ if isinstance(member, (staticmethod, classmethod)) else member
        if not inspect.isfunction(func) or not func.__module__.startswith("rkeras"):
            continue
        sig = _signature(func)
        if sig is not None and not isinstance(member, staticmethod):
            params = list(sig.parameters.values())[1:]
            sig = sig.replace(parameters=params)
        title = parse_docstring(inspect.getdoc(func)).title
        rows.append(f"- `{attr}{_one_line_signature(sig)}`" + (f": {title}" if title else ""))
    return "\n".join(rows)


def render_page(topic, topics):
    """The Markdown page of one topic; `topics` (all of them) give the "See also" families."""
    doc, name = topic.doc, topic.name
    out = [f"<!-- Generated by `{GENERATOR}`: do not edit by hand. -->",
           f"<!-- Please edit the docstring of `{name}` in {topic.source}. -->", "",
           f"# {name}", "", f"**{doc.title}**", ""]

    def section(title, body):
        if body and body.strip():
            out.extend([f"## {title}", "", body.strip("\n"), ""])

    section("Description", doc.description or doc.title)
    usage = format_usage(name, _signature(topic.obj))
    section("Usage", f"```python\n{usage}\n```")
    section("Arguments", _md_entries(doc.entries("Parameters", name)))
    if "Returns" in doc.sections:
        section("Value", _md_returns(doc.sections["Returns"]))
    elif "Yields" in doc.sections:
        section("Value", _md_returns(doc.sections["Yields"]))
    section("Call arguments", _md_entries(doc.entries("Call arguments", name)))
    handled = {"Parameters", "Returns", "Yields", "Call arguments", "References", "Examples", "See Also"}
    for title, body in doc.sections.items():
        if title not in handled:
            section(title, body)
    if topic.is_class:
        section("Methods", _methods(topic.obj))
    section("References", _autolink(doc.sections.get("References", "")))
    section("Examples", _md_examples(doc.sections["Examples"]) if "Examples" in doc.sections else "")
    see_also = []
    if doc.sections.get("See Also"):
        see_also.append(_autolink(doc.sections["See Also"]))
    for family in topic.families:
        others = sorted(t.name for t in topics if t.name != name and family in t.families)
        if others:
            see_also.append(f"Other {family}:\n" + ",\n".join(_link(o) for o in others))
    section("See also", "\n\n".join(see_also))
    return "\n".join(out).rstrip("\n") + "\n"


def render_index(topics):
    out = [f"<!-- Generated by `{GENERATOR}`: do not edit by hand. -->", "",
           "# rkeras reference", "",
           ("One page per public function and class of `rkeras` (`rkeras.__all__`), generated from the "
            f"docstrings by `{GENERATOR}`. In Python, `help(rk.<name>)` shows the same text."), ""]
    families = sorted({t.family for t in topics}, key=_family_key)
    for family in families:
        out.extend([f"## {family[0].upper() + family[1:]}", ""])
        for t in sorted((t for t in topics if t.family == family), key=lambda t: t.name.lower()):
            out.append(f"- {_link(t.name)}: {t.doc.title}")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def generate(package=None, root=None):
    """`{file name: text}` of every page of man/, index.md included (raises DocumentationError)."""
    topics = collect_topics(package, root)
    pages = {f"{t.name}.md": render_page(t, topics) for t in topics}
    pages["index.md"] = render_index(topics)
    return pages


def example_code(body):
    """The Python code of an "Examples" section: doctest prompts removed, expected outputs dropped."""
    if ">>>" not in body:
        return body
    code = []
    for line in body.splitlines():
        stripped = line.strip()
        if stripped.startswith((">>>", "...")):
            code.append(stripped[4:])
    return "\n".join(code)


def run_examples(package=None, root=None):
    """Run every "Examples" section with the public names in scope; returns the problems (strings)."""
    import contextlib
    import io

    import numpy as np

    if package is None:
        import rkeras as package
    problems = []
    for topic in collect_topics(package, root):
        if "Examples" not in topic.doc.sections:
            continue
        namespace = {n: getattr(package, n) for n in package.__all__}
        namespace.update(np=np, rk=package)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                code = compile(example_code(topic.doc.sections["Examples"]), f"<{topic.name} examples>",
                               "exec")
                exec(code, namespace)  # noqa: S102 - running the examples is the point
        except Exception as err:  # noqa: BLE001 - every failing example is reported
            problems.append(f"{topic.name}: its example raised {type(err).__name__}: {err}")
    return problems


def _is_generated(path):
    try:
        with open(path, encoding="utf-8") as f:
            return GENERATOR in f.readline()
    except OSError:
        return False


def stale_pages(pages, man_dir):
    """`[(file name, reason)]` of the pages of `man_dir` that differ from `pages`."""
    man_dir = Path(man_dir)
    stale = []
    for fname, text in sorted(pages.items()):
        path = man_dir / fname
        if not path.is_file():
            stale.append((fname, "missing"))
        elif path.read_text(encoding="utf-8") != text:
            stale.append((fname, "differs from the docstring"))
    if man_dir.is_dir():
        for path in sorted(man_dir.glob("*.md")):
            if path.name not in pages:
                stale.append((path.name, "no public name documents it any more"))
    return stale


def write_pages(pages, man_dir):
    """Write the changed pages, delete generated pages of names that disappeared; returns the changes."""
    man_dir = Path(man_dir)
    man_dir.mkdir(parents=True, exist_ok=True)
    changes = []
    for fname, reason in stale_pages(pages, man_dir):
        path = man_dir / fname
        if fname in pages:
            path.write_text(pages[fname], encoding="utf-8", newline="\n")
            changes.append((fname, "written" if reason == "missing" else "updated"))
        elif _is_generated(path):
            path.unlink()
            changes.append((fname, "deleted"))
    return changes


def check(man_dir=None, package=None, root=None):
    """The stale pages of man/ (empty when man/ is in sync with the docstrings)."""
    root = Path(root) if root is not None else project_root()
    return stale_pages(generate(package, root), Path(man_dir) if man_dir else root / "man")


def main(argv=None):
    parser = argparse.ArgumentParser(prog=GENERATOR, description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 listing the pages that differ from the docstrings")
    parser.add_argument("--man-dir", default=None, help="folder of the pages (default: man/ of the project)")
    parser.add_argument("--run-examples", action="store_true",
                        help="also run the \"Examples\" of every page; exit 3 listing those that fail")
    args = parser.parse_args(argv)
    man_dir = Path(args.man_dir) if args.man_dir else project_root() / "man"
    try:
        pages = generate()
    except DocumentationError as err:
        print(f"{GENERATOR}: {err}", file=sys.stderr)
        return 2
    if args.run_examples:
        failures = run_examples()
        for problem in failures:
            print(f"  - {problem}", file=sys.stderr)
        if failures:
            print(f"{GENERATOR}: {len(failures)} example(s) failed.", file=sys.stderr)
            return 3
        print("Every example ran.")
    if args.check:
        stale = stale_pages(pages, man_dir)
        if stale:
            print(f"{len(stale)} stale page(s) in {man_dir} (run `{GENERATOR}` to update):", file=sys.stderr)
            for fname, reason in stale:
                print(f"  {fname}: {reason}", file=sys.stderr)
            return 1
        print(f"{man_dir}: {len(pages)} pages, in sync with the docstrings.")
        return 0
    changes = write_pages(pages, man_dir)
    for fname, what in changes:
        print(f"{what:>8} {man_dir / fname}")
    print(f"{man_dir}: {len(pages)} pages ({len(changes)} changed).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
