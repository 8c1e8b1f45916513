"""The served schema passes Redocly CLI's recommended rules, warnings included (redocly.yaml turns
off only what the project decides). .ci/run installs the CLI with npm into .ci/node; elsewhere the
test says how to install it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parents[2]
REDOCLY = ROOT / ".ci" / "node" / "node_modules" / ".bin" / "redocly"
INSTALL = "npm install --no-save --prefix .ci/node @redocly/cli@2.77.0"


@pytest.mark.django_db
def test_the_served_schema_passes_redoclys_recommended_rules(tmp_path):
    if not REDOCLY.exists():
        pytest.skip(f"Redocly CLI is not installed here: {INSTALL}")
    response = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = tmp_path / "schema.json"
    schema.write_bytes(response.content)
    # No telemetry and no update check: the CLI must not call the internet.
    env = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_COLOR": "1"}
    command = [str(REDOCLY), "lint", str(schema), "--config", str(ROOT / "redocly.yaml"), "--format", "json"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env, cwd=tmp_path)

    report = json.loads(result.stdout)
    problems = [f"{p['severity']} {p['ruleId']}: {p['message']}" for p in report["problems"]]
    assert report["totals"]["errors"] == report["totals"]["warnings"] == 0, problems
