"""Everything that knows typer, rich, argv or stdout: the `kb` command line, and kb's other
surfaces (the MCP and LSP servers, the Slack app in ``slack/``)."""
