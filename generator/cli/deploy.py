"""``monosplit deploy DIR``: apply a generated architecture's Kubernetes overlay to a cluster."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("deploy")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False), metavar="DIR")
@click.option(
    "--overlay", type=click.Choice(["dev", "prod"]), default="dev", show_default=True, help="Which overlay."
)
@click.option("--context", metavar="NAME", help="The kubectl context (default: the current one).")
@click.option("--namespace", metavar="NAME", help="Deploy into this namespace instead of the generated one.")
@click.option(
    "--timeout",
    "rollout_timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=300.0,
    show_default=True,
    help="Seconds each rollout has to complete.",
)
def deploy_command(
    directory: Path, overlay: str, context: str | None, namespace: str | None, rollout_timeout: float
) -> None:
    """Apply DIR/k8s/overlays/OVERLAY with kubectl and wait for every rollout.

    Nothing is applied when the overlay does not build or no cluster answers.
    """
    from generator.run.deploy import DeployOptions, KubectlCli, deploy

    options = DeployOptions(
        overlay=overlay, context=context, namespace=namespace, rollout_timeout=rollout_timeout
    )
    deploy(directory, options, KubectlCli(context=context), emit=click.echo)
