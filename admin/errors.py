"""Domain errors raised below, mapped to pages here, in one place."""

from __future__ import annotations

import logging

from aiohttp import web

from admin.pages import render
from admin.security import Handler
from storage.errors import ChangedMeanwhile, IllegalTransition, InvalidInput, NotFound
from storage.visibility import NotPermitted

log = logging.getLogger(__name__)


def error_page(
    request: web.Request, status: int, title: str, message: str, back: str | None = None
) -> web.Response:
    context = {"title": title, "message": message, "back": back}
    return render(request, "error.html", context, status=status)


def case_link(request: web.Request) -> str | None:
    case_id = request.match_info.get("case_id")
    return f"/staff/cases/{case_id}" if case_id else None


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except NotFound:
        # The same page for "does not exist" and "hidden from you", on purpose.
        return error_page(request, 404, "Not found", "There is no such page or case.")
    except ChangedMeanwhile:
        return error_page(
            request,
            409,
            "Changed meanwhile",
            "Someone else changed this case after you opened it, so nothing was sent or "
            "saved. Open the case again to see what changed, then try again if it is "
            "still needed.",
            case_link(request),
        )
    except IllegalTransition as error:
        return error_page(
            request,
            409,
            "That cannot be done now",
            f"This action does not fit the case as it is now: {error}. Nothing was sent.",
            case_link(request),
        )
    except NotPermitted as error:
        return error_page(request, 403, "Not your stage", str(error), case_link(request))
    except InvalidInput as error:
        # Forms with their own fields catch this and show themselves again; this is the rest.
        return error_page(request, 400, "Please check the form", str(error), case_link(request))
    except web.HTTPException as error:
        if (
            error.status in (403, 404, 413)
            and error.text
            and "text/plain" in (error.content_type or "")
        ):
            titles = {403: "Refused", 404: "Not found", 413: "Too large"}
            return error_page(request, error.status, titles[error.status], error.text)
        raise
