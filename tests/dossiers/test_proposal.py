"""Personalising the proposition (DOS-2 to DOS-6, DOS-8): « Modifier le dossier », « Valider le dossier »."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from parcours.core.errors import DomainError
from parcours.dossiers import evaluations, services
from parcours.dossiers.enums import DeadlineKind, DossierState
from parcours.dossiers.models import Dossier, DossierEvent
from parcours.dossiers.proposal import adaptation_of, proposal_summary, update_proposal, validation_errors

from .flow import PDF, positioned, proof

pytestmark = pytest.mark.django_db

ADAPTED = {
    "title": "Auxiliaire vétérinaire — bloc 1",
    "pedagogical_objectives": "Conseiller la clientèle (bloc 1).",
    "expected_results": "Évaluation du bloc 1.",
    "content": "Accueil et conseil.",
}


@pytest.fixture
def dossier(session, titulaire, clock):
    return services.enrol(actor=titulaire, session_id=session.pk)


def test_rule_dos_2_the_organisation_personalises_the_proposal(dossier, manager):
    starts = dossier.session_starts_on + datetime.timedelta(days=7)
    dossier = update_proposal(
        dossier.pk,
        manager,
        values={
            "content": "Contenu\r\nindividualisé",
            "session_starts_on": starts,
            "session_ends_on": starts + datetime.timedelta(days=3),
            "price_excl_vat": Decimal(900),
            "expected_results": "Résultats individualisés.",
            "duration_hours": Decimal("28.5"),
            "exam_fees_excl_vat": Decimal(100),
            "strengths": "ignored: not a proposal field",
        },
    )
    assert dossier.content == "Contenu\nindividualisé"
    assert (dossier.price_incl_vat, dossier.exam_fees_incl_vat, dossier.total_incl_vat) == (
        Decimal("1080.00"),
        Decimal("120.00"),
        Decimal("1200.00"),
    )
    assert dossier.session_starts_on == starts and dossier.duration_hours == Decimal("28.5")
    assert dossier.version == 2
    assert dossier.offer_copy["content"] == "Accueil, conseil, vente."  # the copy never changes
    event = DossierEvent.objects.filter(dossier=dossier, verb="update").get()
    assert "contenu de la formation" in event.note and event.actor == manager  # French, for the log people read


def test_rule_dos_2_only_the_organisation_of_the_dossier(dossier, titulaire, people):
    with pytest.raises(PermissionDenied):
        update_proposal(dossier.pk, titulaire, values={"content": "x"})
    with pytest.raises(PermissionDenied):
        update_proposal(dossier.pk, people["other_manager"], values={"content": "x"})


def test_rule_dos_2_a_bad_value_names_its_field(dossier, manager):
    with pytest.raises(DomainError) as error:
        update_proposal(dossier.pk, manager, values={"price_excl_vat": Decimal(-5)})
    assert (error.value.rule, error.value.field) == ("DOS-2", "price_excl_vat")
    with pytest.raises(DomainError) as error:
        update_proposal(
            dossier.pk, manager, values={"session_ends_on": dossier.session_starts_on - datetime.timedelta(1)}
        )
    assert error.value.field == "session_ends_on"


def test_rule_dos_3_blocks_change_on_a_personalisable_offer(dossier, manager):
    dossier = update_proposal(dossier.pk, manager, block_codes=["RNCP40344BC04", "RNCP40344BC01"])
    assert dossier.block_codes() == ["RNCP40344BC01", "RNCP40344BC04"]  # a block added, one removed
    assert dossier.blocks.get(code="RNCP40344BC04").title == "Assister le vétérinaire en soins et en chirurgie"
    with pytest.raises(DomainError) as error:
        update_proposal(dossier.pk, manager, block_codes=[])
    assert (error.value.rule, error.value.field) == ("DOS-3", "blocks")
    assert Dossier.objects.get(pk=dossier.pk).block_codes() == ["RNCP40344BC01", "RNCP40344BC04"]


def test_rule_dos_3_blocks_are_fixed_on_a_non_personalisable_offer(make_session, titulaire, manager, clock):
    dossier = services.enrol(actor=titulaire, session_id=make_session(customisable=False).pk)
    with pytest.raises(DomainError, match="n'est pas personnalisable"):
        update_proposal(dossier.pk, manager, block_codes=["RNCP40344BC01"])
    update_proposal(dossier.pk, manager, block_codes=["RNCP40344BC02", "RNCP40344BC01"], values={"content": "Autre."})


def test_rule_dos_4_a_new_perimeter_must_be_described(dossier, manager):
    positioned(dossier, manager)
    dossier = update_proposal(dossier.pk, manager, block_codes=["RNCP40344BC01"])
    adaptation = adaptation_of(dossier)
    assert adaptation.still_identical == [
        "l'intitulé",
        "les objectifs pédagogiques",
        "les résultats attendus",
        "le contenu",
        "la durée totale",
        "le prix, son détail et les frais d'examen",
    ]
    with pytest.raises(DomainError) as error:
        services.validate_dossier(dossier.pk, manager)
    assert (error.value.rule, error.value.field) == ("DOS-4", "title")
    dossier = update_proposal(dossier.pk, manager, values=ADAPTED)
    assert [e.field for e in validation_errors(dossier)] == ["duration_hours", "price_excl_vat"]


def test_rule_dos_4_an_unchanged_duration_or_price_is_confirmed_and_recorded(dossier, manager):
    positioned(dossier, manager)
    update_proposal(dossier.pk, manager, block_codes=["RNCP40344BC01"], values=ADAPTED)
    dossier = update_proposal(
        dossier.pk, manager, values={"price_excl_vat": Decimal(600)}, confirm_unchanged=["duration", "price"]
    )
    # The price changed: only the duration's confirmation is recorded.
    assert set(dossier.unchanged_confirmations) == {"duration"}
    assert dossier.unchanged_confirmations["duration"]["by"] == manager.pk
    assert "maintien confirmé : la durée totale" in dossier.events.filter(verb="update").first().note
    assert validation_errors(dossier) == []
    dossier = services.validate_dossier(dossier.pk, manager)
    assert dossier.state == DossierState.VALIDATED


def test_rule_dos_4_confirmations_are_asked_again_after_another_change_of_blocks(dossier, manager):
    update_proposal(dossier.pk, manager, block_codes=["RNCP40344BC01"], confirm_unchanged=["duration"])
    dossier = update_proposal(dossier.pk, manager, block_codes=["RNCP40344BC03"])
    assert dossier.unchanged_confirmations == {}
    with pytest.raises(DomainError, match="Seuls la durée et le prix"):
        update_proposal(dossier.pk, manager, confirm_unchanged=["title"])


def test_rule_dos_4_back_to_the_offer_s_blocks_needs_no_adaptation(dossier, manager):
    update_proposal(dossier.pk, manager, block_codes=["RNCP40344BC01"])
    dossier = update_proposal(dossier.pk, manager, block_codes=["RNCP40344BC01", "RNCP40344BC02"])
    assert not adaptation_of(dossier).blocks_changed


def test_rule_dos_8_the_positioning_interview_comes_before_validation(dossier, manager, clock):
    with pytest.raises(DomainError) as error:
        services.validate_dossier(dossier.pk, manager)
    assert (error.value.rule, error.value.field) == ("DOS-8", "positioning")
    with pytest.raises(DomainError) as error:
        evaluations.record_positioning_interview(
            dossier.pk, manager, held_on=clock.today(), proof=proof(b"<html>not a proof</html>", "preuve.pdf")
        )
    assert (error.value.rule, error.value.field) == ("DOS-8", "proof")
    with pytest.raises(DomainError, match="futur"):
        evaluations.record_positioning_interview(
            dossier.pk, manager, held_on=clock.today() + datetime.timedelta(1), proof=proof()
        )
    interview = evaluations.record_positioning_interview(dossier.pk, manager, held_on=clock.today(), proof=proof())
    assert interview.content_type == "application/pdf" and interview.size == len(PDF)
    assert interview.file.name.startswith("positioning-proofs/")
    with interview.file.open("rb") as stored:
        assert stored.read() == PDF
    assert interview.original_name == "entretien.pdf"
    assert "entretien.pdf" not in interview.file.name  # stored under a random name, privately
    assert services.validate_dossier(dossier.pk, manager).state == DossierState.VALIDATED


def test_rule_dos_5_validation_shows_a_summary_and_notifies_the_holder(
    dossier, manager, titulaire, clock, mailoutbox, django_capture_on_commit_callbacks
):
    positioned(dossier, manager)
    summary = proposal_summary(Dossier.objects.get(pk=dossier.pk))
    assert summary.answer_by == datetime.date(2026, 11, 26)  # Sunday 22 + 4 working days
    assert "RNCP40344BC01" in summary.text and "1200.00 € TTC" in summary.text
    with django_capture_on_commit_callbacks(execute=True):
        validated = services.validate_dossier(dossier.pk, manager, version=summary.version)
    assert validated.state == DossierState.VALIDATED and validated.get_state_display() == "Validé"
    assert validated.validated_on == clock.today()
    assert (validated.deadline_kind, validated.deadline_on) == (DeadlineKind.ANSWER_PROPOSAL, summary.answer_by)
    assert [m.to for m in mailoutbox] == [[titulaire.email]]
    assert "avant le 26/11/2026" in mailoutbox[0].body and "RNCP40344BC02" in mailoutbox[0].body


def test_rule_dos_5_what_was_confirmed_is_what_is_validated(dossier, manager):
    positioned(dossier, manager)
    summary = proposal_summary(Dossier.objects.get(pk=dossier.pk))
    update_proposal(dossier.pk, manager, values={"price_excl_vat": Decimal(1500)})
    with pytest.raises(DomainError) as error:
        services.validate_dossier(dossier.pk, manager, version=summary.version)
    assert (error.value.rule, error.value.field) == ("DOS-5", "version")


def test_rule_dos_5_a_validated_dossier_is_read_only(dossier, manager):
    positioned(dossier, manager)
    services.validate_dossier(dossier.pk, manager)
    with pytest.raises(DomainError) as error:
        update_proposal(dossier.pk, manager, values={"content": "Correction"})
    assert (error.value.rule, error.value.field) == ("DOS-5", "state")
    with pytest.raises(DomainError, match="annulez-le"):
        services.validate_dossier(dossier.pk, manager)
    with pytest.raises(DomainError, match="avant la validation"):
        evaluations.record_positioning_interview(dossier.pk, manager, held_on=dossier.validated_on, proof=proof())
    assert Dossier.objects.get(pk=dossier.pk).content == "Accueil, conseil, vente."


def test_rule_edo_2_the_session_starts_11_working_days_after_today_at_least(dossier, manager, clock):
    positioned(dossier, manager)
    # Sunday 22 November 2026 + 11 working days: Monday 7 December.
    too_soon = datetime.date(2026, 12, 4)
    update_proposal(
        dossier.pk, manager, values={"session_starts_on": too_soon, "session_ends_on": too_soon + datetime.timedelta(5)}
    )
    with pytest.raises(DomainError) as error:
        services.validate_dossier(dossier.pk, manager)
    assert (error.value.rule, error.value.field) == ("EDO-2", "session_starts_on")
    assert "07/12/2026" in error.value.message
    update_proposal(dossier.pk, manager, values={"session_starts_on": datetime.date(2026, 12, 7)})
    assert services.validate_dossier(dossier.pk, manager).state == DossierState.VALIDATED


def test_rule_dos_6_the_contract_states_its_content_and_price(dossier, manager):
    positioned(dossier, manager)
    update_proposal(dossier.pk, manager, values={"expected_results": "", "price_excl_vat": Decimal(0)})
    errors = validation_errors(Dossier.objects.get(pk=dossier.pk))
    assert [(e.rule, e.field) for e in errors] == [("DOS-6", "expected_results"), ("DOS-6", "price_excl_vat")]


def test_refusal_of_the_request_needs_a_reason(dossier, manager, titulaire):
    with pytest.raises(DomainError) as error:
        services.refuse_request(dossier.pk, manager, reason=" ")
    assert (error.value.rule, error.value.field) == ("EDO-1", "reason")
    dossier = services.refuse_request(dossier.pk, manager, reason="Prérequis non remplis.")
    assert dossier.get_state_display() == "Refusé par l'organisme" and dossier.closed_on is not None
    assert dossier.deadline_on is None
