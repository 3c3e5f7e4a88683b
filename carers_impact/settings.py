"""Every setting of the product, as data: name, default and help.

Settings come from environment variables. ``docs/settings.md`` documents each
one and a test fails if a setting is missing there.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "CARERS_DB_URL",
        "",
        "SQLAlchemy database URL. Empty: a SQLite file `data/carers_impact.db` "
        "in the working directory. For production use PostgreSQL, e.g. "
        "`postgresql+psycopg://user@host/carers`.",
    ),
    Setting(
        "CARERS_PUBLIC_DB_URL",
        "",
        "Database URL used by the public view (`serve --public`). Empty: the same "
        "as CARERS_DB_URL. In production point it at the read-only public role.",
    ),
    Setting(
        "CARERS_INBOX",
        "data/inbox",
        "Folder the scheduler and `etl run` read extracts from; accepted files move "
        "to `processed/` and rejected ones to `rejected/` inside it.",
    ),
    Setting(
        "CARERS_MAX_FILE_MB",
        "100",
        "Largest extract accepted, in megabytes; larger files are rejected unread.",
    ),
    Setting(
        "CARERS_INBOX_SETTLE_SECONDS",
        "5",
        "How long a file in the inbox must keep the same size and modification time "
        "before it is taken, in seconds (it may be a number with decimals); a file still "
        "being copied is left for a later pass.",
    ),
    Setting(
        "CARERS_POLL_SECONDS",
        "300",
        "How often the scheduler looks in the inbox, in seconds.",
    ),
    Setting(
        "CARERS_RECOMPUTE_CRON",
        "0 2 * * *",
        "When the scheduler's nightly recompute of all measures runs (cron syntax, "
        "minute hour day month weekday, server local time).",
    ),
    Setting(
        "CARERS_LATE_CHECK_CRON",
        "0 7 * * 1",
        "When the scheduler checks for late or missing submissions (cron syntax).",
    ),
    Setting(
        "CARERS_PUBLISH_CHECK_SECONDS",
        "60",
        "How often the scheduler looks for scheduled publications whose time has come, in seconds.",
    ),
    Setting(
        "CARERS_PUBLIC_EDITION_DIR",
        "",
        "Folder of the static public edition (`export-public`). When set, the scheduler "
        "writes it again after each publication, revision or withdrawal (checked every "
        "CARERS_PUBLISH_CHECK_SECONDS). Empty: no static edition.",
    ),
    Setting(
        "CARERS_SCHEDULER_LEASE_SECONDS",
        "60",
        "How long a scheduler process holds the right to run jobs without renewing it; a "
        "second scheduler started by mistake waits, and takes over this long after the "
        "first one stops.",
    ),
    Setting(
        "CARERS_SUBMISSION_DUE_DAYS",
        "45",
        "Days after a quarter ends by which each organisation's extracts are due; "
        "later ones are shown as late.",
    ),
    Setting(
        "CARERS_TIMELINESS_DAYS",
        "28",
        "Days from request to completion within which an assessment counts as timely.",
    ),
    Setting(
        "CARERS_AREAS_DIR",
        "",
        "Folder of area files (one `<area id>.toml` per local partnership). Empty: the five "
        "demo areas shipped in `measures/areas/`. See docs/setup.md.",
    ),
    Setting(
        "CARERS_REFERENCE_DIR",
        "",
        "Folder of reference data (Census 2021, ASCOF). Empty: the project's `data/reference/`.",
    ),
    Setting(
        "CARERS_SERVE_ADDRESS",
        "127.0.0.1",
        "Address the dashboard listens on (`serve`, `demo`); use 0.0.0.0 behind a reverse proxy.",
    ),
    Setting(
        "CARERS_LOGIN_ATTEMPTS",
        "5",
        "Wrong passwords in a row for a username (or from a browser that signed in to "
        "it before) after which signing in with it pauses.",
    ),
    Setting(
        "CARERS_LOCKOUT_MINUTES",
        "15",
        "Minutes signing in with a username pauses after too many wrong passwords.",
    ),
    Setting(
        "CARERS_SESSION_IDLE_MINUTES",
        "30",
        "Minutes without activity after which a dashboard session ends and the "
        "person signs in again.",
    ),
    Setting(
        "CARERS_SESSION_MAX_HOURS",
        "12",
        "Hours after signing in at which a dashboard session ends however active it is.",
    ),
    Setting(
        "CARERS_SESSION_SECRET",
        "",
        "Key that signs the dashboard's session and device cookies. Empty: a random key "
        "made on first use and kept in the database, shared by every replica.",
    ),
    Setting(
        "CARERS_TEST_POSTGRES_URL",
        "",
        "Tests only: a PostgreSQL URL; when set, the database tests also run "
        "against it (CI sets it).",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> str:
    """The value of a setting: the environment variable, else its default."""
    setting = _BY_NAME[name]
    value = os.environ.get(name, "").strip()
    return value or setting.default


def get_int(name: str) -> int:
    raw = get(name)
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"Setting {name} must be a whole number, not {raw!r}") from None


def get_seconds(name: str) -> float:
    raw = get(name)
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise ValueError(f"Setting {name} must be a number of seconds, not {raw!r}")
    return value


def database_url() -> str:
    """The database URL: CARERS_DB_URL, or the SQLite file under `data/`."""
    url = get("CARERS_DB_URL")
    if url:
        return url
    path = Path("data") / "carers_impact.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def reference_dir() -> Path:
    value = get("CARERS_REFERENCE_DIR")
    return Path(value) if value else PROJECT_ROOT / "data" / "reference"
