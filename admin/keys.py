"""Typed application keys of the staff sub-application (its own, apart from the chat's)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import jinja2
from aiohttp import web

from storage.queries import Queries
from storage.runtime import Storage
from storage.staff import StaffDirectory
from storage.web_sessions import WebSessions

STORAGE = web.AppKey("admin_storage", Storage)
TEMPLATES = web.AppKey("admin_templates", jinja2.Environment)
QUERIES = web.AppKey("admin_queries", Queries)
DIRECTORY = web.AppKey("admin_directory", StaffDirectory)
SESSIONS = web.AppKey("admin_sessions", WebSessions)
CLOCK = web.AppKey("admin_clock", Callable[[], datetime])
