"""Production safety of .streamlit/config.toml, and the deploy files that docs/hosting.md shows."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import pytest
from streamlit import config as st_config

from sahelmap.uploads import MAX_UPLOAD_MB
from tests.factories import ROOT

CONFIG = ROOT / ".streamlit" / "config.toml"
NGINX_SITE = ROOT / "deploy" / "nginx" / "sahelmap.conf"
SYSTEMD_UNIT = ROOT / "deploy" / "systemd" / "sahelmap.service"
HOSTING = ROOT / "docs" / "hosting.md"


@pytest.fixture(scope="module")
def settings() -> dict[str, Any]:
    with CONFIG.open("rb") as f:
        return tomllib.load(f)


def flat(settings: dict[str, Any]) -> dict[str, Any]:
    return {f"{section}.{key}": value for section, table in settings.items() for key, value in table.items()}


def test_every_key_is_a_streamlit_option(settings: dict[str, Any]) -> None:
    """A misspelt option (enableCors) is ignored by Streamlit with no more than a log line."""
    known = st_config.get_config_options()
    assert sorted(set(flat(settings)) - set(known)) == []


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("server.headless", True),
        ("server.enableXsrfProtection", True),
        # With XSRF on, CORS must stay on: enableCORS = false accepts a websocket from any origin.
        ("server.enableCORS", True),
        ("browser.gatherUsageStats", False),
        ("client.toolbarMode", "viewer"),
        # Public visitors get a generic message; the type, message and traceback stay in the server log.
        ("client.showErrorDetails", "none"),
    ],
)
def test_production_setting(settings: dict[str, Any], option: str, expected: object) -> None:
    assert flat(settings).get(option) == expected


def test_upload_limit_is_the_apps(settings: dict[str, Any]) -> None:
    assert settings["server"]["maxUploadSize"] == MAX_UPLOAD_MB


def test_nginx_body_limit_is_the_apps() -> None:
    """nginx's default (1 MB) would refuse most exports before Streamlit sees them."""
    limits = re.findall(r"^\s*client_max_body_size\s+(\d+)m;", NGINX_SITE.read_text(), re.MULTILINE)
    assert limits == [str(MAX_UPLOAD_MB)]


def test_nginx_site_passes_the_websocket_upgrade() -> None:
    site = NGINX_SITE.read_text()
    for line in (
        "proxy_http_version 1.1;",
        "proxy_set_header Upgrade $http_upgrade;",
        "proxy_set_header Connection $connection_upgrade;",
        "proxy_set_header Host $http_host;",
        "proxy_pass http://127.0.0.1:8501;",
    ):
        assert line in site


def test_systemd_unit_runs_the_documented_command() -> None:
    unit = SYSTEMD_UNIT.read_text()
    assert (
        "ExecStart=/opt/sahelmap/.venv/bin/streamlit run app.py --server.port 8501 --server.address 127.0.0.1"
        in unit.splitlines()
    )
    assert "Environment=SAHELMAP_READONLY=1" in unit.splitlines()
    assert "Environment=SAHELMAP_DATA_DIR=/var/lib/sahelmap" in unit.splitlines()


@pytest.mark.parametrize("path", [NGINX_SITE, SYSTEMD_UNIT], ids=lambda p: p.name)
def test_hosting_doc_shows_the_tested_file(path: Any) -> None:
    """docs/hosting.md quotes each deploy file whole, so what a reader copies is what was tested."""
    assert path.read_text() in HOSTING.read_text()
