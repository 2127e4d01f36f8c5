"""Fixtures for the dialogue tests; the helpers themselves are in dialogue_helpers.py."""

from __future__ import annotations

import pytest
from dialogue_helpers import TODAY, Chat, make_procedure

from conversations.context import Context


@pytest.fixture
def ctx() -> Context:
    return Context(make_procedure(), TODAY, "webchat")


@pytest.fixture
def chat(ctx: Context) -> Chat:
    return Chat(ctx)
