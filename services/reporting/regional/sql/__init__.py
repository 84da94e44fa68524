"""SQL migrations of the regional feed."""
