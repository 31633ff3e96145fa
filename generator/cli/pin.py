"""``monosplit pin DIR IMAGE@sha256:... ...``: pin an overlay's images to the digests a build reported."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from analyzer.errors import MonosplitError


@click.command("pin")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False), metavar="DIR")
@click.argument("images", nargs=-1, required=True, metavar="IMAGE@sha256:DIGEST...")
@click.option(
    "--overlay", type=click.Choice(["dev", "prod"]), default="prod", show_default=True, help="Which overlay."
)
def pin_command(directory: Path, images: tuple[str, ...], overlay: str) -> None:
    """Pin images of DIR/k8s/overlays/OVERLAY to their digests (kustomize ``images:``).

    IMAGE is the name the generated base gives it (see the overlay's images list),
    e.g. ``sample-monolith-microservices-catalog@sha256:...``, or ``postgres@sha256:...``.
    The file becomes yours: a later ``monosplit generate`` keeps it and reports it.
    """
    from generator.generate.deploy import parse_pin, pin_images

    pins = dict(parse_pin(image) for image in images)
    target = directory / "k8s" / "overlays" / overlay / "kustomization.yaml"
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MonosplitError(f"{target}: no such file (generate the architecture first)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MonosplitError(f"{target}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    pinned = pin_images(text, pins)
    try:
        fd, scratch = tempfile.mkstemp(dir=target.parent, prefix=".kustomization.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(pinned)
            os.replace(scratch, target)
        finally:
            if os.path.exists(scratch):
                os.unlink(scratch)
    except OSError as exc:
        raise MonosplitError(f"{target}: cannot write: {exc.strerror or exc}") from None
    for name, digest in sorted(pins.items()):
        click.echo(f"monosplit: pinned {name} to {digest} in {target}")
