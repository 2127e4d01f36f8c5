"""Each preset says what its seed text says (shared/seeds/)."""

from __future__ import annotations

import pytest

from procedures.describe import describe
from procedures.loader import load_procedure, preset_names
from procedures.model import TimeLimit, Unit

WD, DAYS, WEEKS, MONTHS = Unit.WORKING_DAYS, Unit.DAYS, Unit.WEEKS, Unit.MONTHS


def limits(name: str) -> list[tuple[TimeLimit | None, TimeLimit | None, TimeLimit | None]]:
    return [
        (s.acknowledge_within, s.respond_within, s.entry.within)
        for s in load_procedure(name).stages
    ]


def test_cambridge_art_therapy() -> None:
    p = load_procedure("cambridge-art-therapy")
    assert limits(p.key) == [(TimeLimit(5, WD), TimeLimit(10, WD), None)] * 2
    assert [c.label for c in p.categories] == [
        "Art Therapist/Practitioner behaviour",
        "Standard of service",
        "Failure to provide a service",
        "Inadequate information",
    ]
    first, second = p.stages
    assert first.informal and first.handler.role == "therapist"
    assert second.handler.role == "team" and second.handler_not_involved_before
    assert second.entry.in_writing
    assert p.contact.email == "info@cambridgearttherapy.co.uk"
    assert p.external_body is not None and "commissioning" in p.external_body.name
    assert [b.contact.website for b in p.further_external_bodies] == ["http://www.hcpc-uk.co.uk/"]


def test_cast() -> None:
    p = load_procedure("cast")
    assert limits("cast") == [(None, None, None), (None, TimeLimit(10, WD), None)]
    stage = p.stage(2)
    assert (stage.handler.role, stage.handler.alternative_role) == ("line_manager", "board")
    assert stage.entry.in_writing and stage.entry.with_reasons
    assert len(stage.entry.points) == 5
    assert stage.entry.points[3] == "What solution you are looking for"
    assert p.external_body is None
    assert any("single point of contact" in note for note in p.notes)


def test_creative_alliance() -> None:
    p = load_procedure("creative-alliance")
    assert limits(p.key) == [
        (TimeLimit(2, WEEKS), TimeLimit(4, WEEKS), None),
        (TimeLimit(2, WEEKS), TimeLimit(4, WEEKS), None),
        (TimeLimit(4, WEEKS), TimeLimit(8, WEEKS), None),
    ]
    assert p.complaint_window is not None
    assert p.complaint_window.expected_within == TimeLimit(1, MONTHS)
    assert p.complaint_window.not_after == TimeLimit(4, MONTHS)
    assert "Director's discretion" in p.complaint_window.discretion
    assert p.has_informal_route
    assert p.stage(1).handler_not_involved_before
    assert (p.stage(2).handler.role, p.stage(2).panel_size) == ("smt", 2)
    assert p.stage(3).handler.role == "board" and p.stage(3).final
    assert p.external_body is None
    assert p.contact.phone == "0121 753 0049"
    assert any("friend or representative" in note for note in p.notes)


def test_calat() -> None:
    p = load_procedure("calat")
    assert limits(p.key) == [
        (TimeLimit(5, WD), TimeLimit(20, WD), None),
        (TimeLimit(3, WD), TimeLimit(20, WD), None),
    ]
    assert p.stage(2).handler.role == "head_of_service"
    assert p.stage(2).entry.in_writing and p.stage(2).entry.with_reasons
    assert len(p.categories) == 5
    assert p.external_body is not None
    assert p.external_body.name == "Local Government Ombudsman"
    assert any("10 working days" in note for note in p.notes)  # Members' and MPs' enquiries
    assert any("Braille" in note for note in p.notes)


def test_west_wilts() -> None:
    p = load_procedure("west-wilts-ccc")
    assert limits(p.key) == [
        (TimeLimit(5, WD), TimeLimit(15, WD), None),
        (TimeLimit(1, WEEKS), TimeLimit(4, WEEKS), TimeLimit(14, DAYS)),
        (None, TimeLimit(3, WEEKS), TimeLimit(14, DAYS)),
    ]
    coordinator = p.stage(1).handler
    assert (coordinator.role, coordinator.alternative_role) == ("coordinator", "chair")
    assert coordinator.alternative_contact.email == "chairman@westwiltsccc.org.uk"
    panel = p.stage(3)
    assert (panel.handler.role, panel.panel_size) == ("panel", 3)
    assert panel.handler_not_involved_before and panel.final
    assert p.has_informal_route and p.accepts_compliments
    assert p.external_body is not None and "NACCC" in p.external_body.name
    assert "Nottingham NG1 5HJ" in p.external_body.contact.address


def test_model() -> None:
    p = load_procedure("model")
    assert limits(p.key) == [
        (TimeLimit(5, WD), TimeLimit(10, WD), None),
        (TimeLimit(5, WD), TimeLimit(20, WD), None),
    ]
    assert p.stage(2).handler_not_involved_before
    assert p.external_body is not None and p.external_body.within == TimeLimit(12, MONTHS)


@pytest.mark.parametrize("name", preset_names())
def test_extra_time_allowance_is_set(name: str) -> None:
    allowance = load_procedure(name).extra_time_allowance
    assert allowance in (TimeLimit(10, WD), TimeLimit(14, DAYS))


@pytest.mark.parametrize("name", preset_names())
def test_describe_names_every_stage_handler_and_limit(name: str) -> None:
    procedure = load_procedure(name)
    text = describe(procedure)
    assert procedure.organisation in text
    for stage in procedure.stages:
        assert f"Stage {stage.number}: {stage.name}" in text
        assert stage.handler.label in text
    for body in (procedure.external_body, *procedure.further_external_bodies):
        if body:
            assert body.name in text


def test_describe_in_plain_words() -> None:
    text = describe(load_procedure("west-wilts-ccc"))
    assert "Acknowledged: within 1 week of receipt." in text  # not "1 weeks"
    assert "Answered: within 15 working days of receipt." in text
    assert "in writing, within 14 days of receiving the stage 1 response" in text
    assert "If the complaint is about them: The Chair" in text
    assert "A panel of 3." in text
    cast = describe(load_procedure("cast"))
    assert "Ask for this stage in writing, giving your reasons, covering:" in cast
    assert "    5. Any suggestions you have" in cast
    assert "After stage 2: no external body is named." in cast
    assert "Time limit for complaining: within 1 month of the incident, not after 4 months." in (
        describe(load_procedure("creative-alliance"))
    )
