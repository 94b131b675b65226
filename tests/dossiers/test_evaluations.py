"""Evaluations and attestations (DOS-7, REG-8, REG-9)."""

import datetime

import pytest

from parcours.core.errors import DomainError
from parcours.dossiers import evaluations
from parcours.dossiers.enums import AttestationKind, EvaluationResult
from parcours.dossiers.models import Dossier

from .conftest import BLOCKS
from .flow import accepted, in_training

pytestmark = pytest.mark.django_db


def register(dossier, manager, code, day):
    return evaluations.register_evaluation(
        dossier.pk, manager, block_code=code, scheduled_on=day, place="Lyon", organiser="Jury ASV"
    )


def test_rule_dos_7_every_block_of_the_order_is_registered_for_its_evaluation(session, titulaire, manager, clock):
    dossier = accepted(session, titulaire, manager)
    assert [b.code for b in evaluations.unregistered_blocks(dossier)] == ["RNCP40344BC01", "RNCP40344BC02"]
    evaluation = register(dossier, manager, "RNCP40344BC01", session.ends_on)
    assert (evaluation.place, evaluation.organiser, evaluation.result) == ("Lyon", "Jury ASV", EvaluationResult.PENDING)
    assert [b.code for b in evaluations.unregistered_blocks(dossier)] == ["RNCP40344BC02"]
    with pytest.raises(DomainError) as error:
        register(dossier, manager, "RNCP40344BC04", session.ends_on)
    assert (error.value.rule, error.value.field) == ("DOS-7", "block")
    with pytest.raises(DomainError, match="lieu et l'organisateur"):
        evaluations.register_evaluation(
            dossier.pk, manager, block_code="RNCP40344BC02", scheduled_on=session.ends_on, place=" ", organiser="x"
        )


def test_rule_dos_7_not_before_acceptance(session, titulaire, manager, clock):
    from parcours.dossiers import services

    dossier = services.enrol(actor=titulaire, session_id=session.pk)
    with pytest.raises(DomainError, match="une fois la proposition acceptée"):
        register(dossier, manager, "RNCP40344BC01", session.ends_on)


def test_rule_reg_9_a_passed_block_gives_its_attestation(session, titulaire, manager, clock):
    dossier = in_training(session, titulaire, manager, clock)
    with pytest.raises(DomainError, match="Inscrivez d'abord"):
        evaluations.record_result(dossier.pk, manager, block_code="RNCP40344BC01", passed=True, result_on=clock.today())
    register(dossier, manager, "RNCP40344BC01", clock.today())
    register(dossier, manager, "RNCP40344BC02", clock.today())
    with pytest.raises(DomainError) as error:
        evaluations.record_result(
            dossier.pk,
            manager,
            block_code="RNCP40344BC01",
            passed=True,
            result_on=clock.today() + datetime.timedelta(1),
        )
    assert error.value.field == "result_on"
    evaluations.record_result(dossier.pk, manager, block_code="RNCP40344BC01", passed=True, result_on=clock.today())
    evaluations.record_result(dossier.pk, manager, block_code="RNCP40344BC02", passed=False, result_on=clock.today())
    attestations = dossier.attestations.filter(kind=AttestationKind.BLOCK)
    assert [a.details["code"] for a in attestations] == ["RNCP40344BC01"]
    # 2 of the 4 blocks of RNCP40344: no certification (REG-8).
    assert not dossier.attestations.filter(kind=AttestationKind.CERTIFICATION).exists()
    # A failed evaluation is registered again; a passed one is not.
    clock.advance(14)
    register(dossier, manager, "RNCP40344BC02", clock.today())
    with pytest.raises(DomainError, match="déjà réussie"):
        register(dossier, manager, "RNCP40344BC01", clock.today())


def pass_all(dossier, manager, clock, codes):
    for code in codes:
        register(dossier, manager, code, clock.today())
        evaluations.record_result(dossier.pk, manager, block_code=code, passed=True, result_on=clock.today())


def test_rule_reg_8_the_certification_is_attested_when_every_block_is_passed(make_session, titulaire, manager, clock):
    dossier = in_training(make_session(blocks=tuple(BLOCKS)), titulaire, manager, clock)
    pass_all(dossier, manager, clock, BLOCKS[:3])
    assert not dossier.attestations.filter(kind=AttestationKind.CERTIFICATION).exists()
    pass_all(dossier, manager, clock, BLOCKS[3:])
    certification = dossier.attestations.get(kind=AttestationKind.CERTIFICATION)
    assert certification.details == {"certification": "RNCP40344", "blocks": BLOCKS}
    assert dossier.attestations.filter(kind=AttestationKind.BLOCK).count() == 4


def test_rule_reg_8_plus_the_final_evaluation_when_the_certifier_requires_one(make_session, titulaire, manager, clock):
    dossier = in_training(make_session(blocks=tuple(BLOCKS)), titulaire, manager, clock)
    with pytest.raises(DomainError) as error:
        register(dossier, manager, None, clock.today())
    assert error.value.rule == "REG-8"
    Dossier.objects.filter(pk=dossier.pk).update(final_evaluation_required=True)  # the certifier's rule
    pass_all(dossier, manager, clock, BLOCKS)
    assert not dossier.attestations.filter(kind=AttestationKind.CERTIFICATION).exists()
    register(dossier, manager, None, clock.today())
    evaluations.record_result(dossier.pk, manager, block_code=None, passed=True, result_on=clock.today())
    assert dossier.attestations.filter(kind=AttestationKind.CERTIFICATION).count() == 1


def test_rule_reg_8_the_certifiers_rule_is_copied_at_enrolment(make_session, titulaire, manager, clock):
    from parcours.registry.models import Certification

    Certification.objects.filter(code="RNCP40344").update(final_evaluation_required=True)
    dossier = in_training(make_session(blocks=tuple(BLOCKS)), titulaire, manager, clock)
    assert dossier.final_evaluation_required
    pass_all(dossier, manager, clock, BLOCKS)
    assert not dossier.attestations.filter(kind=AttestationKind.CERTIFICATION).exists()  # the final one is missing


def test_rule_reg_9_a_passed_result_is_final(session, titulaire, manager, clock):
    dossier = in_training(session, titulaire, manager, clock)
    register(dossier, manager, "RNCP40344BC01", clock.today())
    evaluations.record_result(dossier.pk, manager, block_code="RNCP40344BC01", passed=True, result_on=clock.today())
    with pytest.raises(DomainError) as error:
        evaluations.record_result(dossier.pk, manager, block_code="RNCP40344BC01", passed=True, result_on=clock.today())
    assert (error.value.rule, error.value.field) == ("REG-9", "passed")
    assert dossier.attestations.filter(kind=AttestationKind.BLOCK).count() == 1
