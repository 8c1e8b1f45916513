"""What every API error answers: the status, and a JSON body `{"error": {code, message, details}}`
(docs/api.md)."""


def assert_error(response, status_code, code=None):
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert isinstance(body["error"]["details"], list)
    if code:
        assert body["error"]["code"] == code
    return body["error"]
