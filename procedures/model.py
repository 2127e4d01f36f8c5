"""A complaints procedure as plain, immutable data.

This is the contract every other layer reads: storage computes due dates from it,
the dialogue asks its categories, the staff view names its handlers. It is loaded from
a TOML file (see procedures/loader.py and docs/procedures.md) and never mutated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from procedures import translations


class Unit(StrEnum):
    WORKING_DAYS = "working_days"
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"


@dataclass(frozen=True)
class TimeLimit:
    """A time limit as the procedure writes it: "5 working days", "2 weeks", "1 month"."""

    amount: int
    unit: Unit

    def __str__(self) -> str:
        return f"{self.amount} {self.unit.value.replace('_', ' ')}"


@dataclass(frozen=True)
class Contact:
    """How to reach an organisation, a role holder or an external body."""

    address: str = ""
    email: str = ""
    phone: str = ""
    website: str = ""
    # For post only, e.g. "Mark the envelope 'Private and Confidential'."
    note: str = ""


@dataclass(frozen=True)
class Category:
    id: str
    label: str


@dataclass(frozen=True)
class Handler:
    """Who handles a stage: a role, and who takes it instead when the complaint is about them."""

    role: str
    label: str
    contact: Contact = field(default_factory=Contact)
    # e.g. West Wilts: a complaint about the Coordinator goes to the Chair instead.
    alternative_role: str | None = None
    alternative_label: str | None = None
    alternative_contact: Contact = field(default_factory=Contact)


@dataclass(frozen=True)
class EntryRule:
    """How a complainant asks to move to a stage (empty for the first stage)."""

    in_writing: bool = False
    with_reasons: bool = False
    # Points the request should cover, e.g. CAST's five points.
    points: tuple[str, ...] = ()
    # Counted from the date the previous stage's response was received.
    within: TimeLimit | None = None


@dataclass(frozen=True)
class Stage:
    number: int  # 1-based
    name: str
    handler: Handler
    acknowledge_within: TimeLimit | None
    respond_within: TimeLimit | None
    entry: EntryRule = field(default_factory=EntryRule)
    informal: bool = False
    # Independence: the handler must not have been involved at an earlier stage.
    handler_not_involved_before: bool = False
    panel_size: int | None = None
    final: bool = False
    # The procedure says the decision at this stage is final: the letter says so too.
    decision_final: bool = False
    # A staff role whose holders are investigated by someone from outside (CAST: a Director).
    external_investigator_for: str | None = None
    description: str = ""


@dataclass(frozen=True)
class ExternalBody:
    """Where the complainant can go after the last stage."""

    name: str
    how_to_reach: str
    contact: Contact = field(default_factory=Contact)
    # Time limit for going to it, counted from the final response, where one is known.
    within: TimeLimit | None = None
    note: str = ""


@dataclass(frozen=True)
class ComplaintWindow:
    """How long after the incident a complaint may be made."""

    expected_within: TimeLimit | None = None
    not_after: TimeLimit | None = None
    discretion: str = ""


@dataclass(frozen=True)
class ComplaintForm:
    """The organisation's own complaints form (Creative Alliance): the chat's answers fill it
    in, and it asks how the person is connected to the organisation."""

    name: str
    relationships: tuple[Category, ...] = ()


@dataclass(frozen=True)
class EnquiryRule:
    """Enquiries from elected members (CALAT: councillors, GLA Members, MPs), answered on
    their own time limit, apart from the complaint stages."""

    who: str
    respond_within: TimeLimit


@dataclass(frozen=True)
class Procedure:
    key: str  # preset name or file stem
    organisation: str
    contact: Contact
    what_counts: str
    categories: tuple[Category, ...]
    stages: tuple[Stage, ...]
    external_body: ExternalBody | None = None
    complaint_window: ComplaintWindow | None = None
    # Whether complainants may choose an informal route before a formal complaint.
    has_informal_route: bool = False
    accepts_compliments: bool = True
    # Where the complainant can go if still dissatisfied after external_body, in order
    # (Cambridge Art Therapy: the commissioning organisation, then the HCPC).
    further_external_bodies: tuple[ExternalBody, ...] = ()
    # Other commitments in plain words (a friend at meetings, any language, MPs' enquiries).
    notes: tuple[str, ...] = ()
    # Extra time added to a complainant's own escalation windows when they asked for it.
    extra_time_allowance: TimeLimit | None = None
    # Organisation closure dates (ISO strings in the file), on top of weekends and bank holidays.
    closures: tuple[str, ...] = ()
    retention_years: int = 6
    enquiries: EnquiryRule | None = None
    complaint_form: ComplaintForm | None = None
    # The committee that notes complaints and compliments at its next meeting (West Wilts).
    committee: str = ""
    source: str = ""  # the file it was loaded from
    # {lang: {English text: translation}}, from translations/<lang>/<stem>.po beside the file.
    translations: dict[str, dict[str, str]] = field(default_factory=dict, compare=False, repr=False)
    _localised: dict[str, Procedure] = field(
        default_factory=dict, compare=False, repr=False, init=False
    )

    def localised(self, lang: str) -> Procedure:
        """This procedure with its texts in `lang` (English where a text is untranslated).

        For what a complainant reads; staff views and stored records keep the English.
        """
        if lang == "en" or not self.translations:
            return self
        if lang not in self._localised:
            self._localised[lang] = translations.translate(self.translations, lang, self)
        return self._localised[lang]

    def say(self, text: str, lang: str, *, in_sentence: bool = False) -> str:
        """One text of this procedure (a stored stage name or handler) in `lang`.

        `in_sentence`: a name put inside a sentence, where English lower-cases "The".
        """
        found = translations.lookup(self.translations, lang, text) if lang != "en" else None
        if found is not None:
            return found
        return translations.in_sentence(text) if in_sentence else text

    def missing_translations(self, lang: str) -> list[tuple[str, str]]:
        return translations.missing(self, lang)

    def texts(self) -> list[tuple[str, str]]:
        return translations.texts(self)

    def stage(self, number: int) -> Stage:
        """The stage with this 1-based number; raises KeyError if there is none."""
        for stage in self.stages:
            if stage.number == number:
                return stage
        raise KeyError(f"{self.key} has no stage {number}")

    @property
    def last_stage(self) -> int:
        return self.stages[-1].number
