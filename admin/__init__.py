"""admin layer (see DESIGN.md): the staff web view, mounted at /staff/ by bot/web.py."""

from admin.setup import setup_link

__all__ = ["setup_link"]
