"""The staff web view: an aiohttp sub-application mounted at /staff/ by server.py."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from admin import (
    accounts,
    auth,
    case_views,
    committee,
    enquiries,
    intake,
    letters,
    report_schedules,
    reports,
    restrictions,
    triage,
)
from admin.errors import error_middleware
from admin.keys import CLOCK, DIRECTORY, QUERIES, SESSIONS, STORAGE
from admin.pages import setup_templates
from admin.security import csrf_middleware, headers_middleware, session_middleware
from services import report_formats
from storage.queries import Queries
from storage.runtime import Storage
from storage.staff import StaffDirectory
from storage.web_sessions import WebSessions

HERE = Path(__file__).parent
CASE = "/cases/{case_id:\\d+}"


async def report_css(request: web.Request) -> web.FileResponse:
    return web.FileResponse(report_formats.HERE / "static" / "report.css")


def create_admin_app(storage: Storage) -> web.Application:
    """Routes, guards and services of the staff view; every route but login, setup and
    static files needs a session (security.PUBLIC, checked by a test over the router)."""
    app = web.Application(
        middlewares=[headers_middleware, error_middleware, session_middleware, csrf_middleware]
    )
    app[STORAGE] = storage
    app[CLOCK] = storage.cases.clock
    app[QUERIES] = Queries(storage.cases)
    app[DIRECTORY] = StaffDirectory(storage.sessions, storage.procedure)
    app[SESSIONS] = WebSessions(storage.sessions)
    # The report templates are shared with `complaints report` (services/report_formats.py).
    setup_templates(app, [HERE / "templates", report_formats.HERE / "templates"])
    add = app.router
    add.add_get("/login", auth.login_form, name="login")
    add.add_post("/login", auth.login, name="login_post")
    add.add_get("/setup", auth.setup_form, name="setup")
    add.add_post("/setup", auth.setup, name="setup_post")
    # Before the static folder, so it is found first; it sits beside the report templates.
    add.add_get("/static/report.css", report_css, name="report_css")
    add.add_static("/static/", HERE / "static", name="static")
    add.add_post("/logout", auth.logout, name="logout")
    add.add_get("/account", auth.account, name="account")
    add.add_post("/account/password", auth.change_password, name="password")
    add.add_post("/account/totp", auth.totp_start, name="totp_start")
    add.add_post("/account/totp/confirm", auth.totp_confirm, name="totp_confirm")
    add.add_post("/account/totp/off", auth.totp_off, name="totp_off")
    add.add_get("/", case_views.dashboard, name="dashboard")
    add.add_get("/cases", case_views.case_list, name="cases")
    add.add_get(CASE, case_views.case_page, name="case")
    add.add_get(
        CASE + "/attachments/{attachment_id:\\d+}", case_views.attachment, name="attachment"
    )
    add.add_post(CASE + "/actions/{action}/preview", case_views.action_preview, name="preview")
    add.add_post(CASE + "/actions/{action}", case_views.action, name="action")
    add.add_post(CASE + "/subject", case_views.set_subject, name="subject")
    add.add_post(CASE + "/handler", case_views.set_handler, name="handler")
    add.add_get("/triage", triage.queue, name="triage")
    add.add_post(CASE + "/triage", triage.settle, name="triage_settle")
    add.add_post(CASE + "/promise", case_views.set_promise, name="promise")
    add.add_post(CASE + "/investigator", case_views.set_investigator, name="investigator")
    add.add_post(CASE + "/about-handler", case_views.set_about_handler, name="about_handler")
    add.add_get(CASE + "/form", case_views.complaint_form, name="complaint_form")
    add.add_get(
        CASE + "/form/download", case_views.complaint_form_download, name="complaint_form_download"
    )
    add.add_post("/outbox/{outbox_id:\\d+}/done", case_views.outbox_done, name="outbox_done")
    add.add_post(
        "/callbacks/{callback_id:\\d+}/done", case_views.callback_done, name="callback_done"
    )
    add.add_post(CASE + "/calls/{purpose}/done", case_views.call_done, name="call_done")
    add.add_get("/intake", intake.start_page, name="intake")
    add.add_post("/intake", intake.new, name="intake_new")
    add.add_get("/intake/{token:[A-Za-z0-9_-]{16}}", intake.show, name="intake_show")
    add.add_post("/intake/{token:[A-Za-z0-9_-]{16}}", intake.answer, name="intake_answer")
    add.add_get("/enquiries", enquiries.enquiry_form, name="enquiries")
    add.add_post("/enquiries", enquiries.record_enquiry, name="enquiry_new")
    add.add_get("/reports/schedules", report_schedules.schedules_page, name="schedules")
    add.add_post("/reports/schedules", report_schedules.add, name="schedule_add")
    add.add_post("/reports/schedules/{schedule_id:\\d+}/next", report_schedules.next_date)
    add.add_get("/committee", committee.committee_page, name="committee")
    add.add_post("/committee", committee.mark_noted_view, name="committee_noted")
    add.add_post("/people/{person_id:\\d+}/restrict", restrictions.add_restriction)
    add.add_post(
        "/people/{person_id:\\d+}/restrictions/{restriction_id:\\d+}/lift",
        restrictions.end_restriction,
    )
    add.add_get("/accounts", accounts.accounts, name="accounts")
    add.add_post("/accounts", accounts.add_account, name="account_add")
    add.add_post("/accounts/{staff_id:\\d+}/roles", accounts.set_roles, name="account_roles")
    add.add_post("/accounts/{staff_id:\\d+}/active", accounts.set_active, name="account_active")
    add.add_post("/accounts/{staff_id:\\d+}/aliases", accounts.set_aliases, name="account_aliases")
    add.add_post("/accounts/{staff_id:\\d+}/delays", accounts.clear_delays, name="account_delays")
    add.add_get("/audit", accounts.audit_log, name="audit")
    reports.setup(app)
    letters.setup(app)
    return app
