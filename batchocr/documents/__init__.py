"""Documents: where inputs come from (walk, manifest, stdin) and how each becomes an image."""
