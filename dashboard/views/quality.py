"""Data quality: which extracts arrived, late, missing or rejected; job runs; latest reports."""

import streamlit as st

from carers_impact import settings
from dashboard import auth, components, data, markup
from dashboard.text import plain

user = auth.require_role("uploader")

st.title("Data quality")
left, right = st.columns([2, 1])
with left:
    area = components.area_picker(default=components.default_area(user))
with right:
    last = st.select_slider(
        "Quarters shown", options=[4, 8, 12, 16, 20, 24, 28], value=8, key="quality_last"
    )

matrix = data.quality_matrix(area.id, last)
due_days = settings.get_int("CARERS_SUBMISSION_DUE_DAYS")
st.write(
    f"Each organisation's extracts for each quarter. A quarter's extracts are due {due_days} "
    "days after it ends. Received: loaded by the due date. Late: first loaded after it. "
    "Rejected: every file failed validation, so nothing is loaded. Missing: nothing arrived "
    "and the due date has passed. Not due: the due date is still to come. A dash: the "
    "area's configuration does not expect that extract from the organisation for that quarter."
)
counts = matrix["state"].value_counts()
states = [s for s in data.QUALITY_STATES if s != "not expected"]
for column, state in zip(st.columns(len(states)), states, strict=True):
    column.metric(state.capitalize(), int(counts.get(state, 0)))
expected = matrix.groupby(["organisation", "extract"])["state"].transform(
    lambda states: (states != "not expected").any()
)
never = matrix.loc[~expected, ["organisation", "extract"]].drop_duplicates()
st.html(
    markup.quality_table(
        matrix[expected], caption=f"{area.name}: extracts by organisation and quarter"
    )
)
if len(never):
    st.caption(
        "Not shown, as the area's configuration expects none from the organisation: "
        + ", ".join(f"{o} {e}" for o, e in never.itertuples(index=False))
        + "."
    )
components.download_csv(matrix, filename=f"data_quality_{area.id}.csv")

st.header("Latest validation reports")
own = None if user.role == "admin" else tuple(user.organisations)
if own is not None:
    st.caption(f"Reports of your organisations' files ({', '.join(own)}).")
which = st.radio(
    "Show", ["Rejected files", "All files"], horizontal=True, key="quality_reports_which"
)
reports = data.validation_reports(
    area=area.id,
    organisations=own,
    status="rejected" if which == "Rejected files" else None,
    limit=20,
)
if reports.empty:
    st.info("No reports to show.")
for row in reports.to_dict("records"):
    label = (
        f"Submission {row['id']}: {plain(row['filename'])} ({row['status']}), "
        f"{components.when(row['submitted_at'])} by {plain(row['submitted_by'])}"
    )
    with st.expander(label):
        components.show_report(row["report"], status=row["status"], key=f"quality_{row['id']}")

st.header("Scheduled jobs")
jobs = data.job_runs(50)
if jobs.empty:
    st.info(
        "No scheduled job has run yet. The scheduler runs as its own process "
        "(`carers-impact etl schedule`): it processes the inbox, recomputes every measure "
        "nightly and checks for late submissions."
    )
else:
    shown = jobs.assign(
        started=jobs["started_at"].map(components.when),
        finished=jobs["finished_at"].map(components.when),
    )[["id", "job_id", "started", "finished", "outcome", "detail"]]
    st.dataframe(shown, hide_index=True)
    components.download_csv(shown, filename="job_runs.csv")
