"""What kb does: Workspace in, data out, never prints."""
