"""``python -m generator.cli``: the ``monosplit`` command without its console script."""

from __future__ import annotations

from generator.cli import main

if __name__ == "__main__":
    main(prog_name="monosplit")
