"""Strategy actions: owner, due quarter, status and the measures each serves; updated by viewers."""

import streamlit as st

from dashboard import auth, components, data, markup
from dashboard.text import plain
from measures import api
from measures.api import ACTION_STATUSES

user = auth.require_role("viewer")
components.flash()

st.title("Strategy actions")
area = components.area_picker(default=components.default_area(user))
table = data.actions(area.id)
if table.empty:
    st.info(f"{area.name}'s configuration lists no actions.")
    st.stop()

st.write(
    f"The outputs of {area.strategy.title}: who owns each, when it is due, and how it is going. "
    "The latest update wins over the status in the strategy's configuration."
)
counts = table["status"].value_counts()
for column, status in zip(st.columns(len(ACTION_STATUSES)), ACTION_STATUSES, strict=True):
    column.metric(status.capitalize(), int(counts.get(status, 0)))

st.html(markup.actions_table(table, caption=f"{area.name}: strategy actions"))
components.download_csv(table, filename=f"actions_{area.id}.csv")

st.header("Update an action")
titles = dict(zip(table["action_id"], table["title"], strict=True))
current = dict(zip(table["action_id"], table["status"], strict=True))
with st.form("update_action", clear_on_submit=True):
    action_id = st.selectbox("Action", list(titles), format_func=titles.get, key="action_pick")
    status = st.selectbox(
        "New status",
        ACTION_STATUSES,
        key="action_status",
        help="The latest update is the status shown everywhere",
    )
    note = st.text_area("Note (what changed, what is next)", max_chars=2000, key="action_note")
    if st.form_submit_button("Save update", key="action_save"):
        try:
            data.update_action(
                area=area.id, action_id=action_id, status=status, note=note, author=user.username
            )
        except (api.InvalidActionUpdate, api.UnknownAction) as exc:
            st.error(plain(exc))
        else:
            components.flash(f"{titles[action_id]}: status now {status}.")
            st.rerun()

updates = data.action_updates(area.id)
st.header("History of updates")
if updates.empty:
    st.info("No updates yet.")
else:
    shown = updates.assign(
        action=updates["action_id"].map(titles).fillna(updates["action_id"]),
        written=updates["written_at"].map(components.when),
    )[["written", "action", "status", "note", "author"]]
    st.dataframe(shown, hide_index=True)
    components.download_csv(shown, filename=f"action_updates_{area.id}.csv")
