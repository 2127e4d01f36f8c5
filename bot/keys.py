"""Typed aiohttp application keys shared by the channels."""

from __future__ import annotations

from aiohttp import web

from storage.runtime import Storage

STORAGE = web.AppKey("storage", Storage)
