"""The dossier pages, through the Django test client: every page and action, and the refusals the
issue names, as a person sees them (the French message and its rule on the page)."""

import datetime
import html
import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from parcours.dossiers import services, training
from parcours.dossiers.enums import AttestationKind, DossierState, WaitingState
from parcours.dossiers.models import CommercialTerms, Dossier, ModulePrice, WaitingListEntry
from tests.factories import holder

from .flow import PDF, accepted, in_training, positioned, validated

pytestmark = pytest.mark.django_db

ADAPTED = {
    "title": "Auxiliaire vétérinaire — bloc 1",
    "pedagogical_objectives": "Conseiller la clientèle (bloc 1).",
    "content": "Accueil et conseil.",
    "expected_results": "Évaluation du bloc 1.",
}


def text(response) -> str:
    """The page as a person reads it: entities decoded."""
    return html.unescape(response.content.decode())


def words(response) -> str:
    """The page's text without its tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).split())


def as_user(client, user):
    client.force_login(user)  # again after the clock moves: sessions expire with it
    return client


def get(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return text(response)


def post(client, url: str, data: dict | None = None, **kwargs):
    return client.post(url, data or {}, **kwargs)


def proposal_post(dossier: Dossier, **changes) -> dict:
    """What « Modifier le dossier » posts when nothing is touched, then the changes."""
    data = {
        "title": dossier.title,
        "pedagogical_objectives": dossier.pedagogical_objectives,
        "content": dossier.content,
        "expected_results": dossier.expected_results,
        "session_starts_on": dossier.session_starts_on.isoformat(),
        "session_ends_on": dossier.session_ends_on.isoformat(),
        "duration_hours": str(dossier.duration_hours),
        "price_excl_vat": str(dossier.price_excl_vat),
        "vat_rate": str(dossier.vat_rate),
        "exam_fees_excl_vat": str(dossier.exam_fees_excl_vat),
        "price_detail": dossier.price_detail,
        "version": str(dossier.version),
    }
    if dossier.blocks_customisable:
        data |= {"blocks_sent": "1", "blocks": dossier.block_codes()}
    return data | changes


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def dossier(session, titulaire, clock):
    return services.enrol(actor=titulaire, session_id=session.pk)


# -- the public offer page: enrolment and the waiting list (DOS-1, COM-5) ------------------------------
def test_a_visitor_is_asked_to_log_in_with_the_way_back(client, session):
    offer_id = session.action.offer_id
    page = get(client, f"/formations/{offer_id}/")
    assert f'href="/comptes/login/?next=/formations/{offer_id}/"' in page
    assert "Se connecter pour s'inscrire" in page and "S'inscrire<" not in page
    response = post(client, f"/dossiers/sessions/{session.pk}/inscription/")
    assert response.status_code == 302 and response["Location"].startswith("/comptes/login/")
    assert not Dossier.objects.exists()


def test_a_holder_enrols_from_the_offer_page(client, session, titulaire, clock):
    as_user(client, titulaire)
    offer_page = f"/formations/{session.action.offer_id}/"
    page = get(client, offer_page)
    assert f'action="/dossiers/sessions/{session.pk}/inscription/"' in page and "S'inscrire" in page
    response = post(client, f"/dossiers/sessions/{session.pk}/inscription/")
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/dossiers/{dossier.pk}/"
    page = get(client, response["Location"])
    assert "Demande d'inscription envoyée à Organisme de démonstration" in page
    assert dossier.state == DossierState.NOT_PROCESSED and dossier.holder == titulaire
    # The offer page now leads to the dossier; a second request is refused with the rule.
    assert f'href="/dossiers/{dossier.pk}/"' in get(client, offer_page)
    response = post(client, f"/dossiers/sessions/{session.pk}/inscription/", follow=True)
    assert "Vous avez déjà un dossier en cours pour cette session. (règle DOS-1)" in text(response)
    assert Dossier.objects.count() == 1


def test_only_holders_enrol(client, session, manager):
    as_user(client, manager)
    assert "S'inscrire" not in get(client, f"/formations/{session.action.offer_id}/")
    assert post(client, f"/dossiers/sessions/{session.pk}/inscription/").status_code == 403
    assert post(client, "/dossiers/sessions/999999/inscription/").status_code == 404


def test_a_full_session_offers_the_waiting_list(client, make_session, titulaire, manager, clock):
    session = make_session(capacity=1)
    accepted(session, holder(), manager)
    as_user(client, titulaire)
    offer_page = f"/formations/{session.action.offer_id}/"
    page = get(client, offer_page)
    assert "Session complète" in page and "Rejoindre la liste d'attente" in page
    assert f'action="/dossiers/sessions/{session.pk}/inscription/"' not in page
    response = post(client, f"/dossiers/sessions/{session.pk}/liste-attente/", follow=True)
    assert "Vous êtes inscrit sur la liste d'attente, en position 1." in text(response)
    entry = WaitingListEntry.objects.get(holder=titulaire)
    assert "Vous êtes sur la liste d'attente, en position 1." in get(client, offer_page)
    # Enrolling anyway is refused (COM-5); the list page shows the waiting list.
    response = post(client, f"/dossiers/sessions/{session.pk}/inscription/", follow=True)
    assert "Cette session est complète" in text(response) and "(règle COM-5)" in text(response)
    assert "Mes listes d'attente" in get(client, "/dossiers/")
    response = post(client, f"/dossiers/liste-attente/{entry.pk}/quitter/", {"next": offer_page})
    assert response["Location"] == offer_page
    entry.refresh_from_db()
    assert entry.state == WaitingState.WITHDRAWN
    assert "Rejoindre la liste d'attente" in get(client, offer_page)
    assert (
        post(client, f"/dossiers/liste-attente/{entry.pk}/quitter/", {"next": "https://ailleurs.test/"}).status_code
        == 302
    )
    other = holder()
    assert post(as_user(client, other), f"/dossiers/liste-attente/{entry.pk}/quitter/").status_code == 404


# -- the list ----------------------------------------------------------------------------------
def test_each_sees_their_dossiers_with_the_state_and_what_to_do(client, session, titulaire, manager, people, clock):
    mine = services.enrol(actor=titulaire, session_id=session.pk)
    other = services.enrol(actor=people["holder"], session_id=session.pk)
    page = get(as_user(client, titulaire), "/dossiers/")
    assert "Mes dossiers" in page and f"n° {mine.pk}<" in page and f"n° {other.pk}<" not in page
    assert "Non traité" in page
    page = get(as_user(client, manager), "/dossiers/")
    assert "Dossiers de Organisme de démonstration" in page
    assert f"n° {mine.pk}<" in page and f"n° {other.pk}<" in page
    due = mine.deadline_on.strftime("%d/%m/%Y")
    assert f"Répondre à la demande d'inscription au plus tard le {due}" in page  # EDO-2, with its date
    assert "Enregistrez l'entretien de positionnement et sa preuve (DOS-8)." in page
    page = get(as_user(client, people["other_manager"]), "/dossiers/")
    assert f"n° {mine.pk}<" not in page and "Aucun dossier." in page
    for nobody in ("certifier", "fc_admin", "plain", "pending"):
        get(as_user(client, people[nobody]), "/dossiers/", status=404)
    assert f"n° {mine.pk}<" in get(as_user(client, people["cdc_controller"]), "/dossiers/")


def test_the_list_filters_by_state_and_pages_by_twenty_newest_first(client, session, manager, clock):
    dossiers = [services.enrol(actor=holder(), session_id=session.pk) for _ in range(21)]
    positioned(dossiers[0], manager)
    services.validate_dossier(dossiers[0].pk, manager)
    as_user(client, manager)
    page = get(client, "/dossiers/")
    assert page.count('href="/dossiers/') - page.count('href="/dossiers/conditions/') >= 20
    assert f"n° {dossiers[-1].pk}<" in page and f"n° {dossiers[0].pk}<" not in page  # newest first
    assert "1 / 2" in page
    assert f"n° {dossiers[0].pk}<" in get(client, "/dossiers/?page=2")
    page = get(client, "/dossiers/?etat=validated")
    assert f"n° {dossiers[0].pk}<" in page and f"n° {dossiers[1].pk}<" not in page
    assert "Accepter ou refuser la proposition" not in page  # the holder's deadline is not the organisation's


def test_the_header_links_to_the_dossiers(client, titulaire, manager, people):
    assert "Mes dossiers" in get(as_user(client, titulaire), "/formations/")
    assert "Mes dossiers" in get(as_user(client, manager), "/formations/")
    assert 'href="/dossiers/"' not in get(as_user(client, people["certifier"]), "/formations/")
    client.logout()
    assert 'href="/dossiers/"' not in get(client, "/formations/")


# -- the dossier's page --------------------------------------------------------------------------
def test_the_organisation_reads_the_dossier(client, dossier, manager, titulaire):
    page = get(as_user(client, manager), f"/dossiers/{dossier.pk}/")
    assert f"Dossier n° {dossier.pk} — Auxiliaire spécialisé vétérinaire" in page
    assert "Non traité" in page and "À faire" in page
    assert "Martin" in page and "né·e le 01/01/1990 à Lyon" in page and titulaire.email in page  # the holder
    assert "Certification partielle - 2/4 blocs de compétences préparés" in page
    assert "RNCP40344BC01" in page and "RNCP40344BC02" in page
    assert "1000,00 €" in page and "1200,00 €" in page  # HT, TTC
    assert "Prix de l'action : 1000.00 € HT" in page  # the price detail
    assert "Demande d'inscription" in page  # the log
    for action in ("Modifier le dossier", "Valider le dossier", "Refuser la demande", "Entretien de positionnement"):
        assert action in page
    assert "Accepter<" not in page


def test_the_holder_reads_their_dossier_without_the_organisation_actions(client, dossier, titulaire):
    page = get(as_user(client, titulaire), f"/dossiers/{dossier.pk}/")
    assert "Non traité" in page and "Modifier le dossier" not in page and "Refuser la demande" not in page
    assert "nom de naissance" not in page  # their own identity is not repeated


def test_other_people_get_404_and_wrong_sides_403(client, dossier, titulaire, manager, people):
    for someone in ("other_manager", "holder", "certifier", "plain"):
        as_user(client, people[someone])
        get(client, f"/dossiers/{dossier.pk}/", status=404)
        get(client, f"/dossiers/{dossier.pk}/modifier/", status=404)
        assert (
            post(client, f"/dossiers/{dossier.pk}/refuser-demande/", {"refuse_request-reason": "x"}).status_code == 404
        )
        get(client, f"/dossiers/{dossier.pk}/proposition.pdf", status=404)
    as_user(client, titulaire)
    get(client, f"/dossiers/{dossier.pk}/modifier/", status=403)
    get(client, f"/dossiers/{dossier.pk}/valider/", status=403)
    assert post(client, f"/dossiers/{dossier.pk}/refuser-demande/", {"refuse_request-reason": "x"}).status_code == 403
    as_user(client, manager)
    get(client, f"/dossiers/{dossier.pk}/accepter/", status=403)
    assert post(client, f"/dossiers/{dossier.pk}/refuser/").status_code == 403
    assert post(client, f"/dossiers/{dossier.pk}/controle/", {"open_control-reason": "x"}).status_code == 403
    client.logout()
    assert client.get(f"/dossiers/{dossier.pk}/").status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.NOT_PROCESSED


# -- « Modifier le dossier », « Valider le dossier » (DOS-2 to DOS-6, DOS-8) -----------------------------
def test_the_organisation_personalises_the_proposal(client, dossier, manager):
    as_user(client, manager)
    page = get(client, f"/dossiers/{dossier.pk}/modifier/")
    assert 'name="blocks"' in page and 'value="RNCP40344BC04"' in page  # personalisable: all four offered
    starts = dossier.session_starts_on + datetime.timedelta(days=7)
    response = post(
        client,
        f"/dossiers/{dossier.pk}/modifier/",
        proposal_post(
            dossier,
            content="Contenu individualisé",
            price_excl_vat="900",
            session_starts_on=starts.isoformat(),
            session_ends_on=(starts + datetime.timedelta(days=3)).isoformat(),
        ),
    )
    assert response.status_code == 302 and response["Location"] == f"/dossiers/{dossier.pk}/"
    dossier.refresh_from_db()
    assert (dossier.content, dossier.price_excl_vat, dossier.price_incl_vat) == (
        "Contenu individualisé",
        Decimal(900),
        Decimal("1080.00"),
    )
    assert dossier.session_starts_on == starts and dossier.block_codes() == ["RNCP40344BC01", "RNCP40344BC02"]
    # A bad value shows on its field, with its rule.
    response = post(client, f"/dossiers/{dossier.pk}/modifier/", proposal_post(dossier, price_excl_vat="-5"))
    assert response.status_code == 200
    assert 'id="id_price_excl_vat-error">Le prix HT doit être un nombre positif ou nul. (règle DOS-2)' in text(response)
    # A stale version is refused (someone else changed it).
    response = post(client, f"/dossiers/{dossier.pk}/modifier/", proposal_post(dossier, version="1"))
    assert "Le dossier a été modifié entre-temps par quelqu'un d'autre : rechargez la page. (règle DOS-5)" in text(
        response
    )


def test_rule_dos_3_blocks_of_a_non_personalisable_offer_cannot_change(client, make_session, titulaire, manager, clock):
    dossier = services.enrol(actor=titulaire, session_id=make_session(customisable=False).pk)
    as_user(client, manager)
    page = get(client, f"/dossiers/{dossier.pk}/modifier/")
    assert 'name="blocks"' not in page and "L'offre n'est pas personnalisable" in page
    response = post(
        client,
        f"/dossiers/{dossier.pk}/modifier/",
        proposal_post(dossier, blocks_sent="1", blocks=["RNCP40344BC01"]),
    )
    assert response.status_code == 200
    assert (
        "La liste des blocs de compétences de ce dossier ne peut pas être modifiée : l'offre n'est pas "
        "personnalisable. (règle DOS-3)" in text(response)
    )
    assert Dossier.objects.get(pk=dossier.pk).block_codes() == ["RNCP40344BC01", "RNCP40344BC02"]


def test_rule_dos_3_the_block_list_never_empties(client, dossier, manager):
    as_user(client, manager)
    data = proposal_post(dossier)
    del data["blocks"]  # every box unticked
    response = post(client, f"/dossiers/{dossier.pk}/modifier/", data)
    assert response.status_code == 200
    assert (
        'id="id_blocks-error">Un dossier de formation doit préparer au moins un bloc de compétences de la '
        "certification. (règle DOS-3)" in text(response)
    )
    assert Dossier.objects.get(pk=dossier.pk).block_codes() == ["RNCP40344BC01", "RNCP40344BC02"]


def test_rule_dos_5_a_validated_dossier_cannot_be_modified(client, session, titulaire, manager, clock):
    dossier = validated(session, titulaire, manager)
    as_user(client, manager)
    page = get(client, f"/dossiers/{dossier.pk}/")
    assert (
        f'href="/dossiers/{dossier.pk}/modifier/"' not in page and f'href="/dossiers/{dossier.pk}/valider/"' not in page
    )
    response = client.get(f"/dossiers/{dossier.pk}/modifier/", follow=True)
    assert "Ce dossier est déjà validé : il ne peut plus être modifié ni validé à nouveau." in text(response)
    response = post(client, f"/dossiers/{dossier.pk}/modifier/", proposal_post(dossier, content="Autre."))
    assert response.status_code == 200
    assert "Un dossier validé ne peut plus être modifié : annulez-le puis faites-en un nouveau (DOS-5)." in text(
        response
    )
    assert Dossier.objects.get(pk=dossier.pk).content == "Accueil, conseil, vente."
    response = post(client, f"/dossiers/{dossier.pk}/valider/", {"version": dossier.version})
    assert "Ce dossier est déjà validé" in text(response) and "(règle DOS-5)" in text(response)


def test_rule_dos_4_validation_waits_until_the_proposal_is_adapted(client, dossier, manager, mailoutbox, clock):
    as_user(client, manager)
    # DOS-8 through the page: the positioning interview and its proof.
    proof = io.BytesIO(PDF)
    proof.name = "entretien.pdf"
    response = post(
        client,
        f"/dossiers/{dossier.pk}/positionnement/",
        {"positioning-held_on": clock.today().isoformat(), "positioning-proof": proof},
    )
    assert response.status_code == 302
    page = get(client, f"/dossiers/{dossier.pk}/")
    assert "Entretien du 22/11/2026" in page and "entretien.pdf" in page
    proof_response = client.get(f"/dossiers/{dossier.pk}/positionnement/preuve/")
    assert b"".join(proof_response.streaming_content) == PDF

    # One block removed: the page lists what is still the offer's, and validation is refused.
    response = post(client, f"/dossiers/{dossier.pk}/modifier/", proposal_post(dossier, blocks=["RNCP40344BC01"]))
    assert response["Location"] == f"/dossiers/{dossier.pk}/modifier/"
    page = get(client, response["Location"])
    assert "La liste des blocs a changé : adaptez la proposition au nouveau périmètre (DOS-4)" in page
    for name in ("l'intitulé", "les objectifs pédagogiques", "le contenu", "la durée totale"):
        assert f"<li>{name}</li>" in page
    assert "Je confirme maintenir la durée totale pour le nouveau périmètre" in page
    dossier.refresh_from_db()
    page = get(client, f"/dossiers/{dossier.pk}/valider/")
    assert "Avant de valider" in page and "adaptez l'intitulé au nouveau périmètre" in page
    response = post(client, f"/dossiers/{dossier.pk}/valider/", {"version": dossier.version})
    assert response.status_code == 200
    assert (
        "La liste des blocs a changé : adaptez l'intitulé au nouveau périmètre, il est encore identique à celui de "
        "l'offre. (règle DOS-4)" in text(response)
    )
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.NOT_PROCESSED

    # The texts adapted, the price changed, the duration confirmed: validation goes through.
    response = post(
        client,
        f"/dossiers/{dossier.pk}/modifier/",
        proposal_post(dossier, price_excl_vat="600", confirm_unchanged=["duration"], **ADAPTED),
    )
    assert response["Location"] == f"/dossiers/{dossier.pk}/", text(client.get(f"/dossiers/{dossier.pk}/modifier/"))
    dossier.refresh_from_db()
    assert set(dossier.unchanged_confirmations) == {"duration"}
    page = get(client, f"/dossiers/{dossier.pk}/valider/")
    assert "Avant de valider" not in page
    assert "Auxiliaire vétérinaire — bloc 1<br>Blocs de compétences :" in page
    response = post(client, f"/dossiers/{dossier.pk}/valider/", {"version": dossier.version})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.VALIDATED and dossier.block_codes() == ["RNCP40344BC01"]
    assert "Dossier validé : la proposition est envoyée au titulaire" in get(client, f"/dossiers/{dossier.pk}/")


def test_the_organisation_refuses_the_request(client, dossier, manager):
    as_user(client, manager)
    response = post(client, f"/dossiers/{dossier.pk}/refuser-demande/", {"refuse_request-reason": " "})
    assert response.status_code == 200
    assert 'id="id_refuse_request-reason-error">Indiquez le motif. (règle EDO-1)' in text(response)
    response = post(client, f"/dossiers/{dossier.pk}/refuser-demande/", {"refuse_request-reason": "Complet."})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.REFUSED_BY_ORGANISATION and dossier.closing_reason == "Complet."


# -- the holder's answer (EDO-1) -------------------------------------------------------------------
def test_the_holder_accepts_paying_what_the_balance_lacks(client, make_session, titulaire, manager, clock):
    dossier = validated(make_session(price="1500"), titulaire, manager)  # 1 800 € TTC for a 1 500 € balance
    as_user(client, titulaire)
    page = get(client, f"/dossiers/{dossier.pk}/")
    assert "Accepter" in page and "Accepter ou refuser la proposition au plus tard le" in page
    page = words(client.get(f"/dossiers/{dossier.pk}/accepter/"))
    assert "Votre solde CPF : 1500,00 €" in page and "Il manque 300,00 €" in page and "Je paie le reste" in page
    response = post(client, f"/dossiers/{dossier.pk}/accepter/", {"version": dossier.version})
    assert response.status_code == 200
    assert "il manque 300.00 €" in text(response) and "(règle EDO-1)" in text(response)
    response = post(client, f"/dossiers/{dossier.pk}/accepter/", {"version": dossier.version, "pay_remainder": "on"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.ACCEPTED and dossier.holder_amount == Decimal("300.00")
    page = words(client.get(f"/dossiers/{dossier.pk}/"))
    assert "Débit" in page and "1500,00 €" in page and "Reste à charge payé par le titulaire : 300,00 €" in page


def test_the_holder_refuses_the_proposal(client, session, titulaire, manager, clock):
    dossier = validated(session, titulaire, manager)
    response = post(
        as_user(client, titulaire), f"/dossiers/{dossier.pk}/refuser/", {"refuse_proposal-reason": "Trop loin."}
    )
    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.REFUSED_BY_HOLDER


def test_the_holder_sees_the_fee_before_cancelling(client, session, titulaire, manager, clock):
    dossier = accepted(session, titulaire, manager)
    clock.set(dossier.session_starts_on - datetime.timedelta(days=14))  # 50 % between 15 and 7 days (COM-2)
    as_user(client, titulaire)
    page = get(client, f"/dossiers/{dossier.pk}/annuler/")
    assert "Frais d'annulation : 500,00 €" in page and "frais de 50 % du prix HT, soit 500.00 € (COM-2)" in page
    assert "plus de 15 jours, sans frais" in page
    assert 'name="confirmed_fee" value="500.00"' in page
    response = post(client, f"/dossiers/{dossier.pk}/annuler/", {"confirmed_fee": "0"})
    assert "Les frais d'annulation s'élèvent à 500.00 €" in text(response)
    response = post(client, f"/dossiers/{dossier.pk}/annuler/", {"confirmed_fee": "500.00"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.CANCELLED_BY_HOLDER and dossier.cancellation_fee == Decimal(500)


def test_rule_dos_5_the_organisation_cancels_then_makes_a_new_dossier(client, session, titulaire, manager, clock):
    dossier = validated(session, titulaire, manager)
    as_user(client, manager)
    page = get(client, f"/dossiers/{dossier.pk}/annuler/")
    assert "Frais d'annulation : 0 €" in page and "Aucun frais d'annulation." in page
    response = post(client, f"/dossiers/{dossier.pk}/annuler/", {"confirmed_fee": "0", "reason": ""})
    assert 'id="id_reason-error">Indiquez le motif. (règle EDO-1)' in text(response)
    response = post(client, f"/dossiers/{dossier.pk}/annuler/", {"confirmed_fee": "0", "reason": "Dates à corriger."})
    assert response.status_code == 302
    page = get(client, f"/dossiers/{dossier.pk}/")
    assert "Annulé par l'organisme" in page and "Refaire le dossier" in page
    response = post(client, f"/dossiers/{dossier.pk}/refaire/")
    new = Dossier.objects.get(replaces=dossier)
    assert response["Location"] == f"/dossiers/{new.pk}/" and new.state == DossierState.NOT_PROCESSED
    assert f'refait le <a href="/dossiers/{dossier.pk}/">dossier n° {dossier.pk}</a>' in get(
        client, response["Location"]
    )
    assert "Refaire le dossier" not in get(client, f"/dossiers/{dossier.pk}/")
    response = post(client, f"/dossiers/{dossier.pk}/refaire/", follow=True)
    assert "Ce dossier a déjà été refait. (règle DOS-5)" in text(response)


# -- training, evaluations, attestations, billing (EDO-1, EDO-3, DOS-7, REG-9, COM-6) ---------------------
def test_the_training_through_the_pages(client, session, titulaire, manager, people, clock):
    dossier = accepted(session, titulaire, manager)
    as_user(client, manager)
    page = get(client, f"/dossiers/{dossier.pk}/")
    assert "Blocs sans inscription à l'évaluation (DOS-7) : RNCP40344BC01, RNCP40344BC02." in page
    assert "Inscrire à l'évaluation" in page and "Saisir le résultat" not in page
    # Entry: refused in the withdrawal period (EDO-2), on its field.
    response = post(client, f"/dossiers/{dossier.pk}/entree/", {"declare_entry-entered_on": clock.today().isoformat()})
    assert response.status_code == 200 and 'id="id_declare_entry-entered_on-error">' in text(response)
    assert "(règle EDO-2)" in text(response) and "L'action n'a pas abouti" in text(response)
    # DOS-7: registration for each block's evaluation.
    for code in ("RNCP40344BC01", "RNCP40344BC02"):
        response = post(
            client,
            f"/dossiers/{dossier.pk}/evaluations/{code}/inscription/",
            {
                f"register_evaluation-{code}-scheduled_on": session.ends_on.isoformat(),
                f"register_evaluation-{code}-place": "Lyon",
                f"register_evaluation-{code}-organiser": "Jury ASV",
            },
        )
        assert response.status_code == 302
    response = post(
        client,
        f"/dossiers/{dossier.pk}/evaluations/RNCP40344BC04/inscription/",
        {
            "register_evaluation-RNCP40344BC04-scheduled_on": session.ends_on.isoformat(),
            "register_evaluation-RNCP40344BC04-place": "x",
            "register_evaluation-RNCP40344BC04-organiser": "y",
        },
    )
    assert "Le bloc RNCP40344BC04 ne fait pas partie de la commande de ce dossier. (règle DOS-7)" in text(response)
    response = post(
        client,
        f"/dossiers/{dossier.pk}/evaluations/finale/inscription/",
        {
            "register_evaluation-finale-scheduled_on": session.ends_on.isoformat(),
            "register_evaluation-finale-place": "x",
            "register_evaluation-finale-organiser": "y",
        },
    )
    assert "n'exige pas d'évaluation finale" in text(response)

    clock.set(session.starts_on)
    as_user(client, manager)
    response = post(
        client, f"/dossiers/{dossier.pk}/entree/", {"declare_entry-entered_on": session.starts_on.isoformat()}
    )
    assert response.status_code == 302
    clock.set(session.ends_on)
    as_user(client, manager)
    response = post(client, f"/dossiers/{dossier.pk}/sortie/", {"declare_exit-exited_on": session.ends_on.isoformat()})
    assert 'id="id_declare_exit-exit_reason-error">Choisissez le motif de sortie de formation. (règle EDO-3)' in text(
        response
    )
    response = post(
        client,
        f"/dossiers/{dossier.pk}/sortie/",
        {"declare_exit-exited_on": session.ends_on.isoformat(), "declare_exit-exit_reason": "8"},
    )
    assert response.status_code == 302
    page = get(client, f"/dossiers/{dossier.pk}/")
    assert "Sortie de formation" in page and "Fin prévue de l'action de formation" in page
    assert "Attestation de formation" in page
    # Results: one passed (its attestation), one failed.
    response = post(
        client,
        f"/dossiers/{dossier.pk}/evaluations/RNCP40344BC01/resultat/",
        {
            "record_result-RNCP40344BC01-passed": "1",
            "record_result-RNCP40344BC01-result_on": session.ends_on.isoformat(),
        },
    )
    assert response.status_code == 302
    response = post(
        client,
        f"/dossiers/{dossier.pk}/evaluations/RNCP40344BC02/resultat/",
        {
            "record_result-RNCP40344BC02-passed": "0",
            "record_result-RNCP40344BC02-result_on": session.ends_on.isoformat(),
        },
    )
    assert response.status_code == 302
    page = get(client, f"/dossiers/{dossier.pk}/")
    assert "Attestation de réussite du bloc de compétences RNCP40344BC01" in page
    assert "Non réussi" in page and 'Inscrire à l\'évaluation<span class="fr-sr-only"> du bloc RNCP40344BC02' in page
    attestation = dossier.attestations.get(kind=AttestationKind.BLOCK)
    response = client.get(f"/dossiers/{dossier.pk}/attestations/{attestation.pk}.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="attestation-block-')
    assert "RNCP40344BC01" in pdf_text(response.content)
    # Service fait (EDO-1), then the holder's attendance attestation (COM-6).
    response = post(client, f"/dossiers/{dossier.pk}/service-fait/", {"declare_service_done-completion_rate": "120"})
    assert "Le taux de réalisation est un pourcentage entre 0 et 100. (règle EDO-1)" in text(response)
    response = post(
        client,
        f"/dossiers/{dossier.pk}/service-fait/",
        {"declare_service_done-completion_rate": "90", "declare_service_done-absence_hours": "3.5"},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.state, dossier.completion_rate) == (DossierState.SERVICE_DECLARED, Decimal(90))
    as_user(client, titulaire)
    assert post(client, f"/dossiers/{dossier.pk}/attestation-presence/").status_code == 302
    assert dossier.attestations.filter(kind=AttestationKind.ATTENDANCE).exists()
    other = dossier.attestations.get(kind=AttestationKind.ATTENDANCE)
    get(as_user(client, people["holder"]), f"/dossiers/{dossier.pk}/attestations/{other.pk}.pdf", status=404)


def test_control_validation_and_billing(client, session, titulaire, manager, people, clock):
    dossier = in_training(session, titulaire, manager, clock)
    clock.set(session.ends_on)
    training.declare_exit(dossier.pk, manager, exited_on=session.ends_on, reason="8")
    training.declare_service_done(dossier.pk, manager, completion_rate=Decimal(50), absence_hours=Decimal(0))
    controller = people["cdc_controller"]
    as_user(client, controller)
    page = get(client, f"/dossiers/{dossier.pk}/")
    assert "Valider le service fait" in page and "Ouvrir un contrôle" in page and "Solde après" in page
    response = post(client, f"/dossiers/{dossier.pk}/controle/", {"open_control-reason": ""})
    assert 'id="id_open_control-reason-error">Indiquez le motif. (règle EDO-1)' in text(response)
    assert (
        post(client, f"/dossiers/{dossier.pk}/controle/", {"open_control-reason": "Pièces à vérifier."}).status_code
        == 302
    )
    page = get(client, f"/dossiers/{dossier.pk}/")
    assert "Contrôle de la Caisse des dépôts ouvert le" in page and "Clore le contrôle" in page
    assert post(client, f"/dossiers/{dossier.pk}/controle/clore/").status_code == 302
    assert post(client, f"/dossiers/{dossier.pk}/service-fait/valider/").status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.SERVICE_VALIDATED
    as_user(client, manager)
    assert post(client, f"/dossiers/{dossier.pk}/service-fait/valider/").status_code == 403
    assert post(client, f"/dossiers/{dossier.pk}/a-facturer/").status_code == 302
    page = get(client, f"/dossiers/{dossier.pk}/")
    assert "Sans montant indiqué : 600,00 € TTC" in page  # 50 % of 1 200 €
    response = post(client, f"/dossiers/{dossier.pk}/facturer/", {"bill-invoice_number": ""})
    assert 'id="id_bill-invoice_number-error">Indiquez le numéro de la facture. (règle EDO-1)' in text(response)
    assert post(client, f"/dossiers/{dossier.pk}/facturer/", {"bill-invoice_number": "F-2027-001"}).status_code == 302
    dossier.refresh_from_db()
    assert (dossier.state, dossier.billed_amount) == (DossierState.BILLED, Decimal("600.00"))
    assert post(as_user(client, controller), f"/dossiers/{dossier.pk}/paiement/").status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.PAID
    # A step out of order is refused with the rule, as a message.
    response = post(as_user(client, manager), f"/dossiers/{dossier.pk}/a-facturer/", follow=True)
    assert "Impossible de passer le dossier à facturer : le dossier est « Payé ». (règle EDO-1)" in text(response)


def test_the_proposal_pdf_is_served_inline_to_who_may_see_the_dossier(client, dossier, titulaire, manager):
    for user in (titulaire, manager):
        response = as_user(client, user).get(f"/dossiers/{dossier.pk}/proposition.pdf")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'inline; filename="proposition-dossier-{dossier.pk}.pdf"'
        assert response.content.startswith(b"%PDF")


# -- commercial terms (COM-1, COM-2) ----------------------------------------------------------------
def test_the_organisation_manages_its_commercial_terms(client, organisation, member, titulaire, people):
    as_user(client, member)
    page = get(client, "/dossiers/conditions/")
    assert "Conditions commerciales" in page and 'value="15"' in page  # the CGV's defaults
    data = {
        "vat_rate": "20",
        "day_price_excl_vat": "800",
        "half_day_price_excl_vat": "400",
        "coaching_day_price_excl_vat": "",
        "certification_fee_excl_vat": "150",
        "hours_per_day": "7",
        "late_payment_multiplier": "1.5",
        "free_above_days": "5",
        "full_below_days": "7",
        "partial_rate": "50",
        "day_kind": "business",
    }
    response = post(client, "/dossiers/conditions/", data)
    assert response.status_code == 200
    assert 'id="id_full_below_days-error">Le seuil des frais de 100 % doit être positif' in text(response)
    assert not CommercialTerms.objects.exists()
    assert post(client, "/dossiers/conditions/", data | {"free_above_days": "15"}).status_code == 302
    terms = CommercialTerms.objects.get(organisation=organisation)
    assert (terms.day_price_excl_vat, terms.certification_fee_excl_vat) == (Decimal(800), Decimal(150))
    response = post(
        client,
        "/dossiers/conditions/modules/",
        {"module-label": "Module 2 jours", "module-days": "2", "module-price_excl_vat": "1500"},
    )
    assert response.status_code == 302
    response = post(
        client,
        "/dossiers/conditions/modules/",
        {"module-label": "Module 2 jours", "module-days": "1", "module-price_excl_vat": "800"},
    )
    assert "Le module « Module 2 jours » a déjà un prix. (règle COM-1)" in text(response)
    module = ModulePrice.objects.get()
    assert "Module 2 jours" in get(client, "/dossiers/conditions/")
    other = as_user(client, people["other_manager"])
    assert post(other, f"/dossiers/conditions/modules/{module.pk}/supprimer/").status_code == 404
    assert post(as_user(client, member), f"/dossiers/conditions/modules/{module.pk}/supprimer/").status_code == 302
    assert not ModulePrice.objects.exists()
    for someone in (titulaire, people["certifier"], people["cdc_controller"]):
        get(as_user(client, someone), "/dossiers/conditions/", status=404)


def test_rule_reg_8_the_final_evaluation_when_the_certifier_requires_one(client, session, titulaire, manager, clock):
    dossier = accepted(session, titulaire, manager)
    Dossier.objects.filter(pk=dossier.pk).update(final_evaluation_required=True)  # as the certification says
    as_user(client, manager)
    page = get(client, f"/dossiers/{dossier.pk}/")
    assert "Évaluation finale" in page and f'action="/dossiers/{dossier.pk}/evaluations/finale/inscription/"' in page
    response = post(
        client,
        f"/dossiers/{dossier.pk}/evaluations/finale/inscription/",
        {
            "register_evaluation-finale-scheduled_on": session.ends_on.isoformat(),
            "register_evaluation-finale-place": "Lyon",
            "register_evaluation-finale-organiser": "Jury",
        },
    )
    assert response.status_code == 302
    final = dossier.evaluations.get()
    assert final.is_final and final.place == "Lyon"


def test_rule_dos_8_a_proof_that_is_not_a_document_is_refused_on_its_field(client, dossier, manager, clock):
    proof = io.BytesIO(b"MZ\x90\x00 not a document")
    proof.name = "entretien.pdf"
    response = post(
        as_user(client, manager),
        f"/dossiers/{dossier.pk}/positionnement/",
        {"positioning-held_on": clock.today().isoformat(), "positioning-proof": proof},
    )
    assert response.status_code == 200
    assert 'id="id_positioning-proof-error">' in text(response) and "(règle DOS-8)" in text(response)
    assert not hasattr(Dossier.objects.get(pk=dossier.pk), "positioning")
