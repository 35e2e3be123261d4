"""Git history: the reader (git processes, patches), the walk (introductions), provenance."""
