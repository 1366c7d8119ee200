"""Everything that knows typer, rich, argv or stdout: the `kb` command line."""
