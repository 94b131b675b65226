"""The dossier's documents in French, as PDF: the proposition de commande (the contract, DOS-6) and the
attestations (block and certification REG-8/REG-9, training and attendance COM-6).

Each function describes the document as data for `parcours.core.pdf`; the facts come from the
dossier's own fields (its copy of the offer, DOS-1), never from the offer as it is today.
"""

from decimal import Decimal

from django.utils import formats

from parcours.core.pdf import Document, Section, render
from parcours.registry.models import paris_today

from .commercial import terms_for
from .enums import AttestationKind
from .models import Attestation, Dossier
from .proposal import perimeter_of

NDA_MENTION = "Cet enregistrement ne vaut pas agrément de l'État."


def _date(value) -> str:  # type: ignore[no-untyped-def]
    return formats.date_format(value, "j F Y") if value else "—"


def _euros(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.2f} €".replace(",", " ").replace(".", ",")


def _organisation(dossier: Dossier) -> Section:
    organisation = dossier.organisation
    nda = f"{organisation.nda}. {NDA_MENTION}" if organisation.nda else "—"
    return Section(
        "Organisme de formation",
        rows=[
            ("Raison sociale", organisation.name),
            ("SIRET", organisation.siret or "—"),
            ("Adresse", organisation.address or "—"),
            ("Déclaration d'activité", nda),
        ],
    )


def _holder(dossier: Dossier) -> Section:
    user = dossier.holder
    profile = getattr(user, "holder", None)
    rows = [("Nom", user.get_full_name() or user.email), ("Courriel", user.email)]
    if profile is not None:
        rows += [
            ("Nom de naissance", profile.birth_name),
            ("Né(e) le", f"{_date(profile.birth_date)} à {profile.birth_place}"),
            ("Adresse", profile.address),
        ]
    return Section("Titulaire du compte personnel de formation", rows=rows)


def _training(dossier: Dossier) -> list[Section]:
    perimeter = perimeter_of(dossier)
    certification = dossier.certification
    rows = [("Intitulé", dossier.title)]
    if certification is not None:
        rows.append(("Certification", f"{certification.code} — {certification.title}"))
    if perimeter is not None:
        rows.append(("Périmètre", perimeter.line))  # OFF-6
    rows += [
        ("Dates", f"du {_date(dossier.session_starts_on)} au {_date(dossier.session_ends_on)}"),
        ("Durée totale", f"{dossier.duration_hours} heures"),
    ]
    sections = [Section("Formation", rows=rows)]
    blocks = [["Code", "Bloc de compétences"]] + [[b.code, b.title] for b in dossier.blocks.order_by("code")]
    if len(blocks) > 1:
        sections.append(Section("Blocs de compétences préparés", table=blocks))
    texts = [
        ("Objectifs pédagogiques", dossier.pedagogical_objectives),
        ("Contenu", dossier.content),
        ("Résultats attendus", dossier.expected_results),
    ]
    sections += [Section(title, paragraphs=[text]) for title, text in texts if text]
    return sections


def _prices(dossier: Dossier) -> Section:
    table = [
        ["", "HT", "TTC"],
        ["Frais pédagogiques", _euros(dossier.price_excl_vat), _euros(dossier.price_incl_vat)],
        ["Frais d'examen", _euros(dossier.exam_fees_excl_vat), _euros(dossier.exam_fees_incl_vat)],
        [
            "Total",
            _euros(dossier.price_excl_vat + dossier.exam_fees_excl_vat),
            _euros(dossier.price_incl_vat + dossier.exam_fees_incl_vat),
        ],
    ]
    paragraphs = [f"TVA : {dossier.vat_rate} %."]
    if dossier.price_detail:
        paragraphs.append(dossier.price_detail)
    return Section("Prix", table=table, paragraphs=paragraphs)


def _cancellation(dossier: Dossier) -> Section:
    terms = terms_for(dossier.organisation_id)
    days = terms.get_day_kind_display()
    return Section(
        "Conditions d'annulation (COM-2)",
        paragraphs=[
            f"Annulation par le titulaire plus de {terms.free_above_days} {days} avant le début : aucun frais. "
            f"Entre {terms.free_above_days} et {terms.full_below_days} {days} : {terms.partial_rate} % du prix HT. "
            f"Moins de {terms.full_below_days} {days} : 100 % du prix HT.",
            "Une annulation par l'organisme ne coûte rien au titulaire : ses droits sont recrédités.",
            f"Pénalités de retard de paiement : {terms.late_payment_multiplier} fois le taux d'intérêt légal (COM-7).",
        ],
    )


def proposal_pdf(dossier: Dossier) -> bytes:
    """DOS-6: the proposition de commande, which is the training contract once accepted."""
    state = dossier.get_state_display()
    document = Document(
        title="Proposition de commande",
        subtitle=f"Dossier de formation n° {dossier.pk} — {state} — version {dossier.version}",
        reference=f"Parcours — dossier n° {dossier.pk}",
        sections=[
            _organisation(dossier),
            _holder(dossier),
            *_training(dossier),
            _prices(dossier),
            _cancellation(dossier),
        ],
        closing=[
            f"Proposition validée par l'organisme le {_date(dossier.validated_on)}."
            if dossier.validated_on
            else "Proposition en préparation : elle n'engage pas encore l'organisme.",
            f"Acceptée par le titulaire le {_date(dossier.accepted_on)} : elle vaut contrat de formation (DOS-6)."
            if dossier.accepted_on
            else "Elle vaudra contrat de formation une fois acceptée par le titulaire (DOS-6).",
            f"Document édité le {_date(paris_today())}.",
        ],
    )
    return render(document)


ATTESTATION_TEXT = {
    AttestationKind.BLOCK: "atteste que {holder} a validé le bloc de compétences ci-dessous.",
    AttestationKind.CERTIFICATION: "atteste que {holder} a obtenu la certification ci-dessous.",
    AttestationKind.TRAINING: "atteste que {holder} a suivi la formation ci-dessous.",
    AttestationKind.ATTENDANCE: "atteste de la présence de {holder} à la formation ci-dessous.",
}


def attestation_pdf(attestation: Attestation) -> bytes:
    """REG-8, REG-9, COM-6: one attestation, naming the block, the certification and its certifiers."""
    dossier = attestation.dossier
    holder = dossier.holder.get_full_name() or dossier.holder.email
    text = ATTESTATION_TEXT[AttestationKind(attestation.kind)].format(holder=holder)
    rows: list[tuple[str, str]] = []
    if attestation.dossier_block is not None:
        rows.append(("Bloc de compétences", f"{attestation.dossier_block.code} — {attestation.dossier_block.title}"))
    certification = dossier.certification
    if certification is not None:
        rows.append(("Certification", f"{certification.code} — {certification.title}"))
        certifiers = [link.certifier.name for link in certification.certifier_links.select_related("certifier")]
        rows.append(("Certificateur", ", ".join(certifiers) or "—"))
    rows += [
        ("Formation", dossier.title),
        (
            "Dates",
            f"du {_date(dossier.entered_on or dossier.session_starts_on)} au "
            f"{_date(dossier.exited_on or dossier.session_ends_on)}",
        ),
    ]
    if (
        attestation.kind in (AttestationKind.TRAINING, AttestationKind.ATTENDANCE)
        and dossier.completion_rate is not None
    ):
        rows.append(("Assiduité", f"{dossier.completion_rate} % réalisé, {dossier.absence_hours or 0} h d'absence"))
    document = Document(
        title=attestation.get_kind_display(),
        subtitle=f"Dossier de formation n° {dossier.pk}",
        reference=f"Parcours — dossier n° {dossier.pk} — attestation n° {attestation.pk}",
        sections=[
            Section("", paragraphs=[f"L'organisme de formation {dossier.organisation.name} {text}"]),
            Section("Objet", rows=rows),
            _organisation(dossier),
        ],
        closing=[f"Délivrée le {_date(attestation.issued_on)}."],
    )
    return render(document)
