"""A procedure in plain words, stage by stage (for `complaints procedure show`)."""

from __future__ import annotations

from locales import translator
from procedures import letters
from procedures.model import Contact, ExternalBody, Procedure, Stage, TimeLimit


def limit_words(limit: TimeLimit) -> str:
    """ "1 week", "10 working days": the limit as a person would say it, in English."""
    return letters.limit_words(translator("en"), limit)


def describe(procedure: Procedure, lang: str = "en") -> str:
    """The procedure in plain words; with `lang`, its own texts in that language, followed by
    the list of texts still in English (for staff: the frame stays English)."""
    missing = procedure.missing_translations(lang)
    procedure = procedure.localised(lang)
    lines = [f"{procedure.organisation} ({procedure.key})", ""]
    lines += _contact_lines(procedure.contact, "Contact")
    lines.append(f"What counts as a complaint: {procedure.what_counts}")
    if procedure.categories:
        lines.append("Categories: " + "; ".join(c.label for c in procedure.categories) + ".")
    window = procedure.complaint_window
    if window:
        parts = []
        if window.expected_within:
            parts.append(f"within {limit_words(window.expected_within)} of the incident")
        if window.not_after:
            parts.append(f"not after {limit_words(window.not_after)}")
        lines.append("Time limit for complaining: " + ", ".join(parts) + ".")
        if window.discretion:
            lines.append(f"  {window.discretion}")
    if procedure.has_informal_route:
        lines.append("You can first raise a concern informally, before a formal complaint.")
    for stage in procedure.stages:
        lines += ["", *_stage_lines(procedure, stage)]
    lines.append("")
    bodies = [b for b in (procedure.external_body, *procedure.further_external_bodies) if b]
    if not bodies:
        lines.append(f"After stage {procedure.last_stage}: no external body is named.")
    for body in bodies:
        lines += _external_lines(body)
    if procedure.enquiries:
        rule = procedure.enquiries
        lines += [
            "",
            f"Enquiries from {rule.who}: answered within {limit_words(rule.respond_within)}.",
        ]
    if procedure.complaint_form:
        lines.append(f"Formal complaints are made on the {procedure.complaint_form.name}.")
    if procedure.committee:
        lines.append(
            f"Complaints and compliments are noted at the next {procedure.committee} meeting."
        )
    if procedure.notes:
        lines += ["", "Also:"] + [f"  - {note}" for note in procedure.notes]
    if lang != "en":
        lines += ["", _missing_title(lang, len(missing))]
        lines += [f"  {where}: {text}" for where, text in missing]
    return "\n".join(lines)


def _missing_title(lang: str, count: int) -> str:
    if not count:
        return f"Every text is translated into {lang}."
    return f"Not translated into {lang}, shown in English ({count}):"


def _stage_lines(procedure: Procedure, stage: Stage) -> list[str]:
    kind = "informal" if stage.informal else "last stage" if stage.final else ""
    lines = [f"Stage {stage.number}: {stage.name}" + (f" ({kind})" if kind else "")]
    handler = stage.handler
    lines.append(f"  Handled by: {handler.label}.")
    lines += _contact_lines(handler.contact, "  Contact")
    if handler.alternative_label:
        lines.append(f"  If the complaint is about them: {handler.alternative_label}.")
        lines += _contact_lines(handler.alternative_contact, "  Contact")
    if stage.panel_size:
        lines.append(f"  A panel of {stage.panel_size}.")
    if stage.handler_not_involved_before:
        lines.append("  Handled by someone not involved in the complaint before.")
    if stage.external_investigator_for:
        role = stage.external_investigator_for
        lines.append(f"  About someone with the {role} role: investigated by someone from outside.")
    if stage.decision_final:
        lines.append("  The decision at this stage is final.")
    entry = stage.entry
    if stage.number > 1 or entry.in_writing or entry.points:
        how = ["in writing" if entry.in_writing else "in any way"]
        if entry.with_reasons:
            how.append("giving your reasons")
        if entry.within:
            how.append(
                f"within {limit_words(entry.within)} of receiving the stage "
                f"{stage.number - 1} response"
            )
        verb = "Ask for this stage" if stage.number > 1 else "Make the complaint"
        lines.append(f"  {verb} {', '.join(how)}" + (", covering:" if entry.points else "."))
        lines += [f"    {i}. {point}" for i, point in enumerate(entry.points, start=1)]
    for what, limit in (
        ("Acknowledged", stage.acknowledge_within),
        ("Answered", stage.respond_within),
    ):
        said = f"within {limit_words(limit)} of receipt" if limit else "no time limit set"
        lines.append(f"  {what}: {said}.")
    if stage.description:
        lines.append(f"  {stage.description}")
    return lines


def _external_lines(body: ExternalBody) -> list[str]:
    lines = [f"Then: {body.name}. {body.how_to_reach}"]
    if body.note:
        lines.append(f"  {body.note}")
    if body.within:
        lines.append(f"  Within {limit_words(body.within)} of the final response.")
    return lines + _contact_lines(body.contact, "  Contact")


def _contact_lines(contact: Contact, title: str) -> list[str]:
    parts = [p for p in (contact.address, contact.email, contact.phone, contact.website) if p]
    lines = [f"{title}: {'; '.join(parts)}"] if parts else []
    return lines + ([f"{title} (post): {contact.note}"] if contact.note else [])
