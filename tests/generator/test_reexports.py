"""Names a module offers others by importing them: carving keeps those imports.

Each test writes a small project for real, analyses it and reads it as
``monosplit migrate`` does.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from analyzer.analysis import analyze
from analyzer.options import load_options
from generator.generate.codebase import Codebase, read_codebase


def codebase(root: Path, files: dict[str, str]) -> Codebase:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return read_codebase(analyze(root, load_options(root)), root)


def test_names_imported_from_a_module_absolute_relative_and_inside_functions(tmp_path: Path) -> None:
    found = codebase(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/options.py": "class Colour:\n    pass\n\n\nclass Size:\n    pass\n",
            # the types moved to options; config still offers them
            "shop/config.py": "from shop.options import Colour, Size  # noqa: F401\n",
            "shop/forms.py": """
                from shop.config import Colour
                from .config import Size as Measure


                def sizes():
                    from shop import config
                    from shop.options import Size

                    return config, Size, Measure, Colour
            """,
        },
    ).names_imported_from

    assert found == {
        "shop": frozenset({"config"}),
        "shop.config": frozenset({"Colour", "Size"}),
        "shop.options": frozenset({"Colour", "Size"}),
    }
