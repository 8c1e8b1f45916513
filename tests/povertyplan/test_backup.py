"""A backup restores (issue 13): deploy/backup.sh dumps the database (pg_dump, custom format) and the
uploads; deploy/restore.sh loads them into a fresh database, after which export_indicators gives,
for every unit and year, what the source gave."""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.builders import csv_file, review_row

ROOT = Path(__file__).resolve().parents[2]


def url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def export(database_url: str, var_dir: Path) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "POVERTYPLAN_VAR_DIR": str(var_dir), "DEBUG": "true"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "export_indicators", "--format", "json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_a_backup_restored_into_a_fresh_database_gives_the_same_indicators(transactional_db, admin_units, tmp_path):
    if connection.vendor != "postgresql" or not shutil.which("pg_dump"):
        pytest.skip("needs PostgreSQL and its pg_dump / pg_restore")
    from households.importer import import_reviews
    from reports.recompute import recompute_progress

    import_reviews(
        csv_file([review_row(f"H{i}", income=1_000_000 + 100_000 * i, deprivations=i % 5) for i in range(30)]),
        filename="a.csv",
    )
    recompute_progress()
    source_var = tmp_path / "source"
    (source_var / "media" / "imports").mkdir(parents=True)
    (source_var / "media" / "imports" / "kept.csv").write_text("an upload")
    env = {**os.environ, "DATABASE_URL": url(connection.settings_dict["NAME"]), "POVERTYPLAN_VAR_DIR": str(source_var)}
    backup = subprocess.run(
        ["bash", "deploy/backup.sh", str(tmp_path / "backups")], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert backup.returncode == 0, backup.stderr
    folder = backup.stdout.strip().splitlines()[-1]

    fresh = f"restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {fresh}")
    try:
        target_var = tmp_path / "target"
        env = {**os.environ, "DATABASE_URL": url(fresh), "POVERTYPLAN_VAR_DIR": str(target_var)}
        restore = subprocess.run(
            ["bash", "deploy/restore.sh", folder], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert restore.returncode == 0, restore.stderr
        assert export(url(fresh), target_var) == export(url(connection.settings_dict["NAME"]), source_var)
        assert (target_var / "media" / "imports" / "kept.csv").read_text() == "an upload"
    finally:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {fresh} WITH (FORCE)")
