"""Upload extracts: check and load a file for one's own organisations; history; admins revert."""

from datetime import date

import streamlit as st

from carers_impact.extracts import EXTRACTS
from carers_impact.periods import Quarter
from dashboard import auth, components, data
from etl.pipeline import BadFileName, CannotRevert, SubmissionNotFound, parse_file_name
from measures import api

QUARTERS_OFFERED = 40

user = auth.require_role("uploader")
components.flash()

st.title("Upload extracts")
organisations = {
    org.code: f"{org.code}: {org.name}"
    for area in api.areas().values()
    for org in area.organisations
}
allowed = (
    list(organisations)
    if user.role == "admin"
    else [code for code in user.organisations if code in organisations]
)
if not allowed:
    st.error(
        "Your account is not tied to any organisation of this deployment, so there is "
        "nothing you can upload. Ask an administrator."
    )
    st.stop()

st.write(
    "Upload one quarter's extract for one organisation: CSV or XLSX, named like "
    "`carers_ROT-ASC_2024-25_Q1.csv` (extract, organisation, quarter). The file is checked "
    "against its expectations; a file that fails any is not loaded, and its report says "
    "which rows to fix."
)
latest_ended = Quarter.containing(date.today()).previous()
quarters = [latest_ended.shift(-i).label for i in range(QUARTERS_OFFERED)]

uploaded = st.file_uploader(
    "Choose a file, or drag it here",
    type=["csv", "xlsx"],
    key="upload_file",
    help="One extract type, one organisation, one quarter per file",
)
if uploaded is not None:
    try:
        guess = parse_file_name(uploaded.name)
    except BadFileName:
        guess = None
        st.info(
            "The file name does not say which extract, organisation and quarter it is: "
            "choose them below."
        )
    if guess is not None and guess.organisation not in allowed:
        st.warning(
            f"The file name says {guess.organisation}, which you cannot submit for. "
            "Choose one of your organisations below if the name is wrong."
        )
    one, two, three = st.columns(3)
    with one:
        organisation = st.selectbox(
            "Organisation",
            allowed,
            index=allowed.index(guess.organisation)
            if guess and guess.organisation in allowed
            else 0,
            format_func=organisations.get,
            key="upload_organisation",
        )
    with two:
        names = list(EXTRACTS)
        extract = st.selectbox(
            "Extract", names, index=names.index(guess.extract) if guess else 0, key="upload_extract"
        )
    with three:
        label = guess.quarter.label if guess else None
        period = st.selectbox(
            "Quarter",
            quarters,
            index=quarters.index(label) if label in quarters else 0,
            key="upload_period",
        )
    submitted = st.button(
        "Check and submit", type="primary", key="upload_submit", icon=":material/upload:"
    )
    if submitted and not user.may_submit_for(organisation):
        st.error(f"You cannot submit for {organisation}.")
    elif submitted:
        content = uploaded.getvalue()
        progress = st.progress(10, text=f"Received {uploaded.name} ({len(content):,} bytes)")
        with st.status("Checking the file against its expectations...", expanded=True) as status:

            def loaded(area: str) -> None:
                progress.progress(70, text="Loaded; recomputing the area's measures")
                status.update(label="Accepted and loaded; recomputing the measures...")

            progress.progress(
                30, text="Checking the file name, personal data and every expectation"
            )
            result = data.submit_extract(
                content,
                filename=uploaded.name,
                submitted_by=user.username,
                extract=extract,
                organisation=organisation,
                period=period,
                on_loaded=loaded,
            )
            rejected = result.status == "rejected"
            status.update(
                label="Rejected: nothing was loaded" if rejected else f"Done: {result.status}",
                state="error" if rejected else "complete",
                expanded=False,
            )
        progress.progress(100, text="Finished")
        st.session_state["_last_upload"] = {
            "report": result.report.to_dict(),
            "status": result.status,
            "submission_id": result.submission_id,
            "file_id": uploaded.file_id,
        }

last = st.session_state.get("_last_upload")
if last and uploaded is not None and uploaded.file_id != last["file_id"]:
    last = None  # a new file is chosen: the report of the one before would mislead
if last:
    st.header(f"Validation report (submission {last['submission_id']})")
    components.show_report(
        last["report"], status=last["status"], key=f"submission_{last['submission_id']}"
    )

st.header("Submission history")
if user.role == "admin":
    shown_orgs = st.multiselect(
        "Organisations",
        list(organisations),
        format_func=organisations.get,
        key="history_orgs",
        placeholder="All organisations",
    )
    history = data.submissions(organisations=tuple(shown_orgs) if shown_orgs else None)
else:
    history = data.submissions(organisations=tuple(allowed))
    st.caption(f"Your organisations: {', '.join(allowed)}.")
if history.empty:
    st.info("No submissions yet.")
    st.stop()
table = history.head(200).assign(submitted=history["submitted_at"].map(components.when))[
    [
        "id",
        "submitted",
        "extract",
        "organisation",
        "period",
        "status",
        "row_count",
        "current",
        "submitted_by",
        "filename",
        "source",
    ]
]
st.dataframe(
    table,
    hide_index=True,
    column_config={
        "id": "Submission",
        "submitted": "Submitted",
        "extract": "Extract",
        "organisation": "Organisation",
        "period": "Quarter",
        "status": "Status",
        "row_count": st.column_config.NumberColumn("Rows", format="%d"),
        "current": st.column_config.CheckboxColumn("Current"),
        "submitted_by": "Submitted by",
        "filename": "File",
        "source": "Source",
    },
)
components.download_csv(table, filename="submissions.csv")

described = {
    i: f"{i}: {name} ({status})"
    for i, name, status in zip(table["id"], table["filename"], table["status"], strict=True)
}
chosen = st.selectbox(
    "See a submission's validation report",
    list(described),
    format_func=described.get,
    key="history_report",
)
with st.expander(f"Report of submission {chosen}", expanded=False):
    components.show_report(data.submission_report(int(chosen)), key=f"history_{chosen}")

if user.role == "admin":
    st.header("Revert to an earlier submission")
    revertible = history[(history["status"] == "accepted") & ~history["current"]]
    if revertible.empty:
        st.caption("Every accepted submission shown is current; there is nothing to revert to.")
    else:
        choices = {
            r["id"]: f"{r['id']}: {r['extract']} {r['organisation']} {r['period']}, {r['filename']}"
            for r in revertible.to_dict("records")
        }
        with st.form("revert"):
            target = st.selectbox(
                "Accepted submission to make current again",
                list(choices),
                format_func=choices.get,
                key="revert_pick",
            )
            sure = st.checkbox(
                "I understand this replaces the current file for that quarter", key="revert_sure"
            )
            if st.form_submit_button("Revert", key="revert_submit"):
                if not sure:
                    st.error("Tick the box to confirm the revert.")
                else:
                    try:
                        replaced = data.revert_submission(int(target), actor=user.username)
                    except (CannotRevert, SubmissionNotFound) as exc:
                        st.error(str(exc))
                    else:
                        components.flash(
                            f"Submission {target} is current again (replacing {replaced}); "
                            "the measures are recomputed."
                        )
                        st.rerun()
