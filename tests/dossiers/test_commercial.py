"""A training organisation's commercial terms (COM-1, COM-2, COM-7, COM-8), with the CGV's sample figures."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from parcours.core.errors import DomainError
from parcours.dossiers.commercial import (
    delete_module_price,
    quote_price,
    save_commercial_terms,
    save_module_price,
    terms_for,
)
from parcours.dossiers.enums import DayKind

pytestmark = pytest.mark.django_db


def test_rule_com_2_the_cgv_defaults(organisation):
    terms = terms_for(organisation)
    assert terms.pk is None
    assert (terms.free_above_days, terms.full_below_days, terms.partial_rate) == (15, 7, 50)
    assert terms.day_kind == DayKind.BUSINESS  # « jours ouvrables »
    assert terms.hours_per_day == 7  # COM-8
    assert terms.late_payment_multiplier == Decimal("1.5")  # COM-7


def test_rule_com_1_modular_prices_and_the_quote(organisation, manager):
    save_commercial_terms(
        organisation,
        manager,
        {
            "day_price_excl_vat": Decimal(800),
            "half_day_price_excl_vat": Decimal(400),
            "coaching_day_price_excl_vat": Decimal(1000),
            "certification_fee_excl_vat": Decimal(500),
        },
    )
    module = save_module_price(
        organisation, manager, label="Module 2 jours", days=Decimal(2), price_excl_vat=Decimal(1500)
    )
    with pytest.raises(DomainError) as error:
        save_module_price(organisation, manager, label="Module 2 jours", days=Decimal(2), price_excl_vat=Decimal(1))
    assert (error.value.rule, error.value.field) == ("COM-1", "label")
    quote = quote_price(
        terms_for(organisation), module_ids=[module.pk], days=1, half_days=1, coaching_days=2, certification_fee=True
    )
    assert quote.total_excl_vat == Decimal("5200.00")  # 1 500 + 800 + 400 + 2 000 + 500
    assert quote.total_incl_vat == Decimal("6240.00")
    assert quote.hours == Decimal("38.5")  # 2 + 1 + ½ + 2 days of 7 hours (COM-8)
    assert quote.detail.splitlines()[0] == "Module 2 jours : 1 × 1500.00 € HT"
    assert quote.detail.endswith("Total : 5200.00 € HT, TVA 20.00 %, 6240.00 € TTC")
    delete_module_price(organisation, manager, module.pk)
    with pytest.raises(DomainError, match="Module inconnu"):
        quote_price(terms_for(organisation), module_ids=[module.pk])


def test_rule_com_1_a_price_not_set_is_not_guessed(organisation):
    with pytest.raises(DomainError) as error:
        quote_price(terms_for(organisation), days=1)
    assert error.value.rule == "COM-1" and "Journée" in error.value.message


def test_rule_com_2_the_policy_is_checked(organisation, manager):
    with pytest.raises(DomainError) as error:
        save_commercial_terms(organisation, manager, {"free_above_days": 5})
    assert (error.value.rule, error.value.field) == ("COM-2", "full_below_days")
    terms = save_commercial_terms(organisation, manager, {"free_above_days": 20, "partial_rate": 30})
    assert (terms.free_above_days, terms.partial_rate) == (20, 30)
    assert terms.history.count() == 1


def test_only_the_organisation_s_members(organisation, people):
    for someone in (people["other_manager"], people["holder"], people["cdc_controller"]):
        with pytest.raises(PermissionDenied):
            save_commercial_terms(organisation, someone, {"vat_rate": Decimal(10)})
