"""Adapters: the only modules that touch the file system, git, Tantivy or Jinja."""
