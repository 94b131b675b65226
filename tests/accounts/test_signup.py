"""Sign-up of professionals and holders (ACC-1 to ACC-5, ACC-8): pages, mails, and bad input."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from parcours.accounts.enums import MembershipRole, MembershipState
from parcours.accounts.models import Entity, EntityDocument, HolderProfile, Membership, User
from tests.factories import EntityFactory, member_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%demo\n"
SIGNUP = "/comptes/signup/"


def pdf(name="kbis.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def form(**overrides):
    data = {
        "email": "camille@organisme.test",
        "first_name": "Camille",
        "last_name": "Durand",
        "password1": "un-mot-de-passe-solide-42",
        "password2": "un-mot-de-passe-solide-42",
        "siret": "12345678200002",
        "name": "Organisme Durand",
        "kind": "organisation",
        "is_training_organisation": "on",
        "nda": "11755555575",
        "qualiopi_training": "on",
        "qualiopi_valid_until": "2027-06-30",
        "legal_document_kind": "kbis",
        "legal_document": pdf(),
        "mandate": pdf("mandat.pdf"),
        "mandate_date": "2026-11-01",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def nothing_created():
    return not User.objects.exists() and not Entity.objects.exists() and not EntityDocument.objects.exists()


def test_first_account_of_a_new_entity_is_its_pending_manager(client):
    response = client.post(SIGNUP, form())
    assert response.status_code == 302
    user = User.objects.get(email="camille@organisme.test")
    membership = Membership.objects.get(user=user)
    assert membership.role == MembershipRole.MANAGER and membership.state == MembershipState.PENDING  # ACC-4
    entity = membership.entity
    assert (entity.siret, entity.nda, entity.is_training_organisation) == ("12345678200002", "11755555575", True)
    assert sorted(entity.documents.values_list("kind", flat=True)) == ["kbis", "mandate"]
    assert entity.documents.get(kind="mandate").signed_on == datetime.date(2026, 11, 1)
    # ACC-5: an activation mail in French
    assert len(mail.outbox) == 1
    assert "/comptes/confirm-email/" in mail.outbox[0].body
    assert not EmailAddress.objects.get(user=user).verified


def test_documents_are_stored_outside_public_files(client, settings):
    client.post(SIGNUP, form())
    document = EntityDocument.objects.first()
    assert str(settings.PRIVATE_MEDIA_ROOT) in document.file.path
    assert str(settings.STATIC_ROOT) not in document.file.path


def test_activation_tells_the_platform_admins(client, people, django_capture_on_commit_callbacks):
    client.post(SIGNUP, form(siret="40483304800022"))
    mail.outbox.clear()
    address = EmailAddress.objects.get(email="camille@organisme.test")
    from allauth.account.models import EmailConfirmationHMAC

    key = EmailConfirmationHMAC(address).key
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/comptes/confirm-email/{key}/")
    assert response.status_code == 302
    subjects = {m.subject: m.to for m in mail.outbox}
    assert people["platform_admin"].email in subjects["[Parcours] Un compte attend votre validation"]
    assert subjects["[Parcours] Votre adresse est confirmée"] == ["camille@organisme.test"]


def test_second_account_with_a_known_siret_joins_as_member_without_documents(client):
    entity = EntityFactory(training=True, siret="12345678200002")
    member_of(entity, role=MembershipRole.MANAGER)
    response = client.post(SIGNUP, form(legal_document=None, mandate=None, mandate_date=None, name=""))
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="camille@organisme.test")
    assert membership.entity == entity
    assert membership.role == MembershipRole.MEMBER  # ACC-4
    assert not entity.documents.exists()


def test_entity_without_siret_needs_name_and_address(client):
    response = client.post(SIGNUP, form(siret="", address=""))
    assert "Sans SIRET, indiquez le nom et l&#x27;adresse de l&#x27;entité. (règle ACC-2)" in response.content.decode()
    assert nothing_created()
    response = client.post(SIGNUP, form(siret="", address="3 rue Haute, 31000 Toulouse"))
    assert response.status_code == 302
    assert Entity.objects.get().siret is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"siret": "12345678200003"}, "sa clé de contrôle est fausse"),
        ({"siret": "123 456 782 00002"}, "sans espaces"),
        ({"mandate_date": "2026-07-01"}, "Le mandat doit dater de moins de 3 mois"),
        ({"legal_document": pdf("kbis.pdf", b"<html>faux</html>")}, "ni un PDF ni une image"),
        ({"nda": "123"}, "11 caractères"),
        ({"legal_document": None}, "Joignez la preuve de l&#x27;existence légale"),
        ({"mandate": None}, "Joignez le mandat"),
        ({"is_public_establishment": "on", "named_on_legal_document": "on", "mandate": None}, "Joignez le mandat"),
    ],
)
def test_bad_input_gets_a_french_message_and_creates_nothing(client, overrides, message):
    response = client.post(SIGNUP, form(**overrides))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "(règle ACC-" in page
    assert nothing_created()


def test_oversized_file_is_refused(client, settings):
    settings.DOCUMENT_MAX_BYTES = 100
    response = client.post(SIGNUP, form(legal_document=pdf("kbis.pdf", PDF + b"0" * 500)))
    assert "taille maximale est de 0 Mo" in response.content.decode() or "taille maximale" in response.content.decode()
    assert nothing_created()


def test_named_on_the_document_needs_no_mandate(client):
    response = client.post(SIGNUP, form(named_on_legal_document="on", mandate=None, mandate_date=None))
    assert response.status_code == 302
    assert list(EntityDocument.objects.values_list("kind", flat=True)) == ["kbis"]


def test_signing_up_again_offers_to_resend_the_activation(client):
    client.post(SIGNUP, form())
    mail.outbox.clear()
    response = client.post(SIGNUP, form(siret="73282932000074", legal_document=pdf(), mandate=pdf()))
    page = response.content.decode()
    assert "n&#x27;est pas encore activé" in page or "n'est pas encore activé" in page
    assert "/espace/activation/renvoyer/?email=camille@organisme.test" in page
    assert User.objects.count() == 1 and Entity.objects.count() == 1
    response = client.post("/espace/activation/renvoyer/", {"email": "camille@organisme.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "/comptes/confirm-email/" in mail.outbox[0].body


def test_an_activated_address_cannot_sign_up_again(client, people):
    response = client.post(SIGNUP, form(email=people["training_organisation"].email))
    assert "Un compte existe déjà avec cette adresse" in response.content.decode()


def test_holder_signs_up_alone_with_identity_fields(client):
    response = client.post(
        "/espace/inscription/titulaire/",
        {
            "email": "lea@exemple.test",
            "first_name": "Léa",
            "last_name": "Petit",
            "password1": "un-mot-de-passe-solide-42",
            "password2": "un-mot-de-passe-solide-42",
            "birth_name": "Moreau",
            "birth_date": "1992-03-04",
            "birth_place": "Nantes",
            "address": "5 quai de la Fosse, 44000 Nantes",
        },
    )
    assert response.status_code == 302
    profile = HolderProfile.objects.get(user__email="lea@exemple.test")
    assert profile.birth_name == "Moreau" and profile.cpf_balance == 0
    assert not Membership.objects.exists() and not Entity.objects.exists()
