"""admin layer (see DESIGN.md): the staff web view, mounted at /staff/ by server.py."""
