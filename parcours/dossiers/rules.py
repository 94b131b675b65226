"""Pure checks of a dossier: values in, DomainError or an answer out; no query, no clock.

Each check cites its rule. Services call them with today's date (Europe/Paris).
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

from parcours.accounts.rules import sniff_document
from parcours.catalogue.rules import check_limits
from parcours.core.errors import DomainError

from .enums import (
    ANSWER_PROPOSAL_DAYS,
    ANSWER_REQUEST_DAYS,
    DECLARATION_DAYS,
    SERVICE_AUTO_VALIDATION_DAYS,
    WITHDRAWAL_DAYS,
    DayKind,
    DeadlineKind,
    DossierState,
    ExitReason,
)
from .workdays import add_working_days, working_days_between

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

# DOS-2: what « Modifier le dossier » may change (the block list apart, DOS-3).
PROPOSAL_FIELDS = (
    "title",
    "pedagogical_objectives",
    "content",
    "expected_results",
    "duration_hours",
    "price_excl_vat",
    "vat_rate",
    "exam_fees_excl_vat",
    "price_detail",
    "session_starts_on",
    "session_ends_on",
)
# DOS-4: with a new block list these texts must be rewritten…
ADAPTED_TEXTS = {
    "title": "l'intitulé",
    "pedagogical_objectives": "les objectifs pédagogiques",
    "expected_results": "les résultats attendus",
    "content": "le contenu",
}
# …and these may stay only if the organisation confirms they still fit.
CONFIRMABLE = {
    "duration": (("duration_hours",), "la durée totale"),
    "price": (("price_excl_vat", "exam_fees_excl_vat", "price_detail"), "le prix, son détail et les frais d'examen"),
}


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def with_vat(amount_excl_vat: Decimal, vat_rate: Decimal) -> Decimal:
    return money(Decimal(amount_excl_vat) * (1 + Decimal(vat_rate) / HUNDRED))


def folded(value: Any) -> str:
    """Texts compare without their spacing: re-spacing a text does not adapt it (DOS-4)."""
    return " ".join(str(value or "").split())


def same(field: str, left: Any, right: Any) -> bool:
    if field in ADAPTED_TEXTS or field == "price_detail":
        return folded(left) == folded(right)
    if left in (None, "") or right in (None, ""):
        return left in (None, "") and right in (None, "")
    return Decimal(str(left)) == Decimal(str(right))


# -- DOS-2, DOS-3: the proposal's values and blocks ----------------------------------------------
def check_proposal_values(values: Mapping[str, Any]) -> list[DomainError]:
    """Limits and signs of what « Modifier le dossier » saves (DOS-2; OFF-8 to OFF-13 for the texts)."""
    errors = check_limits({k: v for k, v in values.items() if k != "strengths"})
    if "title" in values and not str(values["title"] or "").strip():
        errors.append(DomainError("L'intitulé de la proposition ne peut pas être vide.", rule="DOS-2", field="title"))
    labels = {
        "duration_hours": "La durée totale",
        "price_excl_vat": "Le prix HT",
        "vat_rate": "Le taux de TVA",
        "exam_fees_excl_vat": "Les frais d'examen",
    }
    for field, label in labels.items():
        if field in values and (values[field] is None or Decimal(str(values[field])) < 0):
            errors.append(DomainError(f"{label} doit être un nombre positif ou nul.", rule="DOS-2", field=field))
    if "vat_rate" in values and values["vat_rate"] is not None and Decimal(str(values["vat_rate"])) > HUNDRED:
        errors.append(DomainError("Le taux de TVA ne peut pas dépasser 100 %.", rule="DOS-2", field="vat_rate"))
    return errors


def check_session_dates(starts_on: datetime.date | None, ends_on: datetime.date | None) -> None:
    """DOS-2: the session dates of the proposal."""
    if starts_on is None or ends_on is None:
        raise DomainError(
            "Indiquez les dates de début et de fin de la session.",
            rule="DOS-2",
            field="session_starts_on" if starts_on is None else "session_ends_on",
        )
    if ends_on < starts_on:
        raise DomainError("La session finit avant de commencer.", rule="DOS-2", field="session_ends_on")


def check_block_change(
    *, customisable: bool, available: Iterable[str], current: Iterable[str], wanted: Iterable[str]
) -> list[str]:
    """DOS-3: the block list changes only on a personalisable offer, and never empties. Returns the codes."""
    available_codes, wanted_codes = list(available), set(wanted)
    if wanted_codes == set(current):
        return [code for code in available_codes if code in wanted_codes] or sorted(wanted_codes)
    if not customisable:
        raise DomainError(
            "La liste des blocs de compétences de ce dossier ne peut pas être modifiée : l'offre n'est pas "
            "personnalisable.",
            rule="DOS-3",
            field="blocks",
        )
    unknown = sorted(wanted_codes - set(available_codes))
    if unknown:
        raise DomainError(
            f"Blocs de compétences inconnus pour cette certification : {', '.join(unknown)}.",
            rule="DOS-3",
            field="blocks",
        )
    if not wanted_codes:
        raise DomainError(
            "Un dossier de formation doit préparer au moins un bloc de compétences de la certification.",
            rule="DOS-3",
            field="blocks",
        )
    return [code for code in available_codes if code in wanted_codes]


# -- DOS-4: adapting the proposal to a new block list ------------------------------------------
@dataclass(frozen=True)
class Adaptation:
    """What DOS-4 still asks of the organisation after a change of the block list."""

    blocks_changed: bool
    identical_texts: tuple[str, ...] = ()  # must change before validation
    unchanged: tuple[str, ...] = ()  # "duration", "price": identical to the offer's
    unconfirmed: tuple[str, ...] = ()  # of those, not confirmed yet

    @property
    def still_identical(self) -> list[str]:
        """The French names of everything still identical to the offer's, for the page."""
        return [ADAPTED_TEXTS[f] for f in self.identical_texts] + [CONFIRMABLE[g][1] for g in self.unchanged]

    @property
    def complete(self) -> bool:
        return not self.identical_texts and not self.unconfirmed


def adaptation(
    offer_copy: Mapping[str, Any], values: Mapping[str, Any], block_codes: Iterable[str], confirmed: Iterable[str]
) -> Adaptation:
    """DOS-4: compare the proposal with the offer copied at enrolment (DOS-1)."""
    if sorted(block_codes) == sorted(offer_copy.get("block_codes", [])):
        return Adaptation(False)
    texts = tuple(f for f in ADAPTED_TEXTS if same(f, values.get(f), offer_copy.get(f)))
    unchanged = tuple(
        group
        for group, (fields, _label) in CONFIRMABLE.items()
        if all(same(f, values.get(f), offer_copy.get(f)) for f in fields)
    )
    confirmed_groups = set(confirmed)
    return Adaptation(True, texts, unchanged, tuple(g for g in unchanged if g not in confirmed_groups))


def adaptation_errors(result: Adaptation) -> list[DomainError]:
    errors = [
        DomainError(
            f"La liste des blocs a changé : adaptez {ADAPTED_TEXTS[field]} au nouveau périmètre, il est encore "
            "identique à celui de l'offre.",
            rule="DOS-4",
            field=field,
        )
        for field in result.identical_texts
    ]
    for group in result.unconfirmed:
        fields, label = CONFIRMABLE[group]
        errors.append(
            DomainError(
                f"La liste des blocs a changé mais {label} reste identique à l'offre : modifiez-le ou confirmez "
                "qu'il convient au nouveau périmètre.",
                rule="DOS-4",
                field=fields[0],
            )
        )
    return errors


# -- EDO-2: dates in working days -------------------------------------------------------------
def earliest_start(accepted_on: datetime.date) -> datetime.date:
    """EDO-2: training starts no earlier than 11 working days after the holder's acceptance."""
    return add_working_days(accepted_on, WITHDRAWAL_DAYS)


def check_start_after_withdrawal(starts_on: datetime.date, accepted_on: datetime.date, field: str) -> None:
    limit = earliest_start(accepted_on)
    if starts_on < limit:
        raise DomainError(
            f"L'entrée en formation ne peut pas précéder le {limit:%d/%m/%Y} : 11 jours ouvrés après "
            f"l'acceptation du {accepted_on:%d/%m/%Y} (délai de rétractation).",
            rule="EDO-2",
            field=field,
        )


def next_deadline(
    state: str, *, since: datetime.date, starts_on: datetime.date | None, ends_on: datetime.date | None
) -> tuple[str, datetime.date | None]:
    """EDO-2: the deadline a dossier waits on once it reached `state` on `since`, or ("", None).

    The organisation answers a request within 2 working days, the holder a proposition within 4;
    entry and exit are declared within 3 of the session's dates; the service fait is validated
    automatically 5 after its declaration.
    """
    if state == DossierState.NOT_PROCESSED:
        return DeadlineKind.ANSWER_REQUEST, add_working_days(since, ANSWER_REQUEST_DAYS)
    if state == DossierState.VALIDATED:
        return DeadlineKind.ANSWER_PROPOSAL, add_working_days(since, ANSWER_PROPOSAL_DAYS)
    if state == DossierState.ACCEPTED and starts_on is not None:
        return DeadlineKind.DECLARE_ENTRY, add_working_days(starts_on, DECLARATION_DAYS)
    if state == DossierState.IN_TRAINING and ends_on is not None:
        return DeadlineKind.DECLARE_EXIT, add_working_days(ends_on, DECLARATION_DAYS)
    if state == DossierState.SERVICE_DECLARED:
        return DeadlineKind.SERVICE_AUTO_VALIDATION, add_working_days(since, SERVICE_AUTO_VALIDATION_DAYS)
    return "", None


def check_fact_date(day: datetime.date | None, today: datetime.date, field: str, label: str) -> datetime.date:
    if day is None:
        raise DomainError(f"Indiquez la date {label}.", rule="EDO-1", field=field)
    if day > today:
        raise DomainError(f"La date {label} ne peut pas être dans le futur.", rule="EDO-1", field=field)
    return day


def declared_late(fact_on: datetime.date, today: datetime.date) -> bool:
    """EDO-2: entry and exit are declared within 3 working days of the fact."""
    return today > add_working_days(fact_on, DECLARATION_DAYS)


def reason_required(reason: str) -> str:
    """EDO-1: a refusal or cancellation by the organisation, or a control, says why."""
    if not reason.strip():
        raise DomainError("Indiquez le motif.", rule="EDO-1", field="reason")
    return reason.strip()


# -- EDO-3, EDO-1: exit and service fait --------------------------------------------------------
def check_exit(exited_on: datetime.date, entered_on: datetime.date | None, reason: str) -> None:
    if entered_on is not None and exited_on < entered_on:
        raise DomainError(
            f"La sortie ne peut pas précéder l'entrée en formation du {entered_on:%d/%m/%Y}.",
            rule="EDO-3",
            field="exited_on",
        )
    if reason not in ExitReason.values:
        raise DomainError("Choisissez le motif de sortie de formation.", rule="EDO-3", field="exit_reason")


def check_service_done(completion_rate: Decimal, absence_hours: Decimal, duration_hours: Decimal) -> None:
    """EDO-1: the service fait carries the completion rate and the absences."""
    if not 0 <= completion_rate <= HUNDRED:
        raise DomainError(
            "Le taux de réalisation est un pourcentage entre 0 et 100.", rule="EDO-1", field="completion_rate"
        )
    if absence_hours < 0 or (duration_hours and absence_hours > duration_hours):
        raise DomainError(
            f"Les absences vont de 0 à la durée de la formation ({duration_hours} heures).",
            rule="EDO-1",
            field="absence_hours",
        )


# -- COM-2: the cancellation fee ------------------------------------------------------------------
@dataclass(frozen=True)
class CancellationFee:
    days_before: int  # working (or business) days from the cancellation to the start
    rate: int  # % of the price excl. VAT
    amount: Decimal
    day_kind: str


def cancellation_fee(
    *,
    price_excl_vat: Decimal,
    cancelled_on: datetime.date,
    starts_on: datetime.date | None,
    free_above_days: int,
    full_below_days: int,
    partial_rate: int,
    day_kind: str = DayKind.BUSINESS,
) -> CancellationFee:
    """COM-2: more than `free_above_days` before the start: nothing; from `full_below_days` to
    `free_above_days` included: `partial_rate` %; fewer than `full_below_days`: 100 % of the price excl. VAT."""
    if starts_on is None:
        return CancellationFee(0, 0, Decimal(0), day_kind)
    days = working_days_between(cancelled_on, starts_on, DayKind(day_kind))
    if days > free_above_days:
        rate = 0
    elif days >= full_below_days:
        rate = partial_rate
    else:
        rate = 100
    return CancellationFee(days, rate, money(Decimal(price_excl_vat) * rate / HUNDRED), day_kind)


def split_refund(fee: Decimal, cpf_amount: Decimal, holder_amount: Decimal) -> tuple[Decimal, Decimal]:
    """What goes back to the CPF and to the holder once the fee is kept: the fee is taken from the CPF
    part first (as Mon Compte Formation keeps the rights of a late cancellation), then from the rest."""
    from_cpf = min(fee, cpf_amount)
    from_holder = min(fee - from_cpf, holder_amount)
    return cpf_amount - from_cpf, holder_amount - from_holder


def check_cancellation_policy(free_above_days: int, full_below_days: int, partial_rate: int) -> None:
    if not 0 < full_below_days <= free_above_days:
        raise DomainError(
            "Le seuil des frais de 100 % doit être positif et ne pas dépasser celui de l'annulation sans frais.",
            rule="COM-2",
            field="full_below_days",
        )
    if not 0 <= partial_rate <= 100:
        raise DomainError("Les frais intermédiaires vont de 0 à 100 %.", rule="COM-2", field="partial_rate")


def check_confirmed_fee(expected: Decimal, confirmed: Decimal | None) -> None:
    """COM-2: the fee is shown before the cancellation is confirmed; it must be the one shown."""
    if confirmed is None or money(confirmed) != money(expected):
        raise DomainError(
            f"Les frais d'annulation s'élèvent à {money(expected)} € : confirmez l'annulation avec ce montant.",
            rule="COM-2",
            field="confirmed_fee",
        )


# -- COM-5: capacity --------------------------------------------------------------------------------
def places_left(capacity: int | None, taken: int) -> int | None:
    """None: no limit."""
    return None if capacity is None else max(capacity - taken, 0)


def full_session_error() -> DomainError:
    return DomainError(
        "Cette session est complète : choisissez une autre session ou inscrivez-vous sur la liste d'attente.",
        rule="COM-5",
        field="session",
    )


# -- the CPF balance at acceptance --------------------------------------------------------------
def missing_amount(balance: Decimal, total: Decimal) -> Decimal:
    return max(money(total) - money(balance), Decimal(0)).quantize(CENT)


def insufficient_balance_error(balance: Decimal, total: Decimal) -> DomainError:
    return DomainError(
        f"Votre solde CPF ({money(balance)} €) ne couvre pas le prix de la formation ({money(total)} €) : il "
        f"manque {missing_amount(balance, total)} €. Vous pouvez accepter en réglant vous-même le reste à charge.",
        rule="EDO-1",
        field="cpf_balance",
    )


# -- REG-8, REG-9: attestations --------------------------------------------------------------------
def final_evaluation_required(certification: Any) -> bool:
    """REG-8: whether the certifier requires a final evaluation beyond the blocks (set on the certification
    by the certifier or an administrator; France compétences' exports do not carry it)."""
    return bool(certification is not None and certification.final_evaluation_required)


def certification_awarded(
    *, certification_blocks: Iterable[str], passed_blocks: Iterable[str], final_required: bool, final_passed: bool
) -> bool:
    """REG-8: every block of the certification passed, plus the final evaluation when required."""
    required = set(certification_blocks)
    if not required and not final_required:
        return False  # a certification without blocks is awarded on its final evaluation only
    return required <= set(passed_blocks) and (final_passed or not final_required)


# -- DOS-8: the positioning interview's proof -------------------------------------------------------
def check_proof(stream: IO[bytes], size: int) -> str:
    """PDF or image, checked by content and size (as ACC-3's documents). Returns the content type."""
    try:
        return sniff_document(stream, size, "proof")
    except DomainError as error:
        raise DomainError(error.message, rule="DOS-8", field="proof") from None


# -- COM-1: commercial terms --------------------------------------------------------------------
def check_terms_values(values: Mapping[str, Any]) -> list[DomainError]:
    errors = []
    for field in (
        "vat_rate",
        "day_price_excl_vat",
        "half_day_price_excl_vat",
        "coaching_day_price_excl_vat",
        "certification_fee_excl_vat",
    ):
        value = values.get(field)
        if value is not None and Decimal(str(value)) < 0:
            errors.append(DomainError("Les prix et le taux de TVA sont positifs.", rule="COM-1", field=field))
    hours = values.get("hours_per_day")
    if hours is not None and not 0 < Decimal(str(hours)) <= 24:
        errors.append(
            DomainError("Une journée de formation dure de 1 à 24 heures.", rule="COM-8", field="hours_per_day")
        )
    return errors
