"""The diff for a terminal (aligned plain-text tables) and as GitHub Markdown. Pure."""

from __future__ import annotations

import re
import textwrap

from generator.diff.model import Diff
from generator.diff.view import Section, Table, sections

#: Widest a terminal cell grows before it is cut with "…".
MAX_CELL = 64
WRAP = 100


def render_text(diff: Diff) -> str:
    """Sections with underlined titles, wrapped paragraphs and aligned tables."""
    out: list[str] = []
    for section in sections(diff, full=False):
        out += [section.title, "=" * len(section.title)]
        for paragraph in section.paragraphs:
            out += textwrap.wrap(paragraph, WRAP, break_on_hyphens=False) or [""]
        for table in section.tables:
            out.append("")
            if table.title:
                out.append(f"{table.title}:")
            out += _aligned(table)
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _cut(text: str) -> str:
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _aligned(table: Table) -> list[str]:
    rows = [tuple(_cut(c) for c in row) for row in table.rows]
    headers = tuple(_cut(h) for h in table.headers)
    widths = [max([len(headers[i]), *(len(r[i]) for r in rows)]) for i in range(len(headers))]

    def line(cells: tuple[str, ...]) -> str:
        parts = [
            cell.rjust(widths[i]) if i in table.numeric else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return ("  " + "  ".join(parts)).rstrip()

    return [line(headers), "  " + "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


# --------------------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def render_markdown(diff: Diff) -> str:
    """GitHub Markdown: one heading per section, pipe tables, long tables folded in ``<details>``."""
    out = [f"# monosplit diff: {_md(diff.a.label)} → {_md(diff.b.label)}", ""]
    for section in sections(diff, full=True):
        out += _md_section(section)
    return "\n".join(out).rstrip("\n") + "\n"


def _md_section(section: Section) -> list[str]:
    out = [f"## {_md(section.title)}", ""]
    for paragraph in section.paragraphs:
        out += [_md(paragraph), ""]
    for table in section.tables:
        if table.folded:
            out += ["<details>", f"<summary>{_md(table.title)} ({len(table.rows)})</summary>", ""]
        elif table.title:
            out += [f"### {_md(table.title)}", ""]
        headers = [_md(h) or " " for h in table.headers]
        out.append("| " + " | ".join(headers) + " |")
        out.append("|" + "|".join("---:" if i in table.numeric else "---" for i in range(len(headers))) + "|")
        for row in table.rows:
            out.append("| " + " | ".join(_md(c) for c in row) + " |")
        out.append("")
        if table.folded:
            out += ["</details>", ""]
    return out
