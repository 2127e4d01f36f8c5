"""A procedure's own texts in every language: the .po files beside a procedure file, English
fallback that staff can see (`procedure show --lang`), and the .pot translators start from."""

from __future__ import annotations

import shlex
import shutil
from io import StringIO
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.cli import main
from locales import LANGUAGES, translator
from procedures import letters
from procedures.loader import PRESETS, ProcedureError, load_procedure, preset_names
from procedures.translations import catalog_file, in_sentence

TRANSLATED = [code for code in LANGUAGES if code != "en"]


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("preset", preset_names())
def test_every_preset_is_complete_in_every_language(preset: str, lang: str) -> None:
    procedure = load_procedure(preset)
    missing = procedure.missing_translations(lang)
    assert not missing, (
        f"{preset} in {lang}: {len(missing)} texts untranslated, first {missing[0]}; "
        f"see `complaints procedure show {preset} --lang {lang}`"
    )


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("preset", preset_names())
def test_no_translation_is_left_over_from_an_old_text(preset: str, lang: str) -> None:
    """A text changed in the TOML leaves its old entry behind; it is never shown, so drop it."""
    procedure = load_procedure(preset)
    current = {text for _, text in procedure.texts()}
    path = catalog_file(PRESETS / f"{preset}.toml", lang)
    with path.open("rb") as handle:
        ids = {str(m.id) for m in read_po(handle) if m.id}
    assert ids <= current, sorted(ids - current)[:3]


def _own_procedure(tmp_path: Path, po: str) -> Path:
    """An organisation's own file (a copy of the model) with a Welsh catalog beside it."""
    target = tmp_path / "ours.toml"
    shutil.copyfile(PRESETS / "model.toml", target)
    catalog = tmp_path / "translations" / "cy" / "ours.po"
    catalog.parent.mkdir(parents=True)
    catalog.write_text(po)
    return target


PO = """msgid ""
msgstr ""
"Language: cy\\n"
"Content-Type: text/plain; charset=utf-8\\n"

msgid "First response"
msgstr "Ymateb cyntaf"

msgid "A manager of the service complained about"
msgstr "rheolwr y gwasanaeth y cwynir amdano"

#, fuzzy
msgid "Review"
msgstr "Adolygiad (guess)"

msgid "Staff behaviour"
msgstr ""

msgid "A text that is no longer in the file"
msgstr "Testun"
"""


def test_an_organisation_file_picks_up_its_translations(tmp_path: Path) -> None:
    procedure = load_procedure(str(_own_procedure(tmp_path, PO)))
    welsh = procedure.localised("cy")
    assert welsh.stages[0].name == "Ymateb cyntaf"
    assert welsh.stages[0].handler.label == "rheolwr y gwasanaeth y cwynir amdano"
    # Fuzzy and empty entries are not used: English shows instead, and is listed as missing.
    assert welsh.stages[1].name == "Review"
    missing = dict(procedure.missing_translations("cy"))
    assert missing["stages[2].name"] == "Review"
    assert missing["categories[2].label"] == "Staff behaviour"
    assert "stages[1].name" not in missing
    # Ids, roles, limits and contact details never change.
    assert welsh.stages[0].handler.role == procedure.stages[0].handler.role
    assert welsh.stages[0].respond_within == procedure.stages[0].respond_within
    assert procedure.localised("en") is procedure
    # A language with no catalog is all English, and all missing.
    assert procedure.localised("pl").stages[0].name == "First response"
    assert len(procedure.missing_translations("pl")) == len({text for _, text in procedure.texts()})


def test_a_broken_catalog_stops_loading_with_one_line(tmp_path: Path) -> None:
    path = _own_procedure(tmp_path, 'msgid "unterminated\n')
    with pytest.raises(ProcedureError) as error:
        load_procedure(str(path))
    assert str(error.value).startswith("ours.toml: translations: cannot read")


def test_letters_use_the_translations_with_names_mid_sentence() -> None:
    procedure = load_procedure("west-wilts-ccc")
    english = letters.receipt(
        translator("en"),
        procedure,
        kind="complaint",
        reference="C-2027-0001",
        handler_label="The Coordinator",
        acknowledge_by=None,
        respond_by=None,
    )
    assert "It will be looked at by the Coordinator." in english
    welsh = letters.receipt(
        translator("cy"),
        procedure,
        kind="complaint",
        reference="C-2027-0001",
        handler_label="The Coordinator",
        acknowledge_by=None,
        respond_by=None,
    )
    assert "Bydd y Cydlynydd yn edrych arni." in welsh


def test_a_postal_instruction_stays_out_of_the_name() -> None:
    """'(mark it Private and Confidential)' leaked from a postal instruction into chat."""
    handler = load_procedure("west-wilts-ccc").stages[0].handler
    assert "Confidential" not in (handler.alternative_label or "")
    assert "Private and Confidential" in handler.alternative_contact.note


@pytest.mark.parametrize(
    ("name", "inside"),
    [
        ("The Coordinator", "the Coordinator"),
        ("A panel of 3", "a panel of 3"),
        ("An assigned staff member", "an assigned staff member"),
        ("Local Government Ombudsman", "Local Government Ombudsman"),
        ("The", "The"),
        ("HCPC", "HCPC"),
    ],
)
def test_in_sentence(name: str, inside: str) -> None:
    assert in_sentence(name) == inside


def _cli(capsys: pytest.CaptureFixture[str], command: str) -> tuple[int, str, str]:
    code = main(shlex.split(command))
    out, err = capsys.readouterr()
    return code, out, err


def test_show_in_welsh_lists_what_is_missing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = _cli(capsys, "procedure show west-wilts-ccc --lang cy")
    assert code == 0
    assert "Stage 1: Cwyn ffurfiol i'r Cydlynydd" in out
    assert "Every text is translated into cy." in out
    path = _own_procedure(tmp_path, PO)
    code, out, _ = _cli(capsys, f"procedure show {path} --lang cy")
    assert code == 0
    assert "Stage 1: Ymateb cyntaf" in out
    listed = out.split("Not translated into cy, shown in English")[1]
    assert "stages[2].name: Review" in listed
    assert "stages[1].name" not in listed


def test_show_refuses_an_unknown_language(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _cli(capsys, "procedure show cast --lang xx")
    assert code == 2
    assert err.startswith("complaints: --lang 'xx': one of en, en_Easy, cy")


def test_template_is_a_pot_of_every_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(capsys, "procedure template cast")
    assert code == 0
    catalog = read_po(StringIO(out))
    ids = {str(m.id) for m in catalog if m.id}
    assert ids == {text for _, text in load_procedure("cast").texts()}
    board = catalog.get("The Board of Directors")
    assert board is not None and board.locations == [("stages[2].handler.alternative_label", None)]
