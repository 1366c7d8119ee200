"""One module per ``kb`` command; each stays thin and calls the workspace."""
