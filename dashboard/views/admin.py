"""Administration: accounts and roles, and publishing a quarter."""

import pandas as pd
import streamlit as st

from carers_impact import accounts
from dashboard import auth, components, data
from measures import api

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
        st.table(table, hide_index=True)
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
                    st.error(str(exc))
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
                    st.error(str(exc))
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
                    st.error(str(exc))
                else:
                    components.flash(f"The password of {chosen} is reset and the account unlocked.")
                    st.rerun()
        if account.active:
            if st.button(f"Deactivate {chosen}", key="deactivate"):
                try:
                    accounts.deactivate(engine, chosen)
                except accounts.AccountError as exc:
                    st.error(str(exc))
                else:
                    components.flash(f"{chosen} can no longer sign in.")
                    st.rerun()
        elif st.button(f"Reactivate {chosen}", key="reactivate"):
            accounts.reactivate(engine, chosen)
            components.flash(f"{chosen} can sign in again.")
            st.rerun()

if publishing.open:
    with publishing:
        area = components.area_picker()
        status = data.publication_status(area.id)
        st.write(
            "A quarter is provisional until it is published. Publishing shows its public measures, "
            "with small numbers suppressed, on the public view; a financial year's figures "
            "follow once its Q4 is published."
        )
        if status.empty:
            st.info(f"{area.name} has no figures yet.")
        else:
            shown = status.assign(
                state=status["published"].map({True: "Published", False: "Provisional"}),
                when=status["published_at"].map(components.when),
            )[["period", "state", "when", "published_by"]]
            st.dataframe(shown, hide_index=True)
            components.download_csv(shown, filename=f"publication_{area.id}.csv")
            provisional = status.loc[~status["published"], "period"].tolist()
            if not provisional:
                st.caption("Every quarter with figures is published.")
            else:
                with st.form("publish"):
                    quarter = st.selectbox("Quarter to publish", provisional, key="publish_quarter")
                    sure = st.checkbox(
                        "I have checked this quarter's figures and they can be made public",
                        key="publish_sure",
                    )
                    if st.form_submit_button("Publish", type="primary", key="publish_submit"):
                        if not sure:
                            st.error("Tick the box to confirm the figures have been checked.")
                        else:
                            try:
                                label = data.publish(area=area.id, period=quarter, by=user.username)
                            except (api.AlreadyPublished, api.NothingToPublish) as exc:
                                st.error(str(exc))
                            else:
                                components.flash(f"Published {label} for {area.name}.")
                                st.rerun()
