"""What the EDOF and LHÉO writers share: the offers exported, serialisation, element and address helpers.

See `writer.py` for what is exported and the defaults written where Parcours has no data.
"""

import re
from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from lxml import etree

from parcours.accounts.models import Entity

from ..enums import OfferStatus, OfferType
from ..models import Action, Offer, Session
from .common import DEFAULT_FIRST_LINE, EDOF_NS, LHEO_NS, PLACEHOLDER_EMAIL, PLACEHOLDER_NAME, PLACEHOLDER_PHONE, q

LINE_MAX = 50
VAE_CATEGORY = "120"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_POSTAL_CITY = re.compile(r"^(?P<head>.*?)(?:,\s*)?(?P<postal>\d{5})\s+(?P<city>[^,]+)$", re.S)
_STREET_NUMBER = re.compile(r"^(\d+[A-Za-z]?) (\S.*)$", re.S)
_PHONE = re.compile(r"^\+?[0-9]{1,15}$")


# -- what is exported ------------------------------------------------------------------------------
def catalogue_offers(organisation: Entity) -> QuerySet[Offer]:
    sessions = Prefetch("sessions", Session.objects.order_by("internal_id"))
    actions = Prefetch("actions", Action.objects.order_by("internal_id").prefetch_related(sessions))
    return (
        Offer.objects.of(organisation)
        .filter(status__in=[OfferStatus.DRAFT, OfferStatus.VALIDATED])
        .select_related("certification")
        .prefetch_related("offer_blocks", actions)
        .order_by("internal_id")
    )


def offer_gaps(offer: Offer) -> list[str]:
    """Why EDOF could not take this offer (empty: it is exported)."""
    gaps = [
        label
        for name, label in (
            ("title", "intitulé"),
            ("pedagogical_objectives", "objectifs pédagogiques"),
            ("expected_results", "résultats attendus"),
            ("content", "contenu"),
            ("course_type", "type de parcours"),
        )
        if not str(getattr(offer, name) or "").strip()
    ]
    gaps = [f"{label} manquant" for label in gaps]
    if offer.certification is None and not offer.cpf_code:
        gaps.append(f"type d'offre « {offer.get_offer_type_display()} » sans code-CPF connu")
    if not exported_actions(offer):
        gaps.append("aucune action avec une session")
    return gaps


def exported_actions(offer: Offer) -> list[Action]:
    return [action for action in offer.actions.all() if action.sessions.all()]


def export_gaps(organisation: Entity) -> list[str]:
    """What the exports leave out, and why (for the command's report)."""
    lines = []
    for offer in catalogue_offers(organisation).iterator(chunk_size=500):
        gaps = offer_gaps(offer)
        if gaps:
            lines.append(f"offre « {offer.internal_id} » non exportée : {', '.join(gaps)}")
            continue
        for action in offer.actions.all():
            if not action.sessions.all():
                lines.append(
                    f"action « {action.internal_id} » de l'offre « {offer.internal_id} » sans session : non exportée"
                )
    return lines


def exported_offers(organisation: Entity) -> Iterator[Offer]:
    for offer in catalogue_offers(organisation).iterator(chunk_size=500):
        if not offer_gaps(offer):
            yield offer


# -- serialisation and small helpers ---------------------------------------------------------------
def write_document(stream: Any, ns: str, encoding: str, formations: Iterator[Any]) -> int:
    declaration = f' xmlns="{ns}"'.encode()
    stream.write(f'<?xml version="1.0" encoding="{encoding}"?>\n<lheo xmlns="{ns}">\n<offres>\n'.encode())
    count = 0
    for formation in formations:
        text = etree.tostring(formation, encoding=encoding, xml_declaration=False, pretty_print=True)
        stream.write(text.replace(declaration, b"", 1))  # declared once, on <lheo>
        count += 1
    stream.write(b"</offres>\n</lheo>\n")
    return count


def clean(value: object) -> str:
    return _XML_ILLEGAL.sub("", "" if value is None else str(value)).strip()


def sub(parent: Any, name: str, text: object = None, ns: str = EDOF_NS, **attributes: str) -> Any:
    element = etree.SubElement(parent, q(name, ns), attributes)
    if text is not None:
        element.text = clean(text)
    return element


def extra(parent: Any, info: str, text: object, ns: str = EDOF_NS) -> Any:
    return sub(parent, "extra", text, ns, info=info)


def day(value: Any) -> str:
    """AAAAMMJJ, as EDOF and LHÉO write dates."""
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
    return value.strftime("%Y%m%d")


def split_name(name: str) -> tuple[str, str]:
    """« Camille Dupont » → (« Camille », « Dupont »); the reader joins them back."""
    first, _, rest = clean(name).partition(" ")
    if not first:
        return PLACEHOLDER_NAME, PLACEHOLDER_NAME
    if not rest:
        return PLACEHOLDER_NAME, first[:LINE_MAX]
    return first[:LINE_MAX], rest.strip()[:LINE_MAX]


def phone_digits(phone: str) -> str:
    digits = re.sub(r"[\s.\-/()]", "", phone or "")
    return digits if _PHONE.match(digits) else ""


def address_lines(text: str) -> list[str]:
    """Lines of at most 50 characters, 3 at most, split at « , » so that joining with « , » gives the text back."""
    lines: list[str] = []
    for segment in [part for part in clean(text).split(", ") if part]:
        if lines and len(lines[-1]) + 2 + len(segment) <= LINE_MAX:
            lines[-1] += ", " + segment
        else:
            lines.append(segment)
    if len(lines) > 3 or any(len(line) > LINE_MAX for line in lines):  # cannot be kept exactly: cut
        words, lines = clean(text).split(), [""]
        for word in words:
            if lines[-1] and len(lines[-1]) + 1 + len(word) > LINE_MAX:
                lines.append("")
            lines[-1] = f"{lines[-1]} {word}".strip()[:LINE_MAX]
    return [line for line in lines if line][:3]


# -- parts both formats write ----------------------------------------------------------------------
def formation_extras(extras: Any, offer: Offer, ns: str) -> None:
    if offer.strengths.strip():
        extra(extras, "resume-contenu", offer.strengths, ns)
    codes = [block.code for block in offer.offer_blocks.all()]
    if codes:
        blocks = sub(extras, "extras", ns=ns, info="blocs-competences")
        for code in codes:
            extra(blocks, "code-bloc", code, ns)
        extra(extras, "blocs-modifiables", "1" if offer.blocks_customisable else "0", ns)
    if offer.offer_type == OfferType.VAE:
        extra(extras, "categorisation-offre", VAE_CATEGORY, ns)


def action_extras(extras: Any, action: Action, ns: str) -> None:
    if action.contact_name or action.contact_email or action.contact_phone:
        contact = extra(extras, "contact-information", None, ns)
        contact.append(edof_coordinates("contact", action, None, ns))
    if action.accessibility.strip():
        extra(extras, "modalites-handicap", action.accessibility, ns)
    if action.admission_conditions.strip():
        extra(extras, "info-admission", action.admission_conditions, ns)
    extra(extras, "duree-apprentissage", action.total_hours, ns)
    extra(extras, "frais-certif-inclus-frais-anpec", "1" if action.exam_fees_included else "0", ns)
    fees = sub(extras, "extras", ns=ns, info="frais-pedagogiques")
    extra(fees, "taux-tva", action.vat_rate, ns)
    extra(fees, "frais-ht", action.price_excl_vat, ns)
    extra(fees, "frais-ttc", action.price_incl_vat, ns)
    extra(extras, "existence-prerequis", "1" if action.prerequisites.strip() else "0", ns)


def edof_coordinates(numero: str, action: Action, address: Any, ns: str = EDOF_NS) -> Any:
    """EDOF's coordonnees: nom, prénom, téléphone and courriel are required (placeholders otherwise)."""
    coordinates = etree.Element(q("coordonnees", ns), numero=numero)
    first, last = split_name(action.contact_name)
    sub(coordinates, "nom", last, ns)
    sub(coordinates, "prenom", first, ns)
    if address is not None:
        coordinates.append(address)
    sub(sub(coordinates, "telfixe", ns=ns), "numtel", phone_digits(action.contact_phone) or PLACEHOLDER_PHONE, ns)
    sub(coordinates, "courriel", clean(action.contact_email)[:160] or PLACEHOLDER_EMAIL, ns)
    return coordinates


def street_extras(extras: Any, street: str) -> None:
    match = _STREET_NUMBER.match(clean(street))
    if match:
        extra(extras, "numero-voie", match[1])
        extra(extras, "libelle-voie", match[2])
    elif street.strip():
        extra(extras, "libelle-voie", street)


def postal_city(address: Any, postal_code: str, city: str, ns: str) -> bool:
    postal_code, city = clean(postal_code), clean(city)[:LINE_MAX]
    if len(postal_code) == 5:
        sub(address, "codepostal", postal_code, ns)
    if city:
        sub(address, "ville", city, ns)
    return len(postal_code) == 5 and bool(city)


def text_address(text: str, organisation: Entity, ns: str, numero: str = "inscription") -> Any:
    """A free-text address « …, 91510 LARDY » as lignes, code postal and ville."""
    match = _POSTAL_CITY.match(text)
    head, postal_code, city = (match["head"], match["postal"], match["city"].strip()) if match else (text, "", "")
    if len(city) > LINE_MAX:
        head, postal_code, city = text, "", ""
    lines = address_lines(head)
    if not lines:
        lines, numero = [clean(organisation.name)[:LINE_MAX] or "Organisme de formation"], DEFAULT_FIRST_LINE
    address = etree.Element(q("adresse", ns), numero=numero)
    for line in lines:
        sub(address, "ligne", line, ns)
    if ns == LHEO_NS and not (postal_code and city):
        return None
    if postal_code:
        sub(address, "codepostal", postal_code, ns)
    if city:
        sub(address, "ville", city, ns)
    if ns == EDOF_NS:
        sub(address, "extras", ns=ns, info="adresse")
    return address
