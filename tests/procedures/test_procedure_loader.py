"""Loading procedure files: presets, an organisation's own file, and rejected files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from procedures.loader import PRESETS, ProcedureError, load_procedure, preset_names
from procedures.model import TimeLimit, Unit

VALID = """\
organisation = "My Org"
what_counts = "Any expression of dissatisfaction."
closures = [2026-12-29, "2026-12-30"]

[[categories]]
id = "service"
label = "Service"

[complaint_window]
expected_within = "3 months"
not_after = "6 months"

[[stages]]
number = 1
name = "First look"
acknowledge_within = "5 working days"
respond_within = { amount = 10, unit = "working_days" }

[stages.handler]
role = "manager"
label = "The manager"

[[stages]]
number = 2
name = "Review"
final = true
acknowledge_within = "1 week"
respond_within = "none"

[stages.handler]
role = "director"
label = "The director"

[stages.entry]
within = "1 month"
"""


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "myorg.toml"
    path.write_text(text)
    return str(path)


def test_preset_names() -> None:
    assert preset_names() == [
        "calat",
        "cambridge-art-therapy",
        "cast",
        "creative-alliance",
        "model",
        "west-wilts-ccc",
    ]


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_loads(name: str) -> None:
    procedure = load_procedure(name)
    assert procedure.key == name
    assert procedure.source == str(PRESETS / f"{name}.toml")
    assert [s.number for s in procedure.stages] == list(range(1, len(procedure.stages) + 1))
    assert [s.final for s in procedure.stages] == [False] * (len(procedure.stages) - 1) + [True]
    assert procedure.organisation and procedure.what_counts


def test_an_organisation_file_loads_by_path(tmp_path: Path) -> None:
    procedure = load_procedure(write(tmp_path, VALID))
    assert procedure.key == "myorg"
    assert procedure.closures == ("2026-12-29", "2026-12-30")
    first, second = procedure.stages
    assert first.acknowledge_within == TimeLimit(5, Unit.WORKING_DAYS)
    assert first.respond_within == TimeLimit(10, Unit.WORKING_DAYS)
    assert second.acknowledge_within == TimeLimit(1, Unit.WEEKS)
    assert second.respond_within is None
    assert second.entry.within == TimeLimit(1, Unit.MONTHS)
    assert procedure.complaint_window is not None
    assert procedure.complaint_window.not_after == TimeLimit(6, Unit.MONTHS)
    assert procedure.external_body is None
    assert procedure.retention_years == 6 and procedure.accepts_compliments


def test_a_copied_preset_loads_under_its_file_name(tmp_path: Path) -> None:
    shutil.copy(PRESETS / "west-wilts-ccc.toml", tmp_path / "ours.toml")
    procedure = load_procedure(str(tmp_path / "ours.toml"))
    assert procedure.key == "ours"
    assert procedure.stages == load_procedure("west-wilts-ccc").stages


# (change to VALID: old text -> new text, the field named, part of the reason)
BAD = [
    ('respond_within = { amount = 10, unit = "working_days" }',
     'respond_within = "10 fortnights"',
     "stages[1].respond_within", "unit must be one of working_days, days, weeks, months"),
    ('acknowledge_within = "1 week"', 'acknowledge_within = "0 days"',
     "stages[2].acknowledge_within", "amount must be a whole number above 0"),
    ('unit = "working_days"', 'unit = "hours"',
     "stages[1].respond_within", "unit must be one of"),
    ('acknowledge_within = "1 week"', "acknowledge_within = 7",
     "stages[2].acknowledge_within", 'such as "10 working days"'),
    ('respond_within = "none"', 'respond_witin = "2 weeks"',
     "stages[2].respond_witin", "unknown key"),
    ('organisation = "My Org"', 'organisation = "My Org"\norganization = "typo"',
     "organization", "unknown key"),
    ('organisation = "My Org"\n', "", "organisation", "is required"),
    ("number = 2", "number = 3", "stages[2].number", "numbered 1, 2, 3"),
    ("final = true", "final = false", "stages[2].final", "last stage must say final = true"),
    ('name = "First look"', 'name = "First look"\nfinal = true',
     "stages[1].final", "only the last stage can be final"),
    ('acknowledge_within = "5 working days"',
     'acknowledge_within = "5 working days"\nentry = { within = "14 days" }',
     "stages[1].entry.within", "the first stage follows no response"),
    ('role = "manager"', 'role = "Line Manager"', "stages[1].handler.role", "lowercase"),
    ('role = "director"\n', "", "stages[2].handler.role", "is required"),
    ('label = "The director"',
     'label = "The director"\nalternative_role = "chair"',
     "stages[2].handler.alternative_role", "give both"),
    ('id = "service"\nlabel = "Service"',
     'id = "service"\nlabel = "Service"\n\n[[categories]]\nid = "service"\nlabel = "Again"',
     "categories[2].id", "used twice"),
    ('closures = [2026-12-29, "2026-12-30"]', 'closures = ["29/12/2026"]',
     "closures[1]", "not a date"),
    ('expected_within = "3 months"', 'expected_within = "10 working days"',
     "complaint_window.expected_within", "use days, weeks or months"),
    ('not_after = "6 months"', 'not_after = "2 months"',
     "complaint_window.not_after", "must not be shorter than expected_within"),
    ('what_counts = "Any expression of dissatisfaction."',
     'what_counts = "Any expression of dissatisfaction."\nhas_informal_route = "yes"',
     "has_informal_route", "must be true or false"),
    ('name = "Review"', 'name = "Review"\npanel_size = 0',
     "stages[2].panel_size", "above 0"),
    ('within = "1 month"\n',
     'within = "1 month"\n\n[external_body]\nname = "Ombudsman"\nwithin = "12 months"\n',
     "external_body.how_to_reach", "is required"),
]  # fmt: skip


@pytest.mark.parametrize("old, new, field, reason", BAD)
def test_invalid_files_name_file_field_and_reason(
    tmp_path: Path, old: str, new: str, field: str, reason: str
) -> None:
    assert old in VALID
    with pytest.raises(ProcedureError) as caught:
        load_procedure(write(tmp_path, VALID.replace(old, new, 1)))
    message = str(caught.value)
    assert message.startswith(f"myorg.toml: {field}: "), message
    assert reason in message
    assert (caught.value.file, caught.value.field) == ("myorg.toml", field)


def test_no_stages(tmp_path: Path) -> None:
    text = 'organisation = "X"\nwhat_counts = "Y"\n'
    with pytest.raises(ProcedureError, match=r"^myorg.toml: stages: at least one"):
        load_procedure(write(tmp_path, text))


def test_not_toml(tmp_path: Path) -> None:
    with pytest.raises(ProcedureError, match=r"^myorg.toml: not valid TOML: .*line 1"):
        load_procedure(write(tmp_path, "organisation = My Org\n"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProcedureError, match=r"^nothere.toml: cannot read"):
        load_procedure(str(tmp_path / "nothere.toml"))


def test_unknown_preset() -> None:
    with pytest.raises(ProcedureError, match=r"^westwilts: no such preset \(presets: calat, "):
        load_procedure("westwilts")


def test_procedure_error_is_a_value_error() -> None:
    assert issubclass(ProcedureError, ValueError)
