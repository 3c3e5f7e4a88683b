"""Every read and write the pages make: measures through `measures.api`, submissions and
data quality through `etl.pipeline` and `etl.quality`.

One engine per process (`st.cache_resource`). Reads are cached with
`st.cache_data`, keyed by the database URL and `api.data_version`, which
changes with every load, revert, recompute, publication, commentary or action
update, so a change made anywhere (another session, the scheduler, the CLI)
shows on the next page view.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from etl import quality
from measures import api

QUALITY_STATES = quality.STATES


@st.cache_resource(show_spinner=False)
def _engine(url: str):
    return api.open_engine(url)


def engine():
    return _engine(api.database_url())


def _key() -> tuple[str, str]:
    url = api.database_url()
    return url, api.data_version(_engine(url))


# -- cached reads ---------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=64)
def _quarters(url: str, version: str, area: str) -> list[str]:
    return api.quarters_with_figures(_engine(url), area=area)


def quarters(area: str) -> list[str]:
    """Quarters the area has figures for, newest first."""
    return _quarters(*_key(), area)


@st.cache_data(show_spinner=False, max_entries=64)
def _scorecard(url: str, version: str, area: str, period: str | None) -> pd.DataFrame:
    return api.scorecard(_engine(url), area=area, period=period)


def scorecard(area: str, period: str | None = None) -> pd.DataFrame:
    return _scorecard(*_key(), area, period)


@st.cache_data(show_spinner=False, max_entries=128)
def _measure_detail(
    url: str, version: str, area: str, measure_id: str, period: str | None
) -> api.MeasureDetail:
    return api.measure_detail(_engine(url), area=area, measure_id=measure_id, period=period)


def measure_detail(area: str, measure_id: str, period: str | None = None) -> api.MeasureDetail:
    return _measure_detail(*_key(), area, measure_id, period)


@st.cache_data(show_spinner=False, max_entries=128)
def _compare_areas(url: str, version: str, measure_id: str, period: str) -> pd.DataFrame:
    return api.compare_areas(_engine(url), measure_id=measure_id, period=period)


def compare_areas(measure_id: str, period: str) -> pd.DataFrame:
    return _compare_areas(*_key(), measure_id, period)


@st.cache_data(show_spinner=False, max_entries=128)
def _benchmarks(url: str, version: str, area: str, measure_id: str) -> pd.DataFrame:
    return api.national_benchmarks(_engine(url), area=area, measure_id=measure_id)


def national_benchmarks(area: str, measure_id: str) -> pd.DataFrame:
    return _benchmarks(*_key(), area, measure_id)


@st.cache_data(show_spinner=False, max_entries=128)
def _spine(url: str, version: str, area: str, measure_id: str) -> api.Spine | None:
    return api.national_spine(_engine(url), area=area, measure_id=measure_id)


def national_spine(area: str, measure_id: str) -> api.Spine | None:
    return _spine(*_key(), area, measure_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _comments(url: str, version: str, area: str, measure_id: str | None) -> pd.DataFrame:
    return api.comments(_engine(url), area=area, measure_id=measure_id)


def comments(area: str, measure_id: str | None = None) -> pd.DataFrame:
    return _comments(*_key(), area, measure_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _stories(url: str, version: str, area: str, measure_id: str | None) -> pd.DataFrame:
    return api.stories(_engine(url), area=area, measure_id=measure_id)


def stories(area: str, measure_id: str | None = None) -> pd.DataFrame:
    """Turn-the-curve records, newest quarter first."""
    return _stories(*_key(), area, measure_id)


@st.cache_data(show_spinner=False, max_entries=32)
def _actions(url: str, version: str, area: str) -> pd.DataFrame:
    return api.actions(_engine(url), area=area)


def actions(area: str) -> pd.DataFrame:
    return _actions(*_key(), area)


@st.cache_data(show_spinner=False, max_entries=32)
def _action_updates(url: str, version: str, area: str) -> pd.DataFrame:
    return api.action_updates(_engine(url), area=area)


def action_updates(area: str) -> pd.DataFrame:
    return _action_updates(*_key(), area)


@st.cache_data(show_spinner=False, max_entries=32)
def _quality_matrix(url: str, version: str, area: str, last: int) -> pd.DataFrame:
    return quality.area_matrix(_engine(url), area=api.get_area(area), last=last)


def quality_matrix(area: str, last: int = 8) -> pd.DataFrame:
    return _quality_matrix(*_key(), area, last)


@st.cache_data(show_spinner=False, max_entries=32)
def _submissions(
    url: str, version: str, area: str | None, organisations: tuple[str, ...] | None
) -> pd.DataFrame:
    orgs = list(organisations) if organisations is not None else None
    return quality.read_submissions(_engine(url), area=area, organisations=orgs)


def submissions(
    *, area: str | None = None, organisations: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Submissions, newest first, with whether each is current."""
    return _submissions(*_key(), area, organisations)


@st.cache_data(show_spinner=False, max_entries=32)
def _reports(
    url: str,
    version: str,
    area: str | None,
    organisations: tuple[str, ...] | None,
    status: str | None,
    limit: int,
) -> pd.DataFrame:
    orgs = list(organisations) if organisations is not None else None
    return quality.read_reports(
        _engine(url), area=area, organisations=orgs, status=status, limit=limit
    )


def validation_reports(
    *,
    area: str | None = None,
    organisations: tuple[str, ...] | None = None,
    status: str | None = None,
    limit: int = 20,
) -> pd.DataFrame:
    return _reports(*_key(), area, organisations, status, limit)


@st.cache_data(show_spinner=False, max_entries=8)
def _job_runs(url: str, version: str, limit: int) -> pd.DataFrame:
    return quality.read_job_runs(_engine(url), limit=limit)


def job_runs(limit: int = 50) -> pd.DataFrame:
    return _job_runs(*_key(), limit)


@st.cache_data(show_spinner=False, max_entries=32)
def _publication_status(url: str, version: str, area: str) -> pd.DataFrame:
    return api.publication_status(_engine(url), area=area)


def publication_status(area: str) -> pd.DataFrame:
    return _publication_status(*_key(), area)


@st.cache_data(show_spinner=False, max_entries=32)
def _publication_history(url: str, version: str, area: str) -> pd.DataFrame:
    return api.publication_history(_engine(url), area=area)


def publication_history(area: str) -> pd.DataFrame:
    return _publication_history(*_key(), area)


@st.cache_data(show_spinner=False, max_entries=64)
def _completeness(url: str, version: str, area: str, periods: tuple[str, ...]) -> dict:
    return quality.completeness(_engine(url), area=api.get_area(area), periods=list(periods))


def completeness(area: str, periods: list[str]) -> dict[str, quality.Completeness]:
    """Each quarter's expected, loaded, rejected and missing extracts, by quarter label."""
    return _completeness(*_key(), area, tuple(periods))


def affected_measures(found: quality.Completeness) -> list[str]:
    """Titles of the measures drawn from an extract the quarter is still waiting for."""
    catalogue = api.catalogue()
    sources = {m.id: m.sources for m in catalogue.values()}
    return [catalogue[m].title for m in found.affected_measures(sources)]


def default_quarter(area: str) -> str | None:
    """The quarter a page opens on: the latest complete one (or the latest, if none is)."""
    offered = quarters(area)
    return quality.latest_complete(offered, completeness(area, offered))


# -- writes (each changes the data version, so cached reads refresh) -----------------


def add_comment(*, area: str, measure_id: str, period: str, text: str, author: str) -> int:
    return api.add_comment(
        engine(), area=area, measure_id=measure_id, period=period, text=text, author=author
    )


def add_story(*, area: str, measure_id: str, author: str, **record) -> int:
    return api.add_story(engine(), area=area, measure_id=measure_id, author=author, **record)


def update_action(*, area: str, action_id: str, status: str, note: str, author: str) -> int:
    return api.update_action(
        engine(), area=area, action_id=action_id, status=status, note=note, author=author
    )


def publish(*, area: str, period: str, by: str, reason: str = "", override_reason: str = ""):
    from etl import publication

    return publication.publish(
        engine(), area=area, period=period, by=by, reason=reason, override_reason=override_reason
    )


def schedule_publication(
    *, area: str, period: str, by: str, publish_at, reason: str = "", override_reason: str = ""
):
    from etl import publication

    return publication.schedule(
        engine(),
        area=area,
        period=period,
        by=by,
        publish_at=publish_at,
        reason=reason,
        override_reason=override_reason,
    )


def cancel_schedule(*, area: str, period: str, by: str):
    from etl import publication

    return publication.cancel_schedule(engine(), area=area, period=period, by=by)


def withdraw_publication(*, area: str, period: str, by: str, notice: str):
    from etl import publication

    return publication.withdraw(engine(), area=area, period=period, by=by, notice=notice)


def submit_extract(
    content: bytes,
    *,
    filename: str,
    submitted_by: str,
    extract: str,
    organisation: str,
    period: str,
):
    """Check and (if it passes) load one uploaded file and recompute its area."""
    from etl.pipeline import submit

    return submit(
        engine(),
        content,
        filename=filename,
        submitted_by=submitted_by,
        source="upload",
        extract=extract,
        organisation=organisation,
        period=period,
    )


def revert_submission(submission_id: int, *, actor: str) -> int | None:
    """Make an earlier accepted submission current again and recompute its area."""
    from etl.pipeline import revert

    return revert(engine(), submission_id, actor=actor)


def withdraw_submission(submission_id: int, *, actor: str, reason: str, restore_previous: bool):
    """Withdraw a current submission (leaving none, or the earlier one, current)."""
    from etl.pipeline import withdraw

    return withdraw(
        engine(), submission_id, actor=actor, reason=reason, restore_previous=restore_previous
    )


def submission_report(submission_id: int) -> dict:
    """One submission's validation report, as a dict."""
    from etl.pipeline import submission_report

    return submission_report(engine(), submission_id)
