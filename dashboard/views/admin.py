"""Administration: accounts and roles, and publishing a quarter."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from carers_impact import accounts
from carers_impact.errors import UserError
from dashboard import auth, components, data
from dashboard.text import plain, plain_table
from measures import api

UK = ZoneInfo("Europe/London")

user = auth.require_role("admin")
components.flash()

st.title("Administration")
# The open section is kept in the URL (?section=...) and only it is built.
people, publishing = st.tabs(["Accounts", "Publishing"], key="section", bind="query-params")
organisations = {
    org.code: f"{org.code}: {org.name}"
    for area in api.areas().values()
    for org in area.organisations
}


def account_table(users: list[accounts.User]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "username": u.username,
                "role": u.role,
                "organisations": ", ".join(u.organisations),
                "active": "yes" if u.active else "no",
                "locked until": components.when(u.locked_until) if u.locked() else "",
                "last sign-in": components.when(u.last_login_at),
                "signs in with": "password" if u.has_password else "single sign-on",
            }
            for u in users
        ],
        columns=[
            "username",
            "role",
            "organisations",
            "active",
            "locked until",
            "last sign-in",
            "signs in with",
        ],
    )


if people.open:
    with people:
        engine = data.engine()
        users = accounts.list_users(engine)
        table = account_table(users)
        st.table(plain_table(table), hide_index=True)
        components.download_csv(table, filename="accounts.csv")

        st.header("Add an account")
        with st.form("add_account", clear_on_submit=True):
            username = st.text_input(
                "Username (an email address for single sign-on)", key="new_username"
            )
            role = st.selectbox("Role", accounts.ROLES, key="new_role")
            orgs = st.multiselect(
                "Organisations (uploaders only)",
                list(organisations),
                format_func=organisations.get,
                key="new_orgs",
            )
            password = st.text_input(
                f"Temporary password (at least {accounts.MIN_PASSWORD_LENGTH} characters; "
                "leave blank for single sign-on only)",
                type="password",
                key="new_password",
            )
            if st.form_submit_button("Add account", key="new_submit"):
                try:
                    made = accounts.create_user(
                        engine, username, password=password or None, role=role, organisations=orgs
                    )
                except accounts.AccountError as exc:
                    st.error(plain(exc))
                else:
                    components.flash(f"Added {made.username} ({made.role}).")
                    st.rerun()

        st.header("Change an account")
        names = [u.username for u in users]
        by_name = {u.username: u for u in users}
        chosen = st.selectbox("Account", names, key="edit_user")
        account = by_name[chosen]
        with st.form("edit_role"):
            role = st.selectbox(
                "Role",
                accounts.ROLES,
                index=accounts.ROLES.index(account.role),
                key="edit_role_pick",
            )
            orgs = st.multiselect(
                "Organisations (uploaders only)",
                list(organisations),
                default=[o for o in account.organisations if o in organisations],
                format_func=organisations.get,
                key="edit_orgs",
            )
            if st.form_submit_button("Save role", key="edit_role_save"):
                try:
                    accounts.set_role(engine, chosen, role, organisations=orgs)
                except accounts.AccountError as exc:
                    st.error(plain(exc))
                else:
                    components.flash(f"{chosen} is now {role}.")
                    st.rerun()
        with st.form("reset_password", clear_on_submit=True):
            new_password = st.text_input(
                "New password (also unlocks the account)", type="password", key="reset_password"
            )
            if st.form_submit_button("Reset password", key="reset_submit"):
                try:
                    accounts.reset_password(engine, chosen, new_password)
                except accounts.AccountError as exc:
                    st.error(plain(exc))
                else:
                    components.flash(f"The password of {chosen} is reset and the account unlocked.")
                    st.rerun()
        if account.active:
            if st.button(f"Deactivate {plain(chosen)}", key="deactivate"):
                try:
                    accounts.deactivate(engine, chosen)
                except accounts.AccountError as exc:
                    st.error(plain(exc))
                else:
                    components.flash(f"{chosen} can no longer sign in.")
                    st.rerun()
        elif st.button(f"Reactivate {plain(chosen)}", key="reactivate"):
            accounts.reactivate(engine, chosen)
            components.flash(f"{chosen} can sign in again.")
            st.rerun()

if publishing.open:
    with publishing:
        area = components.area_picker()
        status = data.publication_status(area.id)
        st.write(
            "A quarter is provisional until it is published. Publishing shows its public "
            "measures, with small numbers suppressed, on the public view (a financial year's "
            "figures follow with its Q4), and keeps a copy of them: later changes (a late or "
            "withdrawn file) reach the public only when the quarter is published again, marked "
            "as revised with your reason. A quarter missing expected extracts is published only "
            "with a reason for the override."
        )
        if status.empty:
            st.info(f"{area.name} has no figures yet.")
            st.stop()
        found = data.completeness(area.id, list(status["period"]))

        def state_words(row) -> str:
            if row["state"] == "scheduled":
                return f"To be published on {components.when(row['scheduled_for'])}"
            if row["state"] == "withdrawn":
                return f"Withdrawn on {components.when(row['withdrawn_at'])}"
            if row["state"] == "published":
                words = f"Published on {components.when(row['first_published_at'])}"
                if not pd.isna(row["revised_at"]):
                    words += f", revised on {components.when(row['revised_at'])}"
                if row["changed_since_publication"]:
                    words += (
                        f"; {row['changed_since_publication']:,} figures changed since: "
                        "publish again to update the public view"
                    )
                return words
            return "Provisional"

        shown = pd.DataFrame(
            {
                "Quarter": status["period"],
                "State": [state_words(r) for r in status.to_dict("records")],
                "Extracts": [found[p].summary for p in status["period"]],
                "Last action by": status["published_by"].fillna(status["scheduled_by"]).fillna(""),
            }
        )
        st.dataframe(shown, hide_index=True)
        components.download_csv(shown, filename=f"publication_{area.id}.csv")

        labels = status["period"].tolist()
        ready = [
            p
            for p, state in zip(labels, status["state"], strict=True)
            if state == "provisional" and found[p].complete
        ]
        quarter = st.selectbox(
            "Quarter",
            labels,
            index=labels.index(ready[0]) if ready else 0,
            key="publish_quarter",
            help="Opens on the latest complete quarter not yet published",
        )
        row = status.set_index("period").loc[quarter]
        complete = found[quarter].complete
        if not complete:
            affected = data.affected_measures(found[quarter])
            st.warning(
                f"{quarter} is incomplete: {found[quarter].summary}."
                + (f" Measures affected: {', '.join(affected)}." if affected else ""),
                icon=":material/warning:",
            )
        revising = row["state"] == "published"
        with st.form("publish"):
            when_choice = st.radio(
                "When", ["Publish now", "Schedule for a date and time"], key="publish_when"
            )
            day = st.date_input("Date (for a scheduled publication)", key="publish_day")
            hour = st.time_input("Time, UK (for a scheduled publication)", key="publish_time")
            reason = st.text_input(
                "Why the figures are published again (shown to the public as the reason for "
                "the revision)"
                if revising
                else "Note (optional)",
                key="publish_reason",
                max_chars=500,
            )
            override = ""
            if not complete:
                override = st.text_input(
                    "Reason for publishing although expected extracts are missing (recorded)",
                    key="publish_override",
                    max_chars=500,
                )
            sure = st.checkbox(
                "I have checked this quarter's figures and they can be made public",
                key="publish_sure",
            )
            if st.form_submit_button(
                "Publish again" if revising else "Publish", type="primary", key="publish_submit"
            ):
                if not sure:
                    st.error("Tick the box to confirm the figures have been checked.")
                else:
                    try:
                        if when_choice.startswith("Schedule"):
                            moment = datetime.combine(day, hour, tzinfo=UK)
                            data.schedule_publication(
                                area=area.id,
                                period=quarter,
                                by=user.username,
                                publish_at=moment,
                                reason=reason,
                                override_reason=override,
                            )
                            message = f"{quarter} will be published on {components.when(moment)}."
                        else:
                            done = data.publish(
                                area=area.id,
                                period=quarter,
                                by=user.username,
                                reason=reason,
                                override_reason=override,
                            )
                            message = f"{done.action.capitalize()} {quarter} for {area.name}."
                    except UserError as exc:
                        st.error(plain(exc))
                    else:
                        components.flash(message)
                        st.rerun()
        if row["state"] == "scheduled" and st.button(
            f"Cancel the scheduled publication of {quarter}", key="publish_cancel"
        ):
            data.cancel_schedule(area=area.id, period=quarter, by=user.username)
            components.flash(f"The scheduled publication of {quarter} is cancelled.")
            st.rerun()
        if revising:
            with st.form("unpublish"):
                st.subheader(f"Withdraw {quarter} from the public view")
                notice = st.text_area(
                    "Public notice: why the figures are withdrawn (shown in their place)",
                    key="unpublish_notice",
                    max_chars=1000,
                )
                if st.form_submit_button("Withdraw the published figures", key="unpublish_submit"):
                    try:
                        data.withdraw_publication(
                            area=area.id, period=quarter, by=user.username, notice=notice
                        )
                    except UserError as exc:
                        st.error(plain(exc))
                    else:
                        components.flash(f"{quarter} is withdrawn from the public view.")
                        st.rerun()

        st.subheader("Publication history")
        history = data.publication_history(area.id)
        if history.empty:
            st.caption("Nothing has been published yet.")
        else:
            table = history.assign(when=history["at"].map(components.when))[
                ["when", "period", "action", "by", "reason", "override_reason"]
            ].rename(
                columns={
                    "when": "When",
                    "period": "Quarter",
                    "action": "Action",
                    "by": "By",
                    "reason": "Reason or notice",
                    "override_reason": "Override of missing extracts",
                }
            )
            st.dataframe(table, hide_index=True)
            components.download_csv(table, filename=f"publication_history_{area.id}.csv")
