"""Terminal and JSON views: one renderer per result type."""
