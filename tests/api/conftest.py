"""Fixtures of the read API's tests: personal tokens and a client that sends them."""

import json

import pytest
from django.test import Client

from measures import services


class ApiClient:
    """A test client for the API: `get(path, token=…, **params)` sends the token as a Bearer header
    (none for anonymous requests) and returns the response, with `.data` its JSON when it has some."""

    def __init__(self, client):
        self.client = client

    def request(self, method, path, *, token=None, headers=None, **params):
        extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        extra.update(headers or {})
        response = getattr(self.client, method)(path, params or None, **extra)
        content_type = response.get("Content-Type", "")
        if "json" in content_type and response.content:
            response.data = json.loads(response.content)
        return response

    def get(self, path, **kwargs):
        return self.request("get", path, **kwargs)


@pytest.fixture
def api():
    return ApiClient(Client())


@pytest.fixture
def reader_token(reader_user):
    return services.create_api_token(user=reader_user, name="reader's script")[1]


@pytest.fixture
def analyst_token(analyst_user):
    return services.create_api_token(user=analyst_user, name="analyst's script")[1]
