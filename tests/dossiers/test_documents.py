"""The proposition de commande (DOS-6) and the attestations (REG-8, REG-9, COM-6) as French PDFs."""

import io

import pytest
from pypdf import PdfReader

from parcours.dossiers import evaluations
from parcours.dossiers.documents import attestation_pdf, proposal_pdf
from parcours.dossiers.enums import AttestationKind
from parcours.dossiers.models import Attestation

from .flow import in_training, validated

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_rule_dos_6_the_proposal_names_parties_blocks_prices_and_cancellation_terms(session, titulaire, manager):
    dossier = validated(session, titulaire, manager)
    text = text_of(proposal_pdf(dossier))
    organisation = dossier.organisation
    for expected in [
        "Proposition de commande",
        f"Dossier de formation n° {dossier.pk}",
        organisation.name,
        organisation.siret,
        "ne vaut pas agrément de l'État",
        titulaire.email,
        "RNCP40344",
        "RNCP40344BC01",
        "Certification partielle - 2/4 blocs de compétences préparés",  # OFF-6, the dossier's own perimeter
        "Frais pédagogiques",
        "Frais d'examen",
        "Conditions d'annulation",
        "aucun frais",
        "vaudra contrat de formation",
    ]:
        assert expected in text, expected


def test_rule_reg_9_a_passed_block_gives_an_attestation_naming_block_and_certifier(session, titulaire, manager, clock):
    dossier = in_training(session, titulaire, manager, clock)
    evaluations.register_evaluation(
        dossier.pk, manager, block_code="RNCP40344BC01", scheduled_on=clock.today(), place="Lyon", organiser="Jury"
    )
    evaluations.record_result(dossier.pk, manager, block_code="RNCP40344BC01", passed=True, result_on=clock.today())
    attestation = Attestation.objects.get(dossier=dossier, kind=AttestationKind.BLOCK)
    text = text_of(attestation_pdf(attestation))
    block = dossier.blocks.get(code="RNCP40344BC01")
    assert "Attestation de réussite du bloc de compétences" in text
    assert f"RNCP40344BC01 — {block.title}"[:60] in text
    certifiers = [link.certifier.name for link in dossier.certification.certifier_links.select_related("certifier")]
    assert certifiers and certifiers[0] in text
    assert "a validé le bloc de compétences" in text
