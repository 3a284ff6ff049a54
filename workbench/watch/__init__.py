"""Live workspace files: what is watched, what changed, and who changed it."""
