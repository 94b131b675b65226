"""Exporting an organisation's catalogue: EDOF import XML (EDO-4) and LHÉO 2.3 (EDO-5).

`export_edof(organisation)` gives bytes valid against the CDC's XSD v5r2, in ISO-8859-1 (a
character outside Latin-1 is written as a character reference, `&#8217;`, which every XML
parser reads back: nothing is lost). Importing it (`importer.py`) into an organisation of the
file's SIRET gives the same catalogue back. `export_lheo(organisation)` gives LHÉO 2.3 (UTF-8),
valid against data/lheo/lheo-2.3.xsd, for the Carif-Oref exchanges.

Exported: the offers in draft or validated (not archived, not deleted) that EDOF could take —
title, objectives, expected results, content and course type filled, at least one action with
a session, a certification or a known code-CPF. `export_gaps()` says why others are left out.

Defaults. Both schemas require elements Parcours has no data for; they are filled so:
- objectif-general-formation: 6 « Certification » for a certifying offer (OFF-9), else 2, as the
  CDC's sample does for its bilan and VAE offers;
- niveau-entree-obligatoire 0 (Parcours has no entry-level requirement), modalites-entrees-sorties
  0 (sessions at fixed dates), langue-formation FR;
- categorisation-offre 120 for a VAE (CPF200), as the CDC's sample (required by EDOF for CPF200);
- datecrea/datemaj: the offer's creation and modification days (actions and sessions have no dates
  of their own: they carry their offer's);
- lieu-de-formation/coordonnees (nom, prénom, téléphone, courriel required): the action's contact,
  else placeholders (common.py) that the reader reads back as « not given »; the place's first
  line, when the action has no place name, is the organisation's name (flagged, see common.py);
- adresse-inscription (required): the session's registration address, else the action's place,
  else the organisation (flagged as a default: read back as no address);
- LHÉO only: rythme-formation « Non communiqué », code-public-vise 80006 « tous publics »
  (Formacode V12 publics), code-niveau-entree 0 « information non communiquée »,
  modalites-alternance « Sans objet » unless hours in company, conditions-specifiques « Aucune »
  without prerequisites, prise-en-charge-frais-possible 1 (CPF), numero-activite 00000000000
  without a declaration number, periode 00000000/99999999 (unknown start/end, LHÉO's convention),
  codepostal 00000 and ville « Non communiquée » when no address of the session, its action or the
  organisation has them.
Not carried by EDOF, so lost on a round trip: a session's capacity (LHÉO: recrutement/nb-places)
and the state « suspendue » (EDOF knows open and closed only: written closed). Values longer
than EDOF's fields (a ligne is 50 characters, a name 50, a phone 15 digits) are cut.

Code lists not verified (spec v15 unavailable, docs/formats.md §2.4): code-gfe, code-type-horaires,
code-rythme-formation, codes-modalites-admission are not written.
"""

import io
from typing import Any

from lxml import etree

from parcours.accounts.models import Entity

from ..enums import LHEO_COURSE_CODE, CourseType, EnrolmentState, Modality
from ..models import Action, Offer, Session
from .common import CODE_BY_MODALITY, DEFAULT_ADDRESS, DEFAULT_FIRST_LINE, EDOF_NS, q
from .lheo import export_lheo, write_lheo
from .parts import (
    LINE_MAX,
    action_extras,
    clean,
    day,
    edof_coordinates,
    export_gaps,
    exported_actions,
    exported_offers,
    formation_extras,
    postal_city,
    street_extras,
    sub,
    text_address,
    write_document,
)

__all__ = ["export_edof", "export_gaps", "export_lheo", "write_edof", "write_lheo"]


def export_edof(organisation: Entity) -> bytes:
    buffer = io.BytesIO()
    write_edof(organisation, buffer)
    return buffer.getvalue()


def write_edof(organisation: Entity, stream: Any) -> int:
    """Streams the EDOF file into `stream` (binary), formation by formation; returns how many."""
    return write_document(
        stream, EDOF_NS, "ISO-8859-1", (_edof_formation(offer, organisation) for offer in exported_offers(organisation))
    )


def _edof_formation(offer: Offer, organisation: Entity) -> Any:
    dates = {"datemaj": day(offer.updated_at), "datecrea": day(offer.created_at)}
    formation = etree.Element(q("formation"), {"numero": offer.internal_id, **dates}, nsmap={None: EDOF_NS})
    for name, value in (
        ("intitule-formation", offer.title),
        ("objectif-formation", offer.pedagogical_objectives),
        ("resultats-attendus", offer.expected_results),
        ("contenu-formation", offer.content),
        ("parcours-de-formation", LHEO_COURSE_CODE[CourseType(offer.course_type)]),
        ("objectif-general-formation", "6" if offer.certification else "2"),
    ):
        sub(formation, name, value)
    certification = sub(formation, "certification")
    if offer.certification is not None:
        sub(
            certification,
            "code-RNCP" if offer.certification.code.startswith("RNCP") else "code-RS",
            offer.certification.code,
        )
    else:
        sub(certification, "code-CPF", offer.cpf_code)
    for action in exported_actions(offer):
        formation.append(_edof_action(action, organisation, dates))
    responsible = sub(sub(formation, "organisme-formation-responsable"), "SIRET-organisme-formation")
    sub(responsible, "SIRET", organisation.siret)
    formation_extras(sub(formation, "extras", info="formation"), offer, EDOF_NS)
    return formation


def _edof_action(action: Action, organisation: Entity, dates: dict[str, str]) -> Any:
    element = etree.Element(q("action"), {"numero": action.internal_id, **dates})
    sub(element, "niveau-entree-obligatoire", "0")
    sub(element, "modalites-enseignement", CODE_BY_MODALITY[Modality(action.modality)])
    if action.prerequisites.strip():
        sub(element, "conditions-specifiques", action.prerequisites)
    place = sub(element, "lieu-de-formation")
    place.append(edof_coordinates("lieu", action, _edof_place(action, organisation)))
    sub(element, "modalites-entrees-sorties", "0")
    for session in action.sessions.all():
        element.append(_edof_session(session, action, organisation, dates))
    sub(element, "acces-handicapes", clean(action.accessibility)[:250] or "0")
    sub(element, "langue-formation", "FR")
    sub(element, "nombre-heures-centre", action.hours_in_centre)
    sub(element, "nombre-heures-entreprise", action.hours_in_company)
    action_extras(sub(element, "extras", info="action"), action, EDOF_NS)
    return element


def _edof_place(action: Action, organisation: Entity, numero: str = "lieu") -> Any:
    """The place: first line its name (else the organisation's, flagged), street in the address extras."""
    if not (action.place_name or action.address or action.postal_code or action.city):
        return None
    first = clean(action.place_name)[:LINE_MAX]
    if not first:
        first, numero = (
            clean(organisation.name)[:LINE_MAX],
            (numero if numero == DEFAULT_ADDRESS else DEFAULT_FIRST_LINE),
        )
    address = etree.Element(q("adresse"), numero=numero)
    sub(address, "ligne", first)
    postal_city(address, action.postal_code, action.city, EDOF_NS)
    street_extras(sub(address, "extras", info="adresse"), action.address)
    return address


def _edof_session(session: Session, action: Action, organisation: Entity, dates: dict[str, str]) -> Any:
    element = etree.Element(q("session"), {"numero": session.internal_id, **dates})
    if session.starts_on or session.ends_on:
        period = sub(element, "periode")
        if session.starts_on:
            sub(period, "debut", day(session.starts_on))
        if session.ends_on:
            sub(period, "fin", day(session.ends_on))
    sub(element, "adresse-inscription").append(_edof_registration(session, action, organisation))
    sub(element, "etat-recrutement", "1" if session.enrolment_state == EnrolmentState.OPEN else "2")
    sub(element, "extras", info="session")
    return element


def _edof_registration(session: Session, action: Action, organisation: Entity) -> Any:
    text = clean(session.registration_address)
    if not text:  # a default, flagged: read back as no registration address
        place = _edof_place(action, organisation, DEFAULT_ADDRESS)
        if place is not None:
            return place
        address = etree.Element(q("adresse"), numero=DEFAULT_ADDRESS)
        sub(address, "ligne", clean(organisation.name)[:LINE_MAX] or "Organisme de formation")
        sub(address, "extras", info="adresse")
        return address
    return text_address(text, organisation, EDOF_NS)
