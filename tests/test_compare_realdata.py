"""Issue 12's done-when check: `sahelmap compare` on the imported ACLED file against plain pandas."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.factories import ACLED_FILE, require_realdata, run_cli

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    frame = pd.read_csv(require_realdata(ACLED_FILE))
    frame["date"] = pd.to_datetime(frame["event_date"], format="mixed")
    return frame


@pytest.fixture
def imported(data_dir) -> None:
    result = run_cli("import", str(require_realdata(ACLED_FILE)))
    assert result.exit_code == 0, result.output


def cli_json(*args: str) -> dict:
    result = run_cli("compare", *args, "--format", "json", "-o", "-")
    assert result.exit_code == 0, result.output
    return json.loads(result.output[: result.output.rindex("}") + 1])


def test_violence_against_civilians_2021_against_2022(raw, imported) -> None:
    data = cli_json("--query", "type=violence-against-civilians&dataset=acled", "--a", "2021", "--b", "2022")
    vac = raw[raw["event_type"] == "Violence against civilians"]
    for side, year in (("a", 2021), ("b", 2022)):
        rows = vac[vac["date"].dt.year == year]
        assert (data[side]["events"], data[side]["deaths"]) == (len(rows), int(rows["fatalities"].sum()))


def test_events_involving_wagner_per_quarter_of_2022(raw, imported) -> None:
    names = raw[["actor1", "assoc_actor_1", "actor2", "assoc_actor_2"]].fillna("").agg(" ".join, axis=1)
    wagner = raw[names.str.contains("wagner|africa corps|military forces of russia", case=False)]
    in_2022 = wagner[wagner["date"].dt.year == 2022]
    by_quarter = in_2022.groupby(in_2022["date"].dt.quarter)
    want = {q: (len(g), int(g["fatalities"].sum())) for q, g in by_quarter}
    quarters = ["2022-01..2022-03", "2022-04..2022-06", "2022-07..2022-09", "2022-10..2022-12"]
    for q in (1, 2, 3):
        data = cli_json("--query", "actor=wagner&dataset=acled", "--a", quarters[q - 1], "--b", quarters[q])
        assert (data["a"]["events"], data["a"]["deaths"]) == want[q]
        assert (data["b"]["events"], data["b"]["deaths"]) == want[q + 1]
