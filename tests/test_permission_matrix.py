"""Every role against every page and endpoint: who may, who may not (404 for others' data).

Each request runs in a savepoint rolled back afterwards, so that one role's POST does not
change what the next role sees.
"""

import pytest
from django.db import transaction

from parcours.accounts.models import ApiToken, EntityDocument
from parcours.accounts.services import create_api_token
from parcours.catalogue.models import Action, Offer, OfferBlock, Session
from parcours.dossiers.models import Dossier, DossierBlock
from parcours.registry.models import Accreditation, AccreditationSource, Certification

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "plain",
    "pending",
    "training_organisation",
    "training_organisation_manager",
    "other_manager",
    "certifier",
    "certifier_manager",
    "fc_instructor",
    "fc_admin",
    "cdc_controller",
    "holder",
    "platform_admin",
]
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
STAFF = {"fc_instructor", "fc_admin", "cdc_controller", "platform_admin"}
TRAINERS = {"training_organisation", "training_organisation_manager"}
DOSSIER_VIEWERS = TRAINERS | {"holder", "cdc_controller", "platform_admin"}

MATRIX = [
    ("GET", "/", EVERYONE),
    ("GET", "/certifications/", EVERYONE),
    ("GET", "/certifications/RNCP40344/", EVERYONE),
    ("GET", "/api/v1/certifications", EVERYONE),
    ("GET", "/api/v1/certifications/RNCP40344", EVERYONE),
    ("GET", "/api/v1/docs", EVERYONE),
    ("GET", "/espace/", SIGNED_IN),
    ("GET", "/espace/validations/", {"platform_admin"}),
    ("POST", "/espace/validations/{pending_membership}/decision/", {"training_organisation_manager", "platform_admin"}),
    (
        "GET",
        "/espace/entite/",
        {"training_organisation", "training_organisation_manager", "other_manager", "certifier", "certifier_manager"},
    ),
    (
        "GET",
        "/espace/entite/documents/{document}/",
        {"pending", "training_organisation", "training_organisation_manager"} | STAFF,
    ),
    ("POST", "/espace/entite/jetons/", {"training_organisation_manager", "other_manager", "certifier_manager"}),
    ("POST", "/espace/entite/jetons/{token}/revoquer/", {"training_organisation_manager"}),
    ("GET", "/espace/entite/partenaires/", {"certifier", "certifier_manager"}),
    ("POST", "/espace/entite/partenaires/{accreditation}/fin/", {"certifier", "certifier_manager"}),
    ("GET", "/espace/titulaire/", {"holder"}),
    ("GET", "/admin/", {"platform_admin"}),
    ("GET", "/admin/registry/registryimport/importer/", {"platform_admin"}),
    ("GET", "/admin/accounts/entity/", {"platform_admin"}),
    ("GET", "/catalogue/", TRAINERS | {"other_manager"}),
    ("GET", "/catalogue/nouvelle/", TRAINERS | {"other_manager"}),
    ("GET", "/catalogue/certification/?offer_type=certifying&registry=rncp&digits=40344", TRAINERS | {"other_manager"}),
    ("GET", "/catalogue/identifiant/?internal_id=X", TRAINERS | {"other_manager"}),
    ("GET", "/formations/", EVERYONE),
    ("GET", "/formations/?q=veterinaire&perimeter=partial", EVERYONE),
    ("GET", "/api/v1/offers?q=veterinaire", EVERYONE),
    ("GET", "/formations/?city=Lyon&radius_km=30&sort=price", EVERYONE),
    ("GET", "/api/v1/offers?city=Lyon&radius_km=30&sort=start", EVERYONE),
    ("GET", "/sante/", EVERYONE),
    ("GET", "/formations/villes/?city=lyo", EVERYONE),
    ("GET", "/formations/{offer}/", set()),  # a draft is public to nobody, its owner included
    ("GET", "/api/v1/offers/{offer}", set()),
    ("GET", "/catalogue/import/", TRAINERS | {"other_manager"}),
    ("GET", "/catalogue/export/?format=edof", TRAINERS | {"other_manager"}),
    ("GET", "/catalogue/{offer}/", TRAINERS),
    ("GET", "/catalogue/{offer}/modifier/", TRAINERS),
    ("GET", "/catalogue/{offer}/blocs/", TRAINERS),
    ("POST", "/catalogue/{offer}/archive/", TRAINERS),
    ("GET", "/catalogue/{offer}/actions/nouvelle/", TRAINERS),
    ("GET", "/catalogue/actions/{action}/", TRAINERS),
    ("POST", "/catalogue/actions/{action}/supprimer/", TRAINERS),
    ("GET", "/catalogue/actions/{action}/sessions/nouvelle/", TRAINERS),
    ("GET", "/catalogue/sessions/{session}/", TRAINERS),
    ("POST", "/catalogue/sessions/{session}/supprimer/", TRAINERS),
    ("GET", "/dossiers/", DOSSIER_VIEWERS | {"other_manager"}),  # another organisation: its own, empty list
    ("GET", "/dossiers/{dossier}/", DOSSIER_VIEWERS),
    ("GET", "/dossiers/{dossier}/proposition.pdf", DOSSIER_VIEWERS),
    ("GET", "/dossiers/{dossier}/modifier/", TRAINERS),
    ("GET", "/dossiers/{dossier}/valider/", TRAINERS),
    ("GET", "/dossiers/{dossier}/annuler/", TRAINERS | {"holder"}),
    ("GET", "/dossiers/conditions/", TRAINERS | {"other_manager"}),
    ("GET", "/api/v1/dossiers", SIGNED_IN),  # each sees only their own, their organisation's, or all (controllers)
    ("GET", "/api/v1/dossiers/{dossier}", DOSSIER_VIEWERS),
    ("GET", "/api/v1/dossiers/{dossier}/cancellation", DOSSIER_VIEWERS),
    ("GET", "/api/v1/dossiers/{dossier}/proposal.pdf", DOSSIER_VIEWERS),
    ("GET", "/api/v1/commercial-terms", TRAINERS | {"other_manager"}),
]
API_WITH_TOKEN = [
    "/api/v1/me",
    "/api/v1/habilitations/RNCP40344",
    "/api/v1/catalogue/offers",
    "/api/v1/catalogue/export?format=edof",
]


@pytest.fixture
def objects(people, xml_samples):
    from django.core.files.base import ContentFile

    organisation = people["organisation"]
    document = EntityDocument(
        entity=organisation, kind="kbis", original_name="kbis.pdf", content_type="application/pdf", size=9
    )
    document.file.save("kbis.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    token, _raw = create_api_token(organisation, "Logiciel", people["training_organisation_manager"])
    accreditation = Accreditation.objects.create(
        certification=Certification.objects.get(code="RNCP40344"),
        source=AccreditationSource.CERTIFIER,
        siret="40483304800022",
        name="Organisme X",
        kind="train",
    )
    offer = Offer.objects.create(
        organisation=organisation,
        offer_type="certifying",
        certification=Certification.objects.get(code="RNCP40344"),
        internal_id="MATRICE",
        blocks_customisable=True,
    )
    OfferBlock.objects.create(offer=offer, code="RNCP40344BC01", block=offer.certification.blocks.first())
    action = Action.objects.create(offer=offer, internal_id="A1", city="Lyon", postal_code="69002", hours_in_centre=7)
    session = Session.objects.create(action=action, internal_id="S1")
    dossier = Dossier.objects.create(
        organisation=organisation, holder=people["holder"], offer=offer, action=action, session=session, title="ASV"
    )
    DossierBlock.objects.create(dossier=dossier, code="RNCP40344BC01")
    return {
        "dossier": dossier.pk,
        "offer": offer.pk,
        "action": action.pk,
        "session": session.pk,
        "pending_membership": people["pending"].membership.pk,
        "document": document.pk,
        "token": token.pk,
        "accreditation": accreditation.pk,
    }


def allowed(response) -> bool:
    if response.status_code in (200, 201):
        return True
    if response.status_code == 302:
        target = response["Location"]
        return not any(part in target for part in ("/comptes/login/", "/comptes/2fa/", "/admin/login/"))
    return False


def denied_properly(response, role) -> bool:
    if response.request["PATH_INFO"].startswith("/api/"):  # no redirect in the API: 401, 403 or 404
        return response.status_code in ((401, 404) if role == "anonymous" else (403, 404))
    if role == "anonymous":
        login = ("/comptes/login/", "/admin/login/")
        return response.status_code == 404 or (
            response.status_code == 302 and any(part in response["Location"] for part in login)
        )
    # 403: may see the dossier but not take this action (the holder on the organisation's page)
    return response.status_code in (403, 404) or (
        response.status_code == 302 and "/admin/login/" in response["Location"]
    )


@pytest.mark.parametrize(("method", "path", "roles"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX])
def test_role_matrix(client, people, objects, method, path, roles):
    url = path.format(**objects)
    failures = []
    for role in ROLES:
        client.logout()
        if people[role] is not None:
            client.force_login(people[role])
        with transaction.atomic():
            data = {"decision": "accept", "name": "Jeton"} if method == "POST" else None
            response = client.post(url, data) if method == "POST" else client.get(url)
            # A download holds its file open. response.close() would also fire request_finished,
            # which closes the database connection: close the response's resources only.
            for closer in getattr(response, "_resource_closers", []):
                closer()
            transaction.set_rollback(True)
        if role in roles and not allowed(response):
            failures.append(f"{role} should be allowed, got {response.status_code} {response.get('Location', '')}")
        if role not in roles and (allowed(response) or not denied_properly(response, role)):
            failures.append(f"{role} should be refused, got {response.status_code} {response.get('Location', '')}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", API_WITH_TOKEN)
def test_api_needs_an_entity_token_whatever_the_session(client, people, objects, path):
    for role in ROLES:
        client.logout()
        if people[role] is not None:
            client.force_login(people[role])
        assert client.get(path).status_code == 401, role
    raw = create_api_token(people["organisation"], "x", people["training_organisation_manager"])[1]
    assert client.get(path, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    ApiToken.objects.all().delete()
