"""An API error speaks one language from its message to its last detail: Vietnamese by default,
English when the client asks with Accept-Language: en. Before, the message was Vietnamese and
DRF's details English ("Dữ liệu gửi lên không hợp lệ." with "A valid integer is required."), and
the portal's own messages carried both languages in one string."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from tests.api.checks import assert_error
from tests.builders import csv_file, review_row

pytestmark = pytest.mark.django_db

VIETNAMESE_LETTERS = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")
# Words of an English sentence that no Vietnamese message of the API uses.
ENGLISH_SENTENCE_WORDS = (
    "the is not a an valid required must may this field value ensure than or equal refused found invalid "
    "provided allowed empty takes single whole enter select choice available of at most after such server "
    "please account read has follow links submitted expected received incorrect could satisfy was were be "
    "and for with"
)
ENGLISH_WORDS = set(ENGLISH_SENTENCE_WORDS.split())
QUOTED = re.compile(r"«[^»]*»|“[^”]*”|\"[^\"]*\"|`[^`]*`")


def vietnamese(text: str) -> bool:
    bare = QUOTED.sub("", text)
    words = {word.lower() for word in re.findall(r"\w+", bare) if word.isascii()}
    return bool(VIETNAMESE_LETTERS & set(bare.lower())) and not (words & ENGLISH_WORDS)


def english(text: str) -> bool:
    bare = QUOTED.sub("", text)
    words = {word.lower() for word in re.findall(r"\w+", bare) if word.isascii()}
    return not (VIETNAMESE_LETTERS & set(bare.lower())) and bool(words & ENGLISH_WORDS)


def messages(error: dict) -> list[str]:
    return [error["message"]] + [detail["message"] for detail in error["details"]]


BAD_READS = [
    ("/api/v1/indicators/?year=abc", 400),  # DRF's IntegerField
    ("/api/v1/indicators/?year=99999", 400),  # DRF's max_value
    ("/api/v1/indicators/?year_from=1999", 400),
    ("/api/v1/indicators/?unit=abc", 400),  # the portal's own detail
    ("/api/v1/indicators/?level=province", 400),  # DRF's ChoiceField
    ("/api/v1/indicators/?year_from=2025&year_to=2023", 400),
    ("/api/v1/indicators/?foo=1", 400),  # refused before any view (middleware)
    ("/api/v1/indicators/?unit=01&unit=271", 400),
    ("/api/v1/indicators/?unit=", 400),
    ("/api/v1/indicators/?page=99", 404),
    ("/api/v1/progress/?plan=XYZ", 400),
    ("/api/v1/units/?level=nation", 400),  # django-filter, Django's form messages
    ("/api/v1/units/?year=abc", 400),
    ("/api/v1/units/99999/", 404),
    ("/api/v1/units/00004/?structure=1999", 400),
    ("/api/v1/households/?page_size=0", 400),
    ("/api/v1/households/?cursor=garbage", 400),
    ("/api/v1/households/999999/", 404),
    ("/api/v1/nothing-here/", 404),
]


@pytest.mark.parametrize(("path", "status"), BAD_READS)
def test_a_refused_read_is_vietnamese_by_default_and_english_when_asked(city, clients, path, status):
    client = clients["administrator"]
    default = client.get(path)
    error = assert_error(default, status)
    assert all(vietnamese(text) for text in messages(error)), messages(error)
    assert default["Content-Language"] == "vi"
    asked = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    error = assert_error(asked, status)
    assert all(english(text) for text in messages(error)), messages(error)
    assert asked["Content-Language"] == "en"


def test_a_browser_s_language_list_and_an_unknown_language(city, clients):
    client = clients["administrator"]
    path = "/api/v1/indicators/?year=abc"
    error = assert_error(client.get(path, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9,vi;q=0.5"), 400)
    assert messages(error) == ["The submitted data is invalid.", "«abc»: A valid integer is required."]
    error = assert_error(client.get(path, HTTP_ACCEPT_LANGUAGE="fr"), 400)  # not offered: Vietnamese
    assert messages(error) == ["Dữ liệu gửi lên không hợp lệ.", "«abc»: Cần một số nguyên hợp lệ."]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_authentication_permission_and_method_errors_follow_the_language(city, clients, lang):
    check = vietnamese if lang == "vi" else english
    headers = {"HTTP_ACCEPT_LANGUAGE": lang}
    answers = [
        (APIClient().get("/api/v1/units/", **headers), 401),
        (clients["city_leader"].post("/api/v1/reviews/", {}, format="json", **headers), 403),
        (clients["administrator"].delete("/api/v1/indicators/", **headers), 405),
        (clients["administrator"].get("/api/v1/indicators/", HTTP_ACCEPT="text/xml", **headers), 406),
        (clients["administrator"].post("/api/v1/reviews/", {"year": "abc"}, format="json", **headers), 400),
    ]
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION="Token nope")
    answers.append((stranger.get("/api/v1/units/", **headers), 401))
    review = clients["administrator"].get("/api/v1/reviews/").json()["results"][0]["id"]
    answers.append((clients["administrator"].put(f"/api/v1/reviews/{review}/", {}, format="json", **headers), 428))
    for response, status in answers:
        error = assert_error(response, status)
        assert all(check(text) for text in messages(error)), (status, messages(error))


def test_the_english_of_a_portal_message_is_its_translation_not_a_second_half(city, clients):
    error = assert_error(clients["administrator"].get("/api/v1/indicators/?unit=abc"), 400)
    assert error["details"][0]["message"] == "«abc»: Không phải mã GSO."
    english_error = assert_error(
        clients["administrator"].get("/api/v1/indicators/?unit=abc", HTTP_ACCEPT_LANGUAGE="en"), 400
    )
    assert english_error["details"][0]["message"] == "«abc»: Not a GSO code."
    assert (english_error["code"], english_error["details"][0]["field"]) == (error["code"], "unit")


def test_a_throttled_answer_says_when_to_retry_in_the_language_asked(city, clients, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "1/hour", "anon": "1/hour"})
    client = clients["city_leader"]
    assert client.get("/api/v1/units/").status_code == 200
    error = assert_error(client.get("/api/v1/units/"), 429, "throttled")
    assert re.fullmatch(r"Vượt giới hạn số yêu cầu\. Thử lại sau \d+ giây\.", error["message"]), error
    assert all(vietnamese(text) for text in messages(error))
    error = assert_error(client.get("/api/v1/units/", HTTP_ACCEPT_LANGUAGE="en"), 429, "throttled")
    assert re.fullmatch(r"Request was throttled\. Expected available in \d+ seconds\.", error["message"]), error


def _bad_import_rows() -> list[dict]:
    rows = [
        review_row("HN-00001-90001", "00001", 2024, "nhiều"),
        review_row("HN-00001-90002", "00001", 2024, 900_000, deprivations=0),
        review_row("HN-00001-90003", "00001", 2024, 900_000, members=""),
    ]
    rows[1]["d01"] = 7
    return rows


def test_a_refused_import_speaks_the_requests_language_down_to_its_rows(city, clients):
    """The importer's row messages follow Accept-Language like the rest of the answer (they were
    Vietnamese under an English `message`)."""
    client = clients["commune_officer"]
    default = assert_error(
        client.post("/api/v1/imports/", {"file": csv_file(_bad_import_rows())}), 400, "import_refused"
    )
    assert all(vietnamese(text) for text in messages(default)), messages(default)
    assert (
        default["details"][0]["message"]
        == "Dòng 2, cột «Thu nhập bình quân (đồng/người/tháng)»: «nhiều» phải là một số"
    )

    asked = client.post("/api/v1/imports/", {"file": csv_file(_bad_import_rows())}, HTTP_ACCEPT_LANGUAGE="en")
    error = assert_error(asked, 400, "import_refused")
    assert asked["Content-Language"] == "en"
    assert all(english(text) for text in messages(error)), messages(error)
    assert [detail["message"] for detail in error["details"]] == [
        "Row 2, column «Thu nhập bình quân (đồng/người/tháng)»: «nhiều» must be a number",
        "Row 3, column «D01 Việc làm (0/1)»: «7» must be 0 or 1",
        "Row 4, column «Số nhân khẩu»: must not be empty",
    ]
    # What a client switches on never changes with the language.
    keys = [(d["row"], d["column"]) for d in error["details"]]
    assert keys == [(d["row"], d["column"]) for d in default["details"]]


def test_a_background_import_keeps_the_uploaders_language_for_its_rows(
    city, clients, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from households import tasks

    settings.IMPORT_BACKGROUND_ROWS = 2
    monkeypatch.setattr(tasks.run_import_job, "delay", lambda job_id: None)
    client = clients["commune_officer"]
    with django_capture_on_commit_callbacks(execute=True):
        queued = client.post("/api/v1/imports/", {"file": csv_file(_bad_import_rows())}, HTTP_ACCEPT_LANGUAGE="en")
    assert queued.status_code == 202, queued.content
    with translation.override("vi"):  # what the worker runs, outside any request (Vietnamese)
        tasks.run_import_job(queued.json()["id"])
    job = client.get(queued["Location"]).json()
    assert job["status"] == "failed" and len(job["errors"]) == 3
    assert all(english(error["message"]) for error in job["errors"]), job["errors"]
    assert job["errors"][2]["message"] == "Row 4, column «Số nhân khẩu»: must not be empty"
