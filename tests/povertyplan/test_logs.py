"""Structured logs (issue 13): with LOG_FORMAT=json one JSON object per line per record, with the
request's id, user and unit (or the Celery task's id and name); one line per request, without
the query string; the default stays plain text."""

import io
import json
import logging

import pytest

from households.models import Role
from povertyplan import celery_app
from povertyplan.logs import ContextFilter, JsonFormatter
from tests.factories import CommuneFactory, UserFactory
from tests.services import SERVE, run_python


@pytest.fixture
def json_lines():
    """The project's JSON handler on the root logger at INFO; yields a function reading its lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.django_db
def test_a_request_gives_one_json_line_with_its_id_user_and_unit_and_no_query(client, json_lines):
    commune = CommuneFactory()
    client.force_login(UserFactory(username="xa-thu", role=Role.COMMUNE_OFFICER, unit=commune))
    response = client.get("/households/?q=Nguyễn+Văn+An", HTTP_X_REQUEST_ID="nginx-4f2a9c")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "nginx-4f2a9c"

    (line,) = [entry for entry in json_lines() if entry["logger"] == "povertyplan.requests"]
    assert line["request_id"] == "nginx-4f2a9c"
    assert line["user"] == "xa-thu" and line["unit"] == commune.code
    assert line["method"] == "GET" and line["status"] == 200 and line["path"] == "/households/"
    assert line["duration_ms"] >= 0 and line["level"] == "INFO"
    assert "Nguyễn" not in json.dumps(line, ensure_ascii=False)  # a search term is personal data


@pytest.mark.django_db
def test_a_forged_request_id_is_replaced_and_anonymous_requests_name_no_user(client, json_lines):
    response = client.get("/healthz", HTTP_X_REQUEST_ID='x"}\n{"level": "CRITICAL')
    generated = response["X-Request-ID"]
    assert len(generated) == 32 and generated.isalnum()
    (line,) = [entry for entry in json_lines() if entry["logger"] == "povertyplan.requests"]
    assert line["request_id"] == generated and "user" not in line and "unit" not in line


def test_a_traceback_stays_on_its_one_line(json_lines):
    try:
        raise ValueError("một lỗi\ntrên hai dòng")
    except ValueError:
        logging.getLogger("povertyplan.test").exception("hỏng")
    (line,) = json_lines()
    assert line["message"] == "hỏng" and "ValueError: một lỗi" in line["exception"]
    assert "request_id" not in line


def test_a_celery_task_s_records_carry_its_id_and_name(json_lines):
    @celery_app.task(name="tests.logs.say")
    def say():
        logging.getLogger("povertyplan.test").warning("từ tác vụ")

    say.apply(task_id="task-1234")
    (line,) = [entry for entry in json_lines() if entry["message"] == "từ tác vụ"]
    assert line["task_id"] == "task-1234" and line["task_name"] == "tests.logs.say"


def test_log_format_json_makes_every_line_json_and_plain_is_the_default():
    code = SERVE + "; import logging; logging.getLogger('povertyplan.x').warning('xin chào')"
    line = run_python(code, DEBUG="true", LOG_FORMAT="json").stderr.strip()
    entry = json.loads(line)
    assert entry["message"] == "xin chào" and entry["level"] == "WARNING" and entry["logger"] == "povertyplan.x"
    assert run_python(code, DEBUG="true").stderr.strip() == "xin chào"


def test_an_unknown_log_format_stops_the_portal():
    result = run_python(SERVE, DEBUG="true", LOG_FORMAT="xml")
    assert result.returncode != 0 and "LOG_FORMAT must be plain or json" in result.stderr
