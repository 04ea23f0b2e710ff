"""Developer tools of the project, run as modules:

- `python -m rkeras.tools.document [--check]`: the reference pages `man/*.md`, generated from the
  docstrings of the public names (the roxygen of rkeras);
- `python -m rkeras.tools.render_vignettes [--out DIR]`: the executed vignettes, as Markdown with images.

Nothing in the library imports this package.
"""

from pathlib import Path


def project_root() -> Path:
    """The source tree holding `rkeras/` (the folder with `pyproject.toml`), else the current folder.

    `man/` and `vignettes/` live there; an installed copy of rkeras has neither, so the commands then
    work relative to the current directory.
    """
    root = Path(__file__).resolve().parent.parent.parent
    if (root / "pyproject.toml").is_file() and (root / "rkeras").is_dir():
        return root
    return Path.cwd()
