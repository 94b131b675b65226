"""Cities, distances, nomenclature filters, sort, snippets and the public API's rate limit."""

import datetime
import math

import pytest
from django.core.cache import cache
from hypothesis import given, settings
from hypothesis import strategies as st

from parcours.catalogue import services
from parcours.catalogue.models import Session
from parcours.registry.models import Certification
from parcours.search import engine, geo
from tests.search.test_visibility import public_offer  # noqa: F401 — the fixture

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 22)


def found(**filters):
    return engine.search(engine.Filters(**filters), TODAY).offer_ids


def offer_in(organisation, internal_id, *, city, postal_code, price, starts_in_days, title="Auxiliaire vétérinaire"):
    offer = services.create_offer(
        organisation,
        None,
        services.OfferInput(
            certification=Certification.objects.get(code="RNCP40344"),
            block_codes=["RNCP40344BC01"],
            blocks_customisable=False,
            values={
                "internal_id": internal_id,
                "title": title,
                "pedagogical_objectives": "Accueillir la clientèle de la clinique et préparer les soins.",
                "content": "Contenu : " + " ".join(["hygiène"] * 20) + " puis la radiologie vétérinaire au cabinet.",
                "expected_results": "Résultats.",
                "course_type": "96213",
            },
        ),
    )
    action = services.save_action(
        offer,
        None,
        {"internal_id": "A1", "postal_code": postal_code, "city": city, "hours_in_centre": 35, "price_excl_vat": price},
    )
    services.save_session(action, None, {"internal_id": "S1", "starts_on": TODAY + datetime.timedelta(starts_in_days)})
    return services.transition_offer(offer.pk, None, "validate")


@pytest.fixture
def three_cities(public_offer):  # noqa: F811 — Lyon 2e, in 10 days, price 0
    org = public_offer.organisation
    villeurbanne = offer_in(org, "V", city="Villeurbanne", postal_code="69100", price=900, starts_in_days=5)
    paris = offer_in(org, "P", city="Paris", postal_code="75011", price=500, starts_in_days=30)
    engine.rebuild()
    return public_offer, villeurbanne, paris


# -- the gazetteer --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "insee"),
    [
        ("Lyon", "69123"),
        ("lyon", "69123"),
        ("69003", "69123"),
        ("Saint-Étienne", "42218"),
        ("St Etienne", "42218"),
        ("Saint-Denis (93)", "93066"),
        ("Saint-Denis 974", "97411"),
        ("Ajaccio", "2A004"),
    ],
)
def test_a_city_is_found_by_name_postal_code_and_department(typed, insee):
    assert geo.find_city(typed).insee == insee


def test_an_action_place_resolves_corsica_and_overseas_departments():
    assert geo.place_of("Ajaccio", "20000").department == "2A"
    assert geo.department_of("97400") == "974"
    assert geo.place_of("", "69002").insee == "69123"


@settings(max_examples=200, deadline=None)
@given(
    lat=st.floats(42.0, 51.0),
    lon=st.floats(-4.5, 8.0),
    bearing=st.floats(0, 2 * math.pi),
    fraction=st.floats(0, 1),
    km=st.sampled_from(geo.RADII_KM),
)
def test_every_point_within_the_radius_lies_in_one_of_the_cells(lat, lon, bearing, fraction, km):
    distance = km * fraction * 0.999
    point_lat = lat + distance / 111.2 * math.cos(bearing)
    point_lon = lon + distance / (111.2 * math.cos(math.radians(lat))) * math.sin(bearing)
    if geo.km_between(lat, lon, point_lat, point_lon) > km:
        return  # the flat approximation overshot: not a point within the radius
    assert set(geo.cells_of(point_lat, point_lon)) & set(geo.cells_within(lat, lon, km))


# -- filters through the engine -------------------------------------------------------------------
def test_within_ten_km_of_lyon_finds_lyon_and_villeurbanne_not_paris(three_cities):
    lyon, villeurbanne, paris = three_cities
    assert sorted(found(**geo.place_filter("Lyon", 10))) == sorted([lyon.pk, villeurbanne.pk])
    assert found(**geo.place_filter("Paris", 10)) == [paris.pk]
    results = engine.search(engine.Filters(**geo.place_filter("Lyon", 10)), TODAY)
    assert results.distances[villeurbanne.pk] < 10


def test_the_city_filter_keeps_the_commune_only(three_cities):
    lyon, _villeurbanne, _paris = three_cities
    assert found(**geo.place_filter("Lyon", None)) == [lyon.pk]


def test_region_and_department_filters(three_cities):
    lyon, villeurbanne, paris = three_cities
    assert sorted(found(region="84")) == sorted([lyon.pk, villeurbanne.pk])
    assert found(department="75") == [paris.pk]
    assert engine.search(engine.Filters(), TODAY).facets["region"] == {"84": 2, "11": 1}


def test_nomenclature_filters_follow_the_certification(three_cities):
    certification = three_cities[0].certification
    formacode = certification.formacodes.first()
    rome = certification.rome_codes.first()
    assert formacode and rome  # the real fiche RNCP40344 carries both
    assert len(found(formacode=formacode.code)) == 3 and len(found(rome=rome.code)) == 3
    assert found(formacode="00000") == []


def test_sort_by_price_and_by_nearest_start(three_cities):
    lyon, villeurbanne, paris = three_cities
    assert found(sort="price") == [lyon.pk, paris.pk, villeurbanne.pk]
    assert found(sort="start") == [villeurbanne.pk, lyon.pk, paris.pk]


def test_a_passed_next_start_is_refreshed_for_the_date_sort(three_cities):
    lyon, villeurbanne, paris = three_cities
    # Indexed today: Villeurbanne starts first (in 5 days). It also has a session in 60 days.
    Session.objects.create(
        action=villeurbanne.actions.get(), internal_id="S2", starts_on=TODAY + datetime.timedelta(60)
    )
    assert found(sort="start") == [villeurbanne.pk, lyon.pk, paris.pk]
    # Six days later its first session has passed: the nightly refresh reindexes it, and only it.
    later = TODAY + datetime.timedelta(days=6)
    assert engine.refresh_next_starts(later) == 1
    ordered = engine.search(engine.Filters(sort="start"), later).offer_ids
    assert ordered == [lyon.pk, paris.pk, villeurbanne.pk]
    assert engine.refresh_next_starts(later) == 0


def test_snippets_come_from_the_content_with_the_words_highlighted(three_cities):
    _lyon, villeurbanne, paris = three_cities
    results = engine.search(engine.Filters(q="radiologie"), TODAY)
    assert sorted(results.offer_ids) == sorted([villeurbanne.pk, paris.pk])
    assert all("<b>radiologie</b>" in results.snippets[i] for i in results.offer_ids)


# -- page and API -----------------------------------------------------------------------------------
def test_the_page_filters_by_distance_and_shows_it(client, three_cities):
    response = client.get("/formations/", {"city": "Lyon", "radius_km": "10"})
    assert response.status_code == 200
    assert response.context["results"].total == 2
    assert "km" in response.content.decode()


def test_an_unknown_city_is_an_error_on_its_field(client, three_cities):
    response = client.get("/formations/", {"city": "Atlantide"})
    page = response.content.decode()
    assert "Ville inconnue : « Atlantide »" in page and response.context["results"].total == 0


def test_the_api_filters_by_distance_and_sorts(client, three_cities):
    lyon, villeurbanne, _paris = three_cities
    body = client.get("/api/v1/offers", {"city": "69001", "radius_km": 10, "sort": "price"}).json()
    assert [item["id"] for item in body["items"]] == [lyon.pk, villeurbanne.pk]
    assert body["items"][1]["distance_km"] < 10 and body["items"][1]["place"] == "Villeurbanne"
    assert body["items"][0]["next_session"] == str(TODAY + datetime.timedelta(days=10))


def test_the_api_names_the_field_of_a_bad_place(client, three_cities):
    response = client.get("/api/v1/offers", {"city": "Lyon", "radius_km": 7})
    assert response.status_code == 422
    assert response.json()["field"] == "radius_km" and "Distance non proposée" in response.json()["message"]


def test_the_public_api_is_rate_limited_per_address_in_french(client, settings, three_cities):
    settings.PARCOURS_API_RATE_LIMIT = "3/m"
    cache.clear()
    statuses = [client.get("/api/v1/offers").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get(f"/api/v1/offers/{three_cities[0].pk}")
    assert response.status_code == 429 and "Trop de requêtes" in response.json()["detail"]
    assert int(response["Retry-After"]) >= 1
    settings.PARCOURS_API_RATE_LIMIT = "0"
    assert client.get("/api/v1/offers").status_code == 200
    cache.clear()


def test_the_city_field_suggests_communes_most_populous_first(client, db):
    page = client.get("/formations/villes/", {"city": "saint-den"}).content.decode()
    assert page.index("Saint-Denis (974)") < page.index("Saint-Denis (93)")  # 155,634 > 149,077 inhabitants
    assert client.get("/formations/villes/", {"city": "l"}).content.decode().strip() == ""
    assert geo.find_city("Saint-Denis (93)").insee == "93066"  # a suggestion's label finds its commune


def test_the_page_labels_its_facets_in_french(client, three_cities):
    page = client.get("/formations/").content.decode()
    for expected in [
        "Région",
        "Auvergne-Rhône-Alpes (2)",
        "Île-de-France (1)",
        "Certification partielle (3)",
        "Niveau 4 (3)",
    ]:
        assert expected in page, expected
