"""Install FlaskBB 2.0.2 into a SQLite file, as its docs say: ``python flaskbb_seed.py DATABASE``.

Run with FlaskBB's interpreter in its folder, the yardstick's seed of FlaskBB
(``verify --seed-database``): the forum's default groups and settings, the
``admin`` account the journey signs in with, and the welcome forum, made by
FlaskBB's own ``flaskbb install``. Only the database URL differs from the
defaults, given in a config file of the kind ``flaskbb --config`` takes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ADMIN = ("--username", "admin", "--email", "admin@example.com", "--password", "admin-secret-1")


def main(database: Path) -> None:
    database.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        config = Path(scratch) / "seed.cfg"
        config.write_text(f"SQLALCHEMY_DATABASE_URI = {'sqlite:///' + str(database.resolve())!r}\n")
        command = "from flaskbb.cli import flaskbb; flaskbb()"
        path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
        subprocess.run(
            [sys.executable, "-c", command, "--config", str(config), "install", "--force", *ADMIN],
            check=True,
            env={**os.environ, "PATH": path},  # its install compiles translations with pybabel
            stdout=subprocess.DEVNULL,
        )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
