"""Schemathesis drives every GET operation of /api/v1 from its OpenAPI: whatever the input, no 5xx and
no response outside what the schema declares."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from config.wsgi import application
from parcours.accounts.services import create_api_token
from parcours.search import engine

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """A WSGI call ends with request_finished, which closes the database connection (and the test's
    transaction with it, on PostgreSQL): the test client avoids it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(people, xml_samples):
    engine.rebuild()
    return create_api_token(people["organisation"], "fuzz", people["training_organisation_manager"])[1]


@pytest.mark.django_db
@schema.include(method="GET").parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_get_operations_never_fail_on_the_server(case, token):
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=[not_a_server_error])
