"""A training organisation's commercial terms (COM-1, COM-2, COM-7, COM-8) and what they cost a dossier."""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from parcours.accounts.models import Entity, User
from parcours.core.errors import DomainError
from parcours.registry.models import paris_today

from .enums import DossierState, Side
from .models import CommercialTerms, Dossier, ModulePrice
from .policies import can_manage_commercial_terms
from .rules import (
    CancellationFee,
    cancellation_fee,
    check_cancellation_policy,
    check_terms_values,
    money,
    split_refund,
    with_vat,
)

TERMS_FIELDS = (
    "vat_rate",
    "day_price_excl_vat",
    "half_day_price_excl_vat",
    "coaching_day_price_excl_vat",
    "certification_fee_excl_vat",
    "hours_per_day",
    "late_payment_multiplier",
    "free_above_days",
    "full_below_days",
    "partial_rate",
    "day_kind",
)


def terms_for(organisation: Entity | int) -> CommercialTerms:
    """The organisation's terms, or the CGV's defaults (unsaved) when it has none."""
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    terms = CommercialTerms.objects.filter(organisation_id=organisation_id).first()
    return terms or CommercialTerms(organisation_id=organisation_id)


def _require(actor: User, organisation: Entity) -> None:
    if not can_manage_commercial_terms(actor, organisation):
        raise PermissionDenied("Seuls les membres de l'organisme gèrent ses conditions commerciales.")


@transaction.atomic
def save_commercial_terms(organisation: Entity, actor: User, values: Mapping[str, Any]) -> CommercialTerms:
    """COM-1, COM-2, COM-7, COM-8: prices excl. VAT with the VAT rate, the cancellation policy."""
    _require(actor, organisation)
    values = {k: v for k, v in values.items() if k in TERMS_FIELDS}
    errors = check_terms_values(values)
    if errors:
        raise errors[0]
    terms = CommercialTerms.objects.select_for_update().filter(organisation=organisation).first()
    terms = terms or CommercialTerms(organisation=organisation)
    for key, value in values.items():
        setattr(terms, key, value)
    check_cancellation_policy(terms.free_above_days, terms.full_below_days, terms.partial_rate)
    terms.save()
    return terms


@transaction.atomic
def save_module_price(
    organisation: Entity,
    actor: User,
    *,
    label: str,
    days: Decimal,
    price_excl_vat: Decimal,
    module_id: int | None = None,
) -> ModulePrice:
    """COM-1: a modular price (per module, day or half-day)."""
    _require(actor, organisation)
    terms = terms_for(organisation)
    if terms.pk is None:
        terms.save()
    label = label.strip()
    if not label:
        raise DomainError("Nommez le module.", rule="COM-1", field="label")
    if Decimal(days) <= 0 or Decimal(price_excl_vat) < 0:
        raise DomainError(
            "Un module dure au moins une demi-journée et son prix est positif.", rule="COM-1", field="days"
        )
    module = ModulePrice(terms=terms) if module_id is None else terms.modules.get(pk=module_id)
    if terms.modules.filter(label=label).exclude(pk=module.pk).exists():
        raise DomainError(f"Le module « {label} » a déjà un prix.", rule="COM-1", field="label")
    module.label, module.days, module.price_excl_vat = label, Decimal(days), Decimal(price_excl_vat)
    module.save()
    return module


@transaction.atomic
def delete_module_price(organisation: Entity, actor: User, module_id: int) -> None:
    _require(actor, organisation)
    ModulePrice.objects.filter(pk=module_id, terms__organisation=organisation).delete()


@dataclass(frozen=True)
class PriceLine:
    label: str
    quantity: Decimal
    unit_price_excl_vat: Decimal

    @property
    def amount_excl_vat(self) -> Decimal:
        return money(self.quantity * self.unit_price_excl_vat)


@dataclass(frozen=True)
class PriceQuote:
    """COM-1: a price detail, excl. VAT then with VAT; its duration at COM-8's hours per day."""

    lines: list[PriceLine] = field(default_factory=list)
    vat_rate: Decimal = Decimal(20)
    hours: Decimal = Decimal(0)

    @property
    def total_excl_vat(self) -> Decimal:
        return money(sum((line.amount_excl_vat for line in self.lines), Decimal(0)))

    @property
    def total_incl_vat(self) -> Decimal:
        return with_vat(self.total_excl_vat, self.vat_rate)

    @property
    def detail(self) -> str:
        """The price detail, as the proposal's `price_detail` (DOS-4)."""
        rows = [f"{line.label} : {line.quantity} × {line.unit_price_excl_vat} € HT" for line in self.lines]
        rows.append(f"Total : {self.total_excl_vat} € HT, TVA {self.vat_rate} %, {self.total_incl_vat} € TTC")
        return "\n".join(rows)


def quote_price(
    terms: CommercialTerms,
    *,
    module_ids: Iterable[int] = (),
    days: Decimal | int = 0,
    half_days: Decimal | int = 0,
    coaching_days: Decimal | int = 0,
    certification_fee: bool = False,
) -> PriceQuote:
    """COM-1: modules, days, half-days, coaching per day and person, the certification access fee."""
    lines: list[PriceLine] = []
    training_days = Decimal(0)
    modules = {m.pk: m for m in terms.modules.all()} if terms.pk else {}
    for module_id in module_ids:
        module = modules.get(module_id)
        if module is None:
            raise DomainError("Module inconnu dans les conditions commerciales.", rule="COM-1", field="modules")
        lines.append(PriceLine(module.label, Decimal(1), module.price_excl_vat))
        training_days += module.days
    for quantity, unit, label, duration in (
        (days, terms.day_price_excl_vat, "Journée", Decimal(1)),
        (half_days, terms.half_day_price_excl_vat, "Demi-journée", Decimal("0.5")),
        (coaching_days, terms.coaching_day_price_excl_vat, "Accompagnement (jour)", Decimal(1)),
    ):
        if quantity:
            if unit is None:
                raise DomainError(
                    f"Aucun prix n'est fixé pour « {label} » dans les conditions commerciales.",
                    rule="COM-1",
                    field="modules",
                )
            lines.append(PriceLine(label, Decimal(quantity), unit))
            training_days += Decimal(quantity) * duration
    if certification_fee:
        if terms.certification_fee_excl_vat is None:
            raise DomainError(
                "Aucun coût d'accès à la certification n'est fixé.", rule="COM-1", field="certification_fee"
            )
        lines.append(PriceLine("Coût d'accès à la certification", Decimal(1), terms.certification_fee_excl_vat))
    return PriceQuote(lines, terms.vat_rate, training_days * terms.hours_per_day)


# -- COM-2: what a cancellation costs, shown before it is confirmed -------------------------------
@dataclass(frozen=True)
class CancellationQuote:
    side: str
    fee: CancellationFee
    cpf_credit: Decimal  # back to the holder's CPF balance
    holder_refund: Decimal  # back to the holder (the rest they paid)
    explanation: str


def cancellation_quote(dossier: Dossier, *, side: str, on: datetime.date | None = None) -> CancellationQuote:
    """COM-2: the holder's cancellation of an accepted dossier costs the CGV's fee; the organisation's
    own cancellation, or one before acceptance (no contract yet, COM-6), costs nothing."""
    on = on or paris_today()
    terms = terms_for(dossier.organisation_id)
    if side == Side.HOLDER and dossier.state == DossierState.ACCEPTED:
        fee = cancellation_fee(
            price_excl_vat=dossier.price_excl_vat,
            cancelled_on=on,
            starts_on=dossier.session_starts_on,
            free_above_days=terms.free_above_days,
            full_below_days=terms.full_below_days,
            partial_rate=terms.partial_rate,
            day_kind=terms.day_kind,
        )
        explanation = (
            f"Annulation {fee.days_before} {terms.get_day_kind_display()} avant le début de la formation : "
            f"frais de {fee.rate} % du prix HT, soit {fee.amount} € (COM-2)."
        )
    else:
        fee = CancellationFee(0, 0, Decimal(0), terms.day_kind)
        explanation = "Aucun frais d'annulation."
    cpf_credit, holder_refund = split_refund(fee.amount, dossier.cpf_amount, dossier.holder_amount)
    return CancellationQuote(side, fee, cpf_credit, holder_refund, explanation)
