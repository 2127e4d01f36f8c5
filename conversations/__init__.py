"""conversations layer (see DESIGN.md)."""
