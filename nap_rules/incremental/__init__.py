"""Re-checking what changed: dependency tracking, partial builds and run snapshots."""
