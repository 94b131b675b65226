"""Evaluations and attestations (DOS-7, DOS-8, REG-8, REG-9, COM-6).

- For every block in the order the organisation registers the trainee for its evaluation (date,
  place, organiser), preferably at entry (DOS-7); `unregistered_blocks` shows those not yet done.
- The positioning interview is recorded with its proof before validation (DOS-8).
- Results per block; a passed block gives its attestation (REG-9); the whole certification is
  attested when the certifier's rules hold (REG-8).
- The training attestation is issued at exit (training.declare_exit), attendance on request (COM-6).
"""

import datetime
import secrets

from django.core.files import File
from django.db import transaction

from parcours.accounts.models import User
from parcours.accounts.services import Upload
from parcours.core.errors import DomainError
from parcours.registry.models import paris_today

from .enums import OCCUPYING_STATES, TRAINING_STATES, AttestationKind, DossierState, EvaluationResult, Side
from .machine import lock_dossier, log, require
from .models import Attestation, Dossier, DossierBlock, Evaluation, PositioningInterview
from .rules import certification_awarded, check_proof

EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


def unregistered_blocks(dossier: Dossier) -> list[DossierBlock]:
    """DOS-7: the blocks of the order whose evaluation the trainee is not registered for yet."""
    return list(dossier.blocks.filter(evaluation__isnull=True))


def _target(dossier: Dossier, block_code: str | None) -> DossierBlock | None:
    """The block by its code; None is the final evaluation, only when the certifier requires one (REG-8)."""
    if block_code is None:
        if not dossier.final_evaluation_required:
            raise DomainError(
                "La certification n'exige pas d'évaluation finale en plus des blocs.", rule="REG-8", field="block"
            )
        return None
    block = dossier.blocks.filter(code=block_code).first()
    if block is None:
        raise DomainError(
            f"Le bloc {block_code} ne fait pas partie de la commande de ce dossier.", rule="DOS-7", field="block"
        )
    return block


@transaction.atomic
def register_evaluation(
    dossier_id: int,
    actor: User,
    *,
    block_code: str | None,
    scheduled_on: datetime.date,
    place: str,
    organiser: str,
) -> Evaluation:
    """DOS-7: registers the trainee for a block's evaluation (`block_code`), or for the final one
    (`block_code=None`, REG-8). From acceptance on; a failed evaluation can be registered again."""
    dossier = lock_dossier(dossier_id)
    require(actor, dossier, {Side.ORGANISATION}, "inscrire le stagiaire à une évaluation")
    if dossier.state not in OCCUPYING_STATES:
        raise DomainError(
            "L'inscription aux évaluations se fait une fois la proposition acceptée, de préférence à l'entrée "
            "en formation.",
            rule="DOS-7",
            field="state",
        )
    if not place.strip() or not organiser.strip():
        raise DomainError(
            "Indiquez le lieu et l'organisateur de l'évaluation.",
            rule="DOS-7",
            field="place" if not place.strip() else "organiser",
        )
    block = _target(dossier, block_code)
    evaluation = Evaluation.objects.filter(dossier=dossier, dossier_block=block).first()
    if evaluation is not None and evaluation.result == EvaluationResult.PASSED:
        raise DomainError("Cette évaluation est déjà réussie.", rule="DOS-7", field="block")
    evaluation = evaluation or Evaluation(dossier=dossier, dossier_block=block)
    evaluation.scheduled_on, evaluation.place, evaluation.organiser = scheduled_on, place.strip(), organiser.strip()
    evaluation.registered_by = actor
    evaluation.result, evaluation.result_on, evaluation.recorded_by = EvaluationResult.PENDING, None, None
    evaluation.save()
    log(dossier, actor, "evaluation", dossier.state, dossier.state, str(evaluation))
    return evaluation


@transaction.atomic
def record_result(
    dossier_id: int, actor: User, *, block_code: str | None, passed: bool, result_on: datetime.date
) -> Evaluation:
    """The result of a registered evaluation, once the trainee entered training. A passed block
    gives its attestation (REG-9); the certification's attestation follows when REG-8 holds."""
    dossier = lock_dossier(dossier_id)
    require(actor, dossier, {Side.ORGANISATION}, "enregistrer un résultat")
    if dossier.state not in TRAINING_STATES:
        raise DomainError(
            "Les résultats s'enregistrent une fois le stagiaire entré en formation.", rule="DOS-7", field="state"
        )
    block = _target(dossier, block_code)
    evaluation = Evaluation.objects.filter(dossier=dossier, dossier_block=block).first()
    if evaluation is None:
        raise DomainError(
            "Inscrivez d'abord le stagiaire à cette évaluation (date, lieu, organisateur).", rule="DOS-7", field="block"
        )
    today = paris_today()
    if not evaluation.scheduled_on <= result_on <= today:
        raise DomainError(
            f"La date du résultat va du jour de l'évaluation ({evaluation.scheduled_on:%d/%m/%Y}) à aujourd'hui.",
            rule="DOS-7",
            field="result_on",
        )
    if evaluation.result == EvaluationResult.PASSED:
        raise DomainError(
            f"{evaluation} est déjà réussi et son attestation délivrée : le résultat ne change plus.",
            rule="REG-9",
            field="passed",
        )
    evaluation.result = EvaluationResult.PASSED if passed else EvaluationResult.FAILED
    evaluation.result_on, evaluation.recorded_by = result_on, actor
    evaluation.save()
    log(dossier, actor, "result", dossier.state, dossier.state, f"{evaluation} : {evaluation.get_result_display()}")
    if passed:
        _attest(dossier, actor, today, block)
    return evaluation


def _attest(dossier: Dossier, actor: User, today: datetime.date, block: DossierBlock | None) -> None:
    if block is not None:
        Attestation.objects.create(
            dossier=dossier,
            kind=AttestationKind.BLOCK,  # REG-9
            dossier_block=block,
            issued_on=today,
            issued_by=actor,
            details={"code": block.code, "title": block.title},
        )
    results = Evaluation.objects.filter(dossier=dossier, result=EvaluationResult.PASSED)
    passed = set(results.filter(dossier_block__isnull=False).values_list("dossier_block__code", flat=True))
    awarded = certification_awarded(
        certification_blocks=dossier.certification.blocks.values_list("code", flat=True)
        if dossier.certification
        else [],
        passed_blocks=passed,
        final_required=dossier.final_evaluation_required,
        final_passed=results.filter(dossier_block__isnull=True).exists(),
    )
    if awarded and not dossier.attestations.filter(kind=AttestationKind.CERTIFICATION).exists():
        Attestation.objects.create(
            dossier=dossier,
            kind=AttestationKind.CERTIFICATION,  # REG-8
            issued_on=today,
            issued_by=actor,
            details={"certification": dossier.certification_code, "blocks": sorted(passed)},
        )
        log(dossier, actor, "certification", dossier.state, dossier.state, dossier.certification_code)


@transaction.atomic
def request_attendance_attestation(dossier_id: int, actor: User) -> Attestation:
    """COM-6: an attendance attestation, on request of the holder (or made by the organisation)."""
    dossier = lock_dossier(dossier_id)
    require(actor, dossier, {Side.HOLDER, Side.ORGANISATION}, "demander une attestation de présence")
    if dossier.state not in TRAINING_STATES:
        raise DomainError("Une attestation de présence suppose l'entrée en formation.", rule="COM-6", field="state")
    attended = dossier.duration_hours - (dossier.absence_hours or 0)
    attestation = Attestation.objects.create(
        dossier=dossier,
        kind=AttestationKind.ATTENDANCE,
        issued_on=paris_today(),
        issued_by=actor,
        details={
            "entered_on": str(dossier.entered_on),
            "exited_on": str(dossier.exited_on) if dossier.exited_on else None,
            "hours_attended": str(attended) if dossier.absence_hours is not None else None,
        },
    )
    log(dossier, actor, "attendance", dossier.state, dossier.state)
    return attestation


@transaction.atomic
def record_positioning_interview(
    dossier_id: int, actor: User, *, held_on: datetime.date, proof: Upload
) -> PositioningInterview:
    """DOS-8: the positioning interview and its proof (PDF or image, checked by content), before
    validation; kept privately for controls (DOS-9). A new proof replaces the previous one."""
    dossier = lock_dossier(dossier_id)
    require(actor, dossier, {Side.ORGANISATION}, "enregistrer l'entretien de positionnement")
    if dossier.state != DossierState.NOT_PROCESSED:
        raise DomainError(
            "L'entretien de positionnement s'enregistre avant la validation du dossier.", rule="DOS-8", field="state"
        )
    if held_on > paris_today():
        raise DomainError("L'entretien ne peut pas être daté du futur.", rule="DOS-8", field="held_on")
    content_type = check_proof(proof.stream, proof.size)
    interview = PositioningInterview.objects.filter(dossier=dossier).first() or PositioningInterview(dossier=dossier)
    interview.held_on, interview.original_name = held_on, proof.name[:255]
    interview.content_type, interview.size, interview.uploaded_by = content_type, proof.size, actor
    interview.file.save(f"{secrets.token_hex(16)}{EXTENSIONS[content_type]}", File(proof.stream), save=False)
    interview.save()
    log(dossier, actor, "positioning", dossier.state, dossier.state, f"entretien du {held_on:%d/%m/%Y}")
    return interview
