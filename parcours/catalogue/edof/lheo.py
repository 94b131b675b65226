"""The LHÉO 2.3 export (EDO-5): valid against data/lheo/lheo-2.3.xsd; defaults in `writer.py`'s docstring."""

import io
from typing import Any

from lxml import etree

from parcours.accounts.models import Entity

from ..enums import LHEO_COURSE_CODE, CourseType, EnrolmentState, Modality
from ..models import Action, Offer, Session
from .common import CODE_BY_MODALITY, LHEO_CODE_BY_ENROLMENT, LHEO_NS, PLACEHOLDER_NAME, q
from .parts import (
    LINE_MAX,
    action_extras,
    address_lines,
    clean,
    day,
    exported_actions,
    exported_offers,
    formation_extras,
    phone_digits,
    postal_city,
    split_name,
    sub,
    text_address,
    write_document,
)

PUBLIC_ALL = ("V12", "80006")  # code-public-vise: Formacode « tous publics »


def export_lheo(organisation: Entity) -> bytes:
    buffer = io.BytesIO()
    write_lheo(organisation, buffer)
    return buffer.getvalue()


def write_lheo(organisation: Entity, stream: Any) -> int:
    """Streams the LHÉO 2.3 file into `stream` (binary), formation by formation; returns how many."""
    return write_document(
        stream, LHEO_NS, "UTF-8", (_lheo_formation(offer, organisation) for offer in exported_offers(organisation))
    )


def lsub(parent: Any, name: str, text: object = None, **attributes: str) -> Any:
    """A child element of the LHÉO namespace."""
    return sub(parent, name, text, LHEO_NS, **attributes)


def _lheo_formation(offer: Offer, organisation: Entity) -> Any:
    formation = etree.Element(q("formation", LHEO_NS), numero=offer.internal_id, nsmap={None: LHEO_NS})
    _domain(lsub(formation, "domaine-formation"), offer)
    for name, value in (
        ("intitule-formation", offer.title),
        ("objectif-formation", offer.pedagogical_objectives),
        ("resultats-attendus", offer.expected_results),
        ("contenu-formation", offer.content),
        ("certifiante", "1" if offer.certification else "0"),
    ):
        lsub(formation, name, value)
    actions = exported_actions(offer)
    _lheo_coordinates(lsub(lsub(formation, "contact-formation"), "coordonnees"), actions[0])
    lsub(formation, "parcours-de-formation", LHEO_COURSE_CODE[CourseType(offer.course_type)])
    lsub(formation, "code-niveau-entree", "0")
    lsub(formation, "objectif-general-formation", "6" if offer.certification else "2")
    certification = offer.certification
    if certification is not None:
        lsub(
            lsub(formation, "certification"),
            "code-RNCP" if certification.code.startswith("RNCP") else "code-RS",
            certification.code,
        )
    else:
        lsub(lsub(formation, "code-type-formation"), "code-CPF", offer.cpf_code)
    if certification is not None and certification.level:
        lsub(formation, "code-niveau-sortie", 10 + certification.level)  # dict-niveaux: 11–18 = levels 1–8
    for action in actions:
        formation.append(_lheo_action(action, offer, organisation))
    _lheo_responsible(lsub(formation, "organisme-formation-responsable"), organisation, actions[0])
    formation_extras(lsub(formation, "extras", info="formation"), offer, LHEO_NS)
    return formation


def _domain(domain: Any, offer: Offer) -> None:
    certification = offer.certification
    formacodes = [offer.formacode] if offer.formacode else []
    nsf = [offer.nsf_code] if offer.nsf_code else []
    rome: list[str] = []
    if certification is not None:
        formacodes = formacodes or [code.code for code in certification.formacodes.all()]
        nsf = nsf or [code.code for code in certification.nsf_codes.all()]
        rome = [code.code for code in certification.rome_codes.all()]
    for code in [c for c in formacodes if len(c) == 5][:5]:
        lsub(domain, "code-FORMACODE", code, ref=PUBLIC_ALL[0])
    for code in [c for c in nsf if len(c) == 3][:3]:
        lsub(domain, "code-NSF", code)
    for code in [c for c in rome if len(c) == 5][:5]:
        lsub(domain, "code-ROME", code)


def _lheo_coordinates(coordinates: Any, action: Action) -> None:
    """LHÉO's coordonnees: every part optional; the action's contact as far as known."""
    first, last = split_name(action.contact_name)
    if last != PLACEHOLDER_NAME:
        lsub(coordinates, "nom", last)
    if first != PLACEHOLDER_NAME:
        lsub(coordinates, "prenom", first)
    if phone_digits(action.contact_phone):
        lsub(lsub(coordinates, "telfixe"), "numtel", action.contact_phone[:25])
    if action.contact_email:
        lsub(coordinates, "courriel", action.contact_email[:160])


def _lheo_action(action: Action, offer: Offer, organisation: Entity) -> Any:
    element = etree.Element(q("action", LHEO_NS), numero=action.internal_id)
    lsub(element, "rythme-formation", "Non communiqué")
    lsub(element, "code-public-vise", PUBLIC_ALL[1], ref=PUBLIC_ALL[0])
    lsub(element, "niveau-entree-obligatoire", "0")
    company = f"{action.hours_in_company} heures en entreprise" if action.hours_in_company else "Sans objet"
    lsub(element, "modalites-alternance", company)
    lsub(element, "modalites-enseignement", CODE_BY_MODALITY[Modality(action.modality)])
    lsub(element, "conditions-specifiques", action.prerequisites.strip() or "Aucune")
    lsub(element, "prise-en-charge-frais-possible", "1")
    place = _lheo_place(action)
    if place is not None:
        coordinates = lsub(lsub(element, "lieu-de-formation"), "coordonnees")
        coordinates.append(place)
    lsub(element, "modalites-entrees-sorties", "0")
    for session in action.sessions.all():
        element.append(_lheo_session(session, action, offer, organisation))
    if action.accessibility.strip():
        lsub(element, "acces-handicapes", clean(action.accessibility)[:250])
    lsub(element, "langue-formation", "FR")
    if len(str(action.price_incl_vat)) <= 10:
        lsub(element, "prix-total-TTC", action.price_incl_vat)
    lsub(element, "nombre-heures-centre", action.hours_in_centre)
    lsub(element, "nombre-heures-entreprise", action.hours_in_company)
    lsub(element, "nombre-heures-total", action.total_hours)
    action_extras(lsub(element, "extras", info="action"), action, LHEO_NS)
    return element


def _lheo_place(action: Action) -> Any:
    if not (len(clean(action.postal_code)) == 5 and clean(action.city)):
        return None
    address = etree.Element(q("adresse", LHEO_NS))
    lines = [line for line in (clean(action.place_name)[:LINE_MAX], *address_lines(action.address)) if line][:4]
    for line in lines or [clean(action.city)[:LINE_MAX]]:
        lsub(address, "ligne", line)
    postal_city(address, action.postal_code, action.city, LHEO_NS)
    return address


def _lheo_session(session: Session, action: Action, offer: Offer, organisation: Entity) -> Any:
    element = etree.Element(q("session", LHEO_NS), numero=session.internal_id)
    period = lsub(element, "periode")
    lsub(period, "debut", day(session.starts_on) if session.starts_on else "00000000")
    lsub(period, "fin", day(session.ends_on) if session.ends_on else "99999999")
    lsub(element, "adresse-inscription").append(_lheo_registration(session, action, organisation))
    lsub(element, "etat-recrutement", LHEO_CODE_BY_ENROLMENT[EnrolmentState(session.enrolment_state)])
    if session.capacity:
        recruitment = lsub(element, "recrutement")
        lsub(recruitment, "modalite-recrutement", "0")  # dict-modalite-recrutement: information inconnue
        lsub(recruitment, "nb-places", session.capacity)
    codes = [block.code for block in offer.offer_blocks.all()]
    if offer.certification is not None and codes:
        blocks = lsub(element, "blocs-competences")
        titles = {block.code: block.title for block in offer.certification.blocks.all()}
        lsub(blocks, "validation-blocs", "1" if len(codes) == len(titles) else "0")  # totale / partielle
        code = offer.certification.code
        lsub(
            lsub(blocks, "reference-certification"),
            "reference-code-RNCP" if code.startswith("RNCP") else "reference-code-RS",
            code,
        )
        for block_code in codes:
            block = lsub(blocks, "bloc-competences")
            lsub(block, "libelle-bloc", clean(titles.get(block_code) or block_code)[:500])
            lsub(block, "code-bloc", block_code)
    return element


def _lheo_registration(session: Session, action: Action, organisation: Entity) -> Any:
    """LHÉO's adresse needs a postal code and a city: the registration address, the place, the organisation."""
    for text in (
        session.registration_address,
        ", ".join(p for p in (action.address, f"{action.postal_code} {action.city}") if p.strip()),
        organisation.address,
    ):
        address = text_address(clean(text), organisation, LHEO_NS) if clean(text) else None
        if address is not None:
            address.attrib.pop("numero", None)
            return address
    address = etree.Element(q("adresse", LHEO_NS))
    lsub(address, "ligne", clean(organisation.name)[:LINE_MAX] or "Organisme de formation")
    lsub(address, "codepostal", "00000")
    lsub(address, "ville", "Non communiquée")
    return address


def _lheo_responsible(responsible: Any, organisation: Entity, action: Action) -> None:
    nda = clean(organisation.nda)
    lsub(responsible, "numero-activite", nda if len(nda) == 11 else "00000000000")
    lsub(lsub(responsible, "SIRET-organisme-formation"), "SIRET", organisation.siret)
    lsub(responsible, "nom-organisme", clean(organisation.name)[:250])
    lsub(responsible, "raison-sociale", clean(organisation.name)[:250])
    coordinates = lsub(lsub(responsible, "coordonnees-organisme"), "coordonnees")
    for line in address_lines(organisation.address):
        lsub(coordinates, "ligne", line)
    _lheo_coordinates(lsub(lsub(responsible, "contact-organisme"), "coordonnees"), action)
