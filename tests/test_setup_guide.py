"""The "Set up your partnership" guide, followed as written: a sixth area, configured and loaded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from carers_impact import cli
from etl import publication, quality
from etl.pipeline import submit
from measures import api
from measures.domain.area_files import check_area_files
from tests.files import CARERS_HEADER, csv_bytes

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "setup.md"
Q1 = "2024-25 Q1"


def guide_area_file() -> str:
    """The area file exactly as the guide shows it."""
    return re.search(r"```toml\n(.*?)```", GUIDE.read_text(), re.S).group(1)


@pytest.fixture
def areas_folder(tmp_path, monkeypatch):
    folder = tmp_path / "areas"
    folder.mkdir()
    (folder / "barnsley.toml").write_text(guide_area_file())
    monkeypatch.setenv("CARERS_AREAS_DIR", str(folder))
    return folder


def barnsley_quarter() -> list[tuple[str, bytes]]:
    register = [
        [f"B{i:05d}", "2024-04-10", "25-64", "Female", "North", "20-49", ""] for i in range(30)
    ]
    return [
        ("carers_BAR-ASC_2024-25_Q1.csv", csv_bytes(CARERS_HEADER, register)),
        (
            "assessments_BAR-ASC_2024-25_Q1.csv",
            csv_bytes(
                ["assessment_id", "carer_id", "date_completed", "assessment_type", "outcome"],
                [[f"A{i}", f"B{i:05d}", "2024-05-02", "review", "support plan"] for i in range(10)],
            ),
        ),
        (
            "breaks_BAR-ASC_2024-25_Q1.csv",
            csv_bytes(
                ["break_id", "carer_id", "start_date", "break_type", "planned"],
                [[f"K{i}", f"B{i:05d}", "2024-06-01", "break grant", "yes"] for i in range(12)],
            ),
        ),
        (
            "outcomes_BAR-CC_2024-25_Q1.csv",
            csv_bytes(
                [
                    "response_id",
                    "response_date",
                    "qol_occupation",
                    "qol_control",
                    "qol_self_care",
                    "qol_safety",
                    "qol_social",
                    "qol_support",
                ],
                [[f"R{i}", "2024-06-10", "2", "1", "2", "2", "1", "2"] for i in range(15)],
            ),
        ),
    ]


def test_the_guide_s_area_file_is_sound(areas_folder, capsys):
    areas, errors = check_area_files(areas_folder)
    assert errors == [] and list(areas) == ["barnsley"]
    assert cli.main(["areas", "check", str(areas_folder)]) == 0
    assert "barnsley (Barnsley)" in capsys.readouterr().out


def test_a_quarter_is_loaded_and_published_for_the_sixth_area(areas_folder, engine):
    area = api.get_area("barnsley")
    for name, content in barnsley_quarter():
        result = submit(engine, content, filename=name, submitted_by="sam")
        assert result.status == "accepted", result.report.to_text()
    found = quality.completeness(engine, area=area, periods=[Q1])[Q1]
    assert found.complete and len(found.expected) == 4  # BAR-NHS sends from 2024-25 Q2
    card = api.scorecard(engine, area="barnsley", period=Q1)
    known = card[card["measure_id"] == "known_carers"].iloc[0]
    assert known["value"] == 30
    publication.publish(engine, area="barnsley", period=Q1, by="ana")
    public = api.measure_table(engine, area="barnsley", public=True)
    assert set(public["period"]) == {Q1} and not public.empty


def test_a_misspelt_measure_and_other_mistakes_are_all_named_with_file_and_field(
    areas_folder, capsys
):
    text = guide_area_file().replace('"known_carers", "new_carers"', '"known_carer", "new_carers"')
    text = text.replace('kind = "carers\' centre"', 'kind = "charity"').replace(
        'status = "on track"', 'status = "fine"'
    )
    (areas_folder / "barnsley.toml").write_text(text)
    _, errors = check_area_files(areas_folder)
    fields = {(e.file, e.field) for e in errors}
    assert ("barnsley.toml", "themes[0].measures") in fields
    assert ("barnsley.toml", "organisations[1].kind") in fields
    assert ("barnsley.toml", "actions[0].status") in fields
    assert cli.main(["areas", "check", str(areas_folder)]) == 1
    printed = capsys.readouterr()
    assert "barnsley.toml: themes[0].measures: 'known_carer' is not a measure" in printed.err
    assert "3 problems to fix" in printed.out
