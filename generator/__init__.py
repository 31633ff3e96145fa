"""monosplit's generator: from a plan to the files of each architecture (and the CLI on top)."""
