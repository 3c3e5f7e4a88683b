"""The internal dashboard's pages and the role each needs, in menu order."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to dashboard/app.py
    title: str
    icon: str
    role: str  # the least role that may open it (see carers_impact.accounts.ROLES)


PAGES: tuple[PageSpec, ...] = (
    PageSpec("views/scorecard.py", "Scorecard", ":material/table_chart:", "viewer"),
    PageSpec("views/measure.py", "Measure", ":material/monitoring:", "viewer"),
    PageSpec("views/actions.py", "Strategy actions", ":material/checklist:", "viewer"),
    PageSpec("views/upload.py", "Upload extracts", ":material/upload_file:", "uploader"),
    PageSpec("views/quality.py", "Data quality", ":material/fact_check:", "uploader"),
    PageSpec("views/admin.py", "Administration", ":material/admin_panel_settings:", "admin"),
)

MEASURE_PAGE = "views/measure.py"


def in_menu(spec: PageSpec, user) -> bool:
    """Whether a page is listed in the menu for a signed-in account (None: nobody is)."""
    return user is not None and user.has_role(spec.role)
