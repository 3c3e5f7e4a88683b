"""Upload extracts: check and load a file for one's own organisations; history; admins revert."""

from datetime import date

import streamlit as st

from carers_impact.errors import UserError
from carers_impact.extracts import EXTRACTS
from carers_impact.periods import Quarter
from dashboard import auth, components, data
from dashboard.text import plain
from etl.pipeline import BadFileName, parse_file_name
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
CHOICE_KEYS = {
    "organisation": "upload_organisation",
    "extract": "upload_extract",
    "period": "upload_period",
}


def named(file) -> dict[str, str] | None:
    """What the file's name says it is, or None when the name does not follow the pattern."""
    try:
        guess = parse_file_name(file.name)
    except BadFileName:
        return None
    return {
        "organisation": guess.organisation,
        "extract": guess.extract,
        "period": guess.quarter.label,
    }


if uploaded is not None:
    says = named(uploaded)
    if st.session_state.get("_upload_for") != uploaded.file_id:
        # A newly chosen file: every choice comes from its own name, never the last file's.
        st.session_state["_upload_for"] = uploaded.file_id
        for field, key in CHOICE_KEYS.items():
            st.session_state[key] = says[field] if says else None
    st.markdown("**Chosen file**")
    st.text(uploaded.name)
    if says is None:
        st.info(
            "The file name does not say which extract, organisation and quarter it is: "
            "choose each of them below."
        )
    if says is not None and says["organisation"] not in allowed:
        st.error(
            f"The file name says it is from {plain(says['organisation'])}, which you cannot "
            f"submit for (your organisations: {', '.join(allowed)}). Nothing was loaded. "
            "If the name is wrong, rename the file and choose it again.",
            icon=":material/block:",
        )
        st.stop()
    offered = sorted(
        {*quarters, *([says["period"]] if says else [])}, key=Quarter.parse, reverse=True
    )
    one, two, three = st.columns(3)
    with one:
        organisation = st.selectbox(
            "Organisation",
            allowed,
            format_func=organisations.get,
            key=CHOICE_KEYS["organisation"],
            placeholder="Choose the organisation",
        )
    with two:
        extract = st.selectbox(
            "Extract", list(EXTRACTS), key=CHOICE_KEYS["extract"], placeholder="Choose the extract"
        )
    with three:
        period = st.selectbox(
            "Quarter", offered, key=CHOICE_KEYS["period"], placeholder="Choose the quarter"
        )
    chosen = {"organisation": organisation, "extract": extract, "period": period}
    differ = [f for f in chosen if says is not None and chosen[f] != says[f]]
    confirmed = True
    if differ:
        named_as = plain(", ".join(str(says[f]) for f in CHOICE_KEYS))
        loaded_as = plain(", ".join(str(chosen[f]) for f in CHOICE_KEYS))
        st.warning(
            f"The file name says {named_as}, but you have chosen {loaded_as}. The file will be "
            f"loaded as you have chosen, replacing whatever is loaded for {loaded_as}.",
            icon=":material/warning:",
        )
        confirmed = st.checkbox(
            f"Load {plain(uploaded.name)} as {loaded_as} (not {named_as} as its name says)",
            key=f"upload_confirm_{uploaded.file_id}",
        )
    submitted = st.button(
        "Check and submit", type="primary", key="upload_submit", icon=":material/upload:"
    )
    if submitted and None in chosen.values():
        st.error("Choose the organisation, the extract and the quarter before submitting.")
    elif submitted and not confirmed:
        st.error(
            "Tick the box to confirm loading the file as you have chosen, or change the choice."
        )
    elif submitted and not user.may_submit_for(organisation):
        st.error(f"You cannot submit for {organisation}.")
    elif submitted:
        content = uploaded.getvalue()
        with st.status(
            f"Checking {plain(uploaded.name)} ({len(content):,} bytes) against its expectations...",
            expanded=False,
        ) as status:
            result = data.submit_extract(
                content,
                filename=uploaded.name,
                submitted_by=user.username,
                extract=extract,
                organisation=organisation,
                period=period,
            )
            rejected = result.status == "rejected"
            status.update(
                label="Rejected: nothing was loaded" if rejected else f"Done: {result.status}",
                state="error" if rejected else "complete",
            )
        st.session_state["_last_upload"] = {
            "report": result.report.to_dict(),
            "status": result.status,
            "submission_id": result.submission_id,
            "change": result.change.text if result.change else None,
            "file_id": uploaded.file_id,
        }

last = st.session_state.get("_last_upload")
if last and (uploaded is None or uploaded.file_id != last["file_id"]):
    last = None  # another file (or none) is chosen: the report of the one before would mislead
if last:
    st.header(f"Validation report (submission {last['submission_id']})")
    components.show_report(
        last["report"], status=last["status"], key=f"submission_{last['submission_id']}"
    )
    if last["change"]:
        st.info(f"This file {plain(last['change'])}.", icon=":material/compare_arrows:")

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
                    except UserError as exc:
                        st.error(plain(exc))
                    else:
                        components.flash(
                            f"Submission {target} is current again (replacing {replaced}); "
                            "the measures are recomputed."
                        )
                        st.rerun()

if user.role == "admin":
    st.header("Withdraw a submission")
    st.write(
        "Withdraw the current file of a quarter that should never have been loaded (the wrong "
        "organisation or quarter, say). Its raw file and report stay in the history; the quarter "
        "then has no current file, or the earlier one again, and the measures are recomputed. "
        "Published figures change only when the quarter is published again."
    )
    current = history[(history["status"] == "accepted") & history["current"]]
    if current.empty:
        st.caption("No current submission is shown above.")
    else:
        choices = {
            r["id"]: f"{r['id']}: {r['extract']} {r['organisation']} {r['period']}, {r['filename']}"
            for r in current.to_dict("records")
        }
        with st.form("withdraw"):
            target = st.selectbox(
                "Current submission to withdraw",
                list(choices),
                format_func=choices.get,
                key="withdraw_pick",
            )
            reason = st.text_input(
                "Why it is withdrawn (kept in the history)",
                key="withdraw_reason",
                max_chars=500,
                placeholder="e.g. loaded under the wrong quarter",
            )
            after = st.radio(
                "Afterwards",
                ["Leave the quarter with no current file", "Make the earlier file current again"],
                key="withdraw_after",
            )
            sure = st.checkbox(
                "I understand the quarter's figures change once the file is withdrawn",
                key="withdraw_sure",
            )
            if st.form_submit_button("Withdraw", key="withdraw_submit"):
                if not sure:
                    st.error("Tick the box to confirm the withdrawal.")
                else:
                    try:
                        done = data.withdraw_submission(
                            int(target),
                            actor=user.username,
                            reason=reason,
                            restore_previous=after.startswith("Make"),
                        )
                    except UserError as exc:
                        st.error(plain(exc))
                    else:
                        now = (
                            f"submission {done.restored_id} is current again"
                            if done.restored_id
                            else "the quarter has no current file"
                        )
                        components.flash(
                            f"Submission {target} is withdrawn; {now}, and the measures are "
                            "recomputed."
                        )
                        st.rerun()
