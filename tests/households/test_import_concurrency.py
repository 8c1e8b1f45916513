"""Two imports that touch the same commune run one after the other (issue 11): each household ends
with the household row and the review of the same file, never one of each."""

import threading

import pytest
from django.db import connection, connections

from households.importer import import_reviews
from households.importing.reviews import lock_communes
from households.models import AdministrativeUnit, Household, Review
from tests.builders import RURAL, csv_file, review_row


def a_file(name: str, income: int, households: int = 300):
    return csv_file([review_row(f"H{i:04d}", head_name=name, income=income) for i in range(households)])


@pytest.fixture
def postgresql(transactional_db, admin_units):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises every writer anyway)")


def test_two_imports_of_one_commune_never_mix_their_rows(postgresql):
    commune = AdministrativeUnit.objects.get(code=RURAL, structure=2008)
    files = {"Lê Văn A": 1_100_000, "Trần Thị B": 1_400_000}
    started = threading.Barrier(len(files))
    failures = []

    def run(name, income):
        try:
            started.wait()
            import_reviews(a_file(name, income), filename="a.csv", state="draft")
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connections.close_all()

    for _ in range(3):
        threads = [threading.Thread(target=run, args=item) for item in files.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not failures, failures
        pairs = set(
            Review.objects.filter(household__commune=commune).values_list("household__head_name", "income_per_capita")
        )
        assert len(pairs) == 1 and pairs <= {(name, income) for name, income in files.items()}, pairs
    assert Household.objects.count() == 300


def test_an_import_waits_for_the_commune_another_transaction_holds(postgresql):
    from django.db import transaction

    commune = AdministrativeUnit.objects.get(code=RURAL, structure=2008)
    done = threading.Event()
    failures = []

    def run():
        try:
            import_reviews(a_file("Lê Văn A", 1_100_000, households=5), filename="a.csv", state="draft")
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            done.set()
            connections.close_all()

    with transaction.atomic():
        lock_communes({commune.pk})  # what an approval of this commune holds while it moves
        thread = threading.Thread(target=run)
        thread.start()
        assert not done.wait(1.5), f"the import went on while the commune was locked {[e.errors for e in failures]}"
    assert done.wait(30)
    thread.join()
    assert not failures and Review.objects.count() == 5
