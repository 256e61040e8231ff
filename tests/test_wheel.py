"""The package as a user installs it: a wheel in a fresh virtual environment, used outside the clone.

The bundled tables must come with the package (``sahelmap.data``), not from the source tree. The fresh
environment borrows the test environment's dependencies through a path file (its .pth files are not run,
so the clone's editable install stays invisible) and installs the wheel itself with no dependencies.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.factories import ROOT

pytestmark = pytest.mark.slow  # builds a wheel and a virtual environment

APP_CHECK = """
from streamlit.testing.v1 import AppTest
import sahelmap
from sahelmap import paths
at = AppTest.from_file(str(paths.app_script()), default_timeout=120)
at.query_params["place"] = "gao"
at.run()
assert not at.exception, at.exception
print(sahelmap.__file__)
print([str(m.value) for m in at.metric][0])
"""


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode in (0, 1), f"{command}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the fresh environment's bin directory, a working directory outside the clone)."""
    base = tmp_path_factory.mktemp("wheel")
    dist, venv, work = base / "dist", base / "venv", base / "work"
    work.mkdir()
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)], cwd=base)
    [wheel] = dist.glob("sahelmap-*.whl")
    run([sys.executable, "-m", "venv", str(venv)], cwd=base)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], cwd=base)
    return venv / "bin", work


def test_the_wheel_carries_the_bundled_tables(installed) -> None:
    bin_dir, work = installed
    script = (
        "import sahelmap, sahelmap.paths as p; print(sahelmap.__file__); "
        "print(p.curated_events_path()); print(p.geo_path('mali_admin1.geojson'))"
    )
    done = run([str(bin_dir / "python"), "-c", script], cwd=work)
    module, events_csv, boundaries = done.stdout.split()
    assert str(ROOT) not in module, "the clone's package was imported instead of the wheel's"
    assert Path(events_csv).is_file() and Path(boundaries).is_file()


def test_validate_and_export_from_outside_the_clone(installed) -> None:
    bin_dir, work = installed
    sample = work / "sample.csv"
    events_csv = run(
        [str(bin_dir / "python"), "-c", "import sahelmap.paths as p; print(p.curated_events_path())"], work
    )
    sample.write_bytes(Path(events_csv.stdout.strip()).read_bytes())
    validated = run([str(bin_dir / "sahelmap"), "validate", str(sample)], cwd=work)
    assert validated.returncode == 0 and "0 rejected" in validated.stdout, validated.stdout + validated.stderr
    exported = run([str(bin_dir / "sahelmap"), "export", "--query", "place=gao", "-o", "x.csv"], cwd=work)
    assert exported.returncode == 0, exported.stderr
    lines = (work / "x.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("event_id,") and len(lines) > 10
    assert "Traceback" not in exported.stderr


def test_the_installed_app_runs_under_apptest(installed) -> None:
    bin_dir, work = installed
    done = run([str(bin_dir / "python"), "-c", APP_CHECK], cwd=work)
    module, events = done.stdout.strip().splitlines()[-2:]
    assert str(ROOT) not in module
    assert int(events.replace(",", "")) > 0
