"""Load a procedure from a TOML file (a preset or an organisation's own), strictly.

Every error names the file, the field and the reason, so the person who wrote the file
can fix it without reading code: "myorg.toml: stages[2].respond_within: unit must be one
of working_days, days, weeks, months". Positions in lists count from 1 (stages[2] is the
second [[stages]] table). The format is documented in docs/procedures.md.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from procedures.model import (
    Category,
    ComplaintForm,
    ComplaintWindow,
    Contact,
    EnquiryRule,
    EntryRule,
    ExternalBody,
    Handler,
    Procedure,
    Stage,
    TimeLimit,
    Unit,
)
from procedures.translations import read_translations
from procedures.window import add_calendar

PRESETS = Path(__file__).parent / "presets"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_LIMIT = re.compile(r"^\s*(\d+)\s+([a-z_ ]+?)\s*$")
_UNITS = {
    "working_day": Unit.WORKING_DAYS,
    "day": Unit.DAYS,
    "week": Unit.WEEKS,
    "month": Unit.MONTHS,
} | {unit.value: unit for unit in Unit}

T = TypeVar("T")


class ProcedureError(ValueError):
    """An invalid procedure file: the message is "file: field: reason"."""

    def __init__(self, file: str, field: str, reason: str) -> None:
        self.file, self.field, self.reason = file, field, reason
        super().__init__(f"{file}: {field}: {reason}" if field else f"{file}: {reason}")


def preset_names() -> list[str]:
    return sorted(path.stem for path in PRESETS.glob("*.toml"))


def load_procedure(name_or_path: str) -> Procedure:
    """A preset by name ("west-wilts-ccc") or a procedure file by path ("myorg.toml")."""
    if name_or_path.endswith(".toml") or "/" in name_or_path or "\\" in name_or_path:
        path = Path(name_or_path)
    elif name_or_path in preset_names():
        path = PRESETS / f"{name_or_path}.toml"
    else:
        raise ProcedureError(
            name_or_path, "", f"no such preset (presets: {', '.join(preset_names())})"
        )
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except OSError as error:
        raise ProcedureError(path.name, "", f"cannot read: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ProcedureError(path.name, "", f"not valid TOML: {error}") from None
    return _Reader(path).procedure(raw)


class _Reader:
    """Turns the parsed TOML into a Procedure, checking as it goes."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, field: str, reason: str) -> ProcedureError:
        return ProcedureError(self.path.name, field, reason)

    # -- the document ------------------------------------------------------------------

    def procedure(self, raw: dict[str, Any]) -> Procedure:
        t = self.table(raw, "", _TOP)
        stages = self.stages(t.get("stages"))
        external = t.get("external_body")
        return Procedure(
            key=self.path.stem,
            organisation=self.text(t, "", "organisation", required=True),
            contact=self.contact(t.get("contact"), "contact"),
            what_counts=self.text(t, "", "what_counts", required=True),
            categories=self.categories(t.get("categories", [])),
            stages=stages,
            external_body=None if external is None else self.external(external, "external_body"),
            further_external_bodies=tuple(
                self.external(body, f"further_external_bodies[{i}]")
                for i, body in self.items(t, "further_external_bodies")
            ),
            complaint_window=self.window(t.get("complaint_window")),
            has_informal_route=self.flag(t, "", "has_informal_route"),
            accepts_compliments=self.flag(t, "", "accepts_compliments", default=True),
            extra_time_allowance=self.limit(t, "", "extra_time_allowance"),
            closures=self.closures(t.get("closures", [])),
            retention_years=self.number(t, "", "retention_years", default=6),
            notes=self.texts(t, "", "notes"),
            enquiries=self.enquiries(t.get("enquiries")),
            complaint_form=self.form(t.get("complaint_form")),
            committee=self.text(t, "", "committee"),
            source=str(self.path),
            translations=self.translations(),
        )

    def translations(self) -> dict[str, dict[str, str]]:
        try:
            return read_translations(self.path)
        except (OSError, ValueError) as error:
            raise self.fail("translations", f"cannot read: {error}") from None

    def stages(self, raw: Any) -> tuple[Stage, ...]:
        if not isinstance(raw, list) or not raw:
            raise self.fail("stages", "at least one [[stages]] table is required")
        stages = []
        for position, item in enumerate(raw, start=1):
            where = f"stages[{position}]"
            t = self.table(item, where, _STAGE)
            number = self.number(t, where, "number", required=True)
            if number != position:
                raise self.fail(
                    f"{where}.number", f"is {number}; stages are numbered 1, 2, 3... in order"
                )
            final = self.flag(t, where, "final")
            last = position == len(raw)
            if final != last:
                reason = (
                    "the last stage must say final = true (no stage follows it)"
                    if last
                    else "only the last stage can be final"
                )
                raise self.fail(f"{where}.final", reason)
            entry = self.entry(t.get("entry", {}), f"{where}.entry")
            if position == 1 and entry.within is not None:
                raise self.fail(
                    f"{where}.entry.within",
                    "the first stage follows no response; use complaint_window for "
                    "how long after the incident a complaint may be made",
                )
            panel = self.number(t, where, "panel_size")
            stages.append(
                Stage(
                    number=number,
                    name=self.text(t, where, "name", required=True),
                    handler=self.handler(t.get("handler"), f"{where}.handler"),
                    acknowledge_within=self.limit(t, where, "acknowledge_within"),
                    respond_within=self.limit(t, where, "respond_within"),
                    entry=entry,
                    informal=self.flag(t, where, "informal"),
                    handler_not_involved_before=self.flag(t, where, "handler_not_involved_before"),
                    panel_size=panel or None,
                    final=final,
                    decision_final=self.flag(t, where, "decision_final"),
                    external_investigator_for=self.role(t, where, "external_investigator_for"),
                    description=self.text(t, where, "description"),
                )
            )
        return tuple(stages)

    def handler(self, raw: Any, where: str) -> Handler:
        if raw is None:
            raise self.fail(where, "is required: a table with role and label")
        t = self.table(raw, where, _HANDLER)
        alternative = self.role(t, where, "alternative_role")
        alternative_label = self.text(t, where, "alternative_label") or None
        if (alternative is None) != (alternative_label is None):
            raise self.fail(
                f"{where}.alternative_role", "give both alternative_role and alternative_label"
            )
        return Handler(
            role=self.role(t, where, "role", required=True) or "",
            label=self.text(t, where, "label", required=True),
            contact=self.contact(t.get("contact"), f"{where}.contact"),
            alternative_role=alternative,
            alternative_label=alternative_label,
            alternative_contact=self.contact(
                t.get("alternative_contact"), f"{where}.alternative_contact"
            ),
        )

    def entry(self, raw: Any, where: str) -> EntryRule:
        t = self.table(raw, where, _ENTRY)
        return EntryRule(
            in_writing=self.flag(t, where, "in_writing"),
            with_reasons=self.flag(t, where, "with_reasons"),
            points=self.texts(t, where, "points"),
            within=self.limit(t, where, "within"),
        )

    def external(self, raw: Any, where: str) -> ExternalBody:
        t = self.table(raw, where, _EXTERNAL)
        return ExternalBody(
            name=self.text(t, where, "name", required=True),
            how_to_reach=self.text(t, where, "how_to_reach", required=True),
            contact=self.contact(t.get("contact"), f"{where}.contact"),
            within=self.limit(t, where, "within"),
            note=self.text(t, where, "note"),
        )

    def form(self, raw: Any) -> ComplaintForm | None:
        if raw is None:
            return None
        t = self.table(raw, "complaint_form", _FORM)
        return ComplaintForm(
            self.text(t, "complaint_form", "name", required=True),
            self.categories(t.get("relationships", []), "complaint_form.relationships"),
        )

    def enquiries(self, raw: Any) -> EnquiryRule | None:
        if raw is None:
            return None
        where = "enquiries"
        t = self.table(raw, where, _ENQUIRIES)
        limit = self.limit(t, where, "respond_within")
        if limit is None:
            raise self.fail(f"{where}.respond_within", "is required")
        return EnquiryRule(self.text(t, where, "who", required=True), limit)

    def window(self, raw: Any) -> ComplaintWindow | None:
        if raw is None:
            return None
        where = "complaint_window"
        t = self.table(raw, where, _WINDOW)
        expected = self.limit(t, where, "expected_within")
        not_after = self.limit(t, where, "not_after")
        for name, limit in (("expected_within", expected), ("not_after", not_after)):
            if limit is not None and limit.unit is Unit.WORKING_DAYS:
                raise self.fail(f"{where}.{name}", "use days, weeks or months here")
        if expected is None and not_after is None:
            raise self.fail(where, "give expected_within, not_after or both")
        some_day = date(2001, 1, 31)  # any date works; the end of a month is the hard case
        if (
            expected
            and not_after
            and add_calendar(some_day, not_after) < add_calendar(some_day, expected)
        ):
            raise self.fail(f"{where}.not_after", "must not be shorter than expected_within")
        return ComplaintWindow(expected, not_after, self.text(t, where, "discretion"))

    def categories(self, raw: Any, name: str = "categories") -> tuple[Category, ...]:
        if not isinstance(raw, list):
            raise self.fail(name, f"must be a list of [[{name}]] tables")
        seen: set[str] = set()
        result = []
        for position, item in enumerate(raw, start=1):
            where = f"{name}[{position}]"
            t = self.table(item, where, _CATEGORY)
            ident = self.role(t, where, "id", required=True) or ""
            if ident in seen:
                raise self.fail(f"{where}.id", f"{ident!r} is used twice")
            seen.add(ident)
            result.append(Category(ident, self.text(t, where, "label", required=True)))
        return tuple(result)

    def contact(self, raw: Any, where: str) -> Contact:
        t = self.table(raw if raw is not None else {}, where, _CONTACT)
        return Contact(**{name: self.text(t, where, name) for name in _CONTACT})

    def closures(self, raw: Any) -> tuple[str, ...]:
        if not isinstance(raw, list):
            raise self.fail("closures", "must be a list of dates such as 2026-12-24")
        result = []
        for position, value in enumerate(raw, start=1):
            try:
                day = value if isinstance(value, date) else date.fromisoformat(str(value))
            except ValueError:
                raise self.fail(
                    f"closures[{position}]", f"{value!r} is not a date such as 2026-12-24"
                ) from None
            result.append(day.isoformat())
        return tuple(result)

    # -- single values -----------------------------------------------------------------

    def table(self, raw: Any, where: str, known: frozenset[str]) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise self.fail(where or "(file)", "must be a table")
        for key in raw:
            if key not in known:
                raise self.fail(
                    _join(where, key), f"unknown key (known: {', '.join(sorted(known))})"
                )
        return raw

    def limit(self, t: dict[str, Any], where: str, name: str) -> TimeLimit | None:
        """A time limit: "10 working days", "2 weeks", "1 month", "none", or
        {amount = 10, unit = "working_days"}. Missing or "none" means no limit."""
        raw, field = t.get(name), _join(where, name)
        if raw is None or raw == "none":
            return None
        if isinstance(raw, str):
            match = _LIMIT.match(raw)
            if not match:
                raise self.fail(field, f'{raw!r} is not a limit such as "10 working days"')
            amount, unit_text = int(match[1]), match[2].replace(" ", "_")
        elif isinstance(raw, dict):
            self.table(raw, field, frozenset({"amount", "unit"}))
            amount, unit_text = raw.get("amount"), raw.get("unit")
        else:
            raise self.fail(field, 'must be text such as "10 working days", or "none"')
        unit = _UNITS.get(unit_text) if isinstance(unit_text, str) else None
        if unit is None:
            raise self.fail(field, "unit must be one of working_days, days, weeks, months")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise self.fail(field, "amount must be a whole number above 0")
        return TimeLimit(amount, unit)

    def text(self, t: dict[str, Any], where: str, name: str, *, required: bool = False) -> str:
        value = self.typed(t, where, name, str, "text", "")
        if required and not value.strip():
            raise self.fail(_join(where, name), "is required")
        return value.strip()

    def texts(self, t: dict[str, Any], where: str, name: str) -> tuple[str, ...]:
        values = self.typed(t, where, name, list, "a list of text", [])
        if not all(isinstance(v, str) and v.strip() for v in values):
            raise self.fail(_join(where, name), "must be a list of non-empty text")
        return tuple(v.strip() for v in values)

    def flag(self, t: dict[str, Any], where: str, name: str, *, default: bool = False) -> bool:
        return self.typed(t, where, name, bool, "true or false", default)

    def number(
        self, t: dict[str, Any], where: str, name: str, *, default: int = 0, required: bool = False
    ) -> int:
        if required and name not in t:
            raise self.fail(_join(where, name), "is required")
        value = self.typed(t, where, name, int, "a whole number", default)
        if name in t and (isinstance(value, bool) or value <= 0):
            raise self.fail(_join(where, name), "must be a whole number above 0")
        return value

    def role(
        self, t: dict[str, Any], where: str, name: str, *, required: bool = False
    ) -> str | None:
        value = self.text(t, where, name, required=required)
        if value and not _ID.match(value):
            raise self.fail(
                _join(where, name), f"{value!r} must be lowercase letters, digits and _"
            )
        return value or None

    def items(self, t: dict[str, Any], name: str) -> list[tuple[int, Any]]:
        return list(enumerate(self.typed(t, "", name, list, "a list of tables", []), start=1))

    def typed(
        self, t: dict[str, Any], where: str, name: str, kind: type[T], what: str, default: T
    ) -> T:
        value = t.get(name, default)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(_join(where, name), f"must be {what}, not {value!r}")
        return value


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


_CONTACT = frozenset({"address", "email", "phone", "website", "note"})
_CATEGORY = frozenset({"id", "label"})
_ENTRY = frozenset({"in_writing", "with_reasons", "points", "within"})
_HANDLER = frozenset(
    {"role", "label", "contact", "alternative_role", "alternative_label", "alternative_contact"}
)
_EXTERNAL = frozenset({"name", "how_to_reach", "contact", "within", "note"})
_ENQUIRIES = frozenset({"who", "respond_within"})
_FORM = frozenset({"name", "relationships"})
_WINDOW = frozenset({"expected_within", "not_after", "discretion"})
_STAGE = frozenset(
    {
        "number",
        "name",
        "handler",
        "acknowledge_within",
        "respond_within",
        "entry",
        "informal",
        "handler_not_involved_before",
        "panel_size",
        "final",
        "decision_final",
        "external_investigator_for",
        "description",
    }
)
_TOP = frozenset(
    {
        "organisation",
        "contact",
        "what_counts",
        "categories",
        "stages",
        "external_body",
        "further_external_bodies",
        "complaint_window",
        "has_informal_route",
        "accepts_compliments",
        "extra_time_allowance",
        "closures",
        "retention_years",
        "notes",
        "enquiries",
        "committee",
        "complaint_form",
    }
)
