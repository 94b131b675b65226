"""DOS-1: a holder enrols from a public offer's session; the dossier copies the offer (OFF-16)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from parcours.catalogue import services as catalogue
from parcours.catalogue.models import Session
from parcours.core.errors import DomainError
from parcours.dossiers import services
from parcours.dossiers.enums import DeadlineKind, DossierState
from parcours.dossiers.models import DossierEvent

pytestmark = pytest.mark.django_db


def test_rule_dos_1_the_dossier_copies_the_offer(session, titulaire, clock):
    dossier = services.enrol(actor=titulaire, session_id=session.pk)
    offer = session.action.offer
    assert dossier.state == DossierState.NOT_PROCESSED
    assert dossier.get_state_display() == "Non traité"
    assert (dossier.title, dossier.content, dossier.expected_results) == (
        offer.title,
        offer.content,
        offer.expected_results,
    )
    assert dossier.pedagogical_objectives == offer.pedagogical_objectives
    assert dossier.block_codes() == ["RNCP40344BC01", "RNCP40344BC02"]
    assert dossier.blocks.get(code="RNCP40344BC01").title == "Conseiller la clientèle du vétérinaire"
    assert dossier.duration_hours == 35
    assert (dossier.price_excl_vat, dossier.price_incl_vat, dossier.exam_fees_incl_vat) == (
        Decimal("1000.00"),
        Decimal("1200.00"),
        Decimal("0.00"),
    )
    assert (dossier.session_starts_on, dossier.session_ends_on) == (session.starts_on, session.ends_on)
    assert dossier.offer_copy["block_codes"] == ["RNCP40344BC01", "RNCP40344BC02"]
    assert dossier.organisation_id == offer.organisation_id and dossier.certification_code == "RNCP40344"
    assert DossierEvent.objects.filter(dossier=dossier, verb="enrol").exists()
    assert dossier.history.count() == 1


def test_rule_off_16_later_changes_to_the_offer_do_not_touch_the_dossier(session, titulaire, clock):
    dossier = services.enrol(actor=titulaire, session_id=session.pk)
    offer = session.action.offer
    catalogue.update_offer(offer.pk, None, {"title": "Nouveau titre", "content": "Autre contenu."})
    catalogue.change_blocks(offer.pk, None, ["RNCP40344BC03"], True)
    catalogue.save_action(offer, None, {"price_excl_vat": Decimal(5000), "price_incl_vat": 0}, session.action)
    catalogue.transition_offer(offer.pk, None, "archive")
    dossier.refresh_from_db()
    assert dossier.title == "Auxiliaire spécialisé vétérinaire"
    assert dossier.content == "Accueil, conseil, vente."
    assert dossier.block_codes() == ["RNCP40344BC01", "RNCP40344BC02"]
    assert dossier.price_excl_vat == Decimal("1000.00")


def test_rule_dos_1_the_copy_survives_the_session_s_deletion(session, titulaire, clock):
    dossier = services.enrol(actor=titulaire, session_id=session.pk)
    catalogue.delete_session(Session.objects.get(pk=session.pk), None)
    dossier.refresh_from_db()
    assert dossier.session_id is None and dossier.session_starts_on is not None


def test_rule_dos_1_only_while_the_offer_is_public(session, titulaire, clock):
    catalogue.transition_offer(session.action.offer_id, None, "archive")
    with pytest.raises(DomainError) as error:
        services.enrol(actor=titulaire, session_id=session.pk)
    assert error.value.rule == "DOS-1" and error.value.field == "session"
    assert "retirée du catalogue" in error.value.message


def test_rule_dos_1_only_in_an_open_session_that_has_not_started(make_session, titulaire, clock):
    session = make_session(starts_in=30)
    Session.objects.filter(pk=session.pk).update(enrolment_state="closed")
    catalogue.save_session(session.action, None, {"internal_id": "S2", "starts_on": clock.today().replace(year=2027)})
    with pytest.raises(DomainError, match="n'est pas ouverte aux inscriptions"):
        services.enrol(actor=titulaire, session_id=session.pk)


def test_rule_dos_1_one_open_dossier_per_session(session, titulaire, clock):
    services.enrol(actor=titulaire, session_id=session.pk)
    with pytest.raises(DomainError, match="déjà un dossier en cours"):
        services.enrol(actor=titulaire, session_id=session.pk)


def test_rule_dos_1_only_holders_enrol(session, manager, clock):
    with pytest.raises(PermissionDenied):
        services.enrol(actor=manager, session_id=session.pk)


def test_rule_edo_2_the_organisation_is_told_when_to_answer(
    session, titulaire, manager, clock, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = services.enrol(actor=titulaire, session_id=session.pk)
    # Sunday 22 November 2026 + 2 working days = Tuesday 24.
    assert dossier.deadline_kind == DeadlineKind.ANSWER_REQUEST
    assert dossier.deadline_on.isoformat() == "2026-11-24"
    assert [m.to for m in mailoutbox] == [[manager.email]]
    assert "avant le 24/11/2026" in mailoutbox[0].body


def test_exam_fees_come_from_the_commercial_terms_when_not_included(make_session, titulaire, manager, clock):
    from parcours.dossiers.commercial import save_commercial_terms

    save_commercial_terms(manager.membership.entity, manager, {"certification_fee_excl_vat": Decimal(500)})
    session = make_session(exam_fees_included=False)
    dossier = services.enrol(actor=titulaire, session_id=session.pk)
    assert (dossier.exam_fees_excl_vat, dossier.exam_fees_incl_vat) == (Decimal("500.00"), Decimal("600.00"))
    assert dossier.total_incl_vat == Decimal("1800.00")
    assert "Frais d'examen : 500.00 € HT" in dossier.price_detail
