"""The `carers-impact` command (SPEC section 8)."""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from pathlib import Path

from carers_impact import settings
from carers_impact.errors import UsageError, UserError

DASHBOARD_DIR = Path(__file__).resolve().parent.parent / "dashboard"


def _engine(*, upgrade: bool = True):
    from carers_impact import db

    engine = db.make_engine()
    if upgrade:
        db.upgrade(engine)
    return engine


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from carers_impact import db

    engine = _engine()
    print(f"Database at revision {db.current_revision(engine)}")
    return 0


def cmd_etl_run(args: argparse.Namespace) -> int:
    from etl.inbox import inbox_dir, process_inbox

    inbox = Path(args.inbox) if args.inbox else inbox_dir()
    if not inbox.is_dir():
        raise UsageError(f"the inbox folder {inbox} does not exist")
    run = process_inbox(_engine(), inbox, submitted_by=args.by)
    for path, result in run.results:
        print(f"{path.name}: {result.status}")
        if result.status in ("rejected", "failed"):
            for finding in result.report.errors:
                print(f"    {finding.to_text()}")
    print(run.summary())
    return 1 if run.rejected or run.failed else 0


def cmd_etl_schedule(args: argparse.Namespace) -> int:
    from etl import scheduler

    scheduler.run()
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from etl.pipeline import check_file, identify
    from etl.read import read_descriptor
    from etl.report import ExtractRejected

    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"no file at {path}")
    try:
        report, key = identify(
            path.name, extract=args.extract, organisation=args.organisation, period=args.period
        )
        fd = os.open(path, os.O_RDONLY)
        try:
            content = read_descriptor(fd, report=report)  # its size checked before it is read
        finally:
            os.close(fd)
        check_file(content, key=key, report=report)
    except ExtractRejected as rejected:
        report = rejected.report
    print(report.to_text())
    return 0 if report.ok else 1


def cmd_submissions(args: argparse.Namespace) -> int:
    from etl.load import history

    frame = history(
        _engine(),
        organisation=args.organisation,
        extract=args.extract,
        period=args.period,
        limit=args.limit,
    )
    if frame.empty:
        print("No submissions.")
        return 0
    frame["current"] = frame["current"].map({True: "yes", False: ""})
    frame["submitted_at"] = frame["submitted_at"].astype(str).str[:19]
    columns = [
        "id",
        "submitted_at",
        "extract",
        "organisation",
        "period",
        "status",
        "row_count",
        "current",
        "submitted_by",
        "filename",
    ]
    print(frame[columns].to_string(index=False))
    return 0


def cmd_revert(args: argparse.Namespace) -> int:
    from etl.pipeline import revert

    previous = revert(_engine(), args.submission_id, actor=args.by)
    print(f"Submission {args.submission_id} is current again (replacing {previous}).")
    return 0


def cmd_measures(args: argparse.Namespace) -> int:
    from measures.api import get_area, make_csv_safe, measure_table

    engine = _engine()
    table = measure_table(engine, area=args.area, period=args.period, public=args.public)
    if table.empty:
        print(
            f"error: no figures for {args.area}"
            + (f" in {args.period}" if args.period else "")
            + (" that are published" if args.public else ""),
            file=sys.stderr,
        )
        return 1
    if args.format == "json":
        print(table.to_json(orient="records", indent=1))
    else:
        make_csv_safe(table).to_csv(sys.stdout, index=False, lineterminator="\n")
    if not args.public:
        _say_incomplete(
            engine, get_area(args.area), sorted(p for p in set(table["period"]) if "Q" in p)
        )
    return 0


def _say_incomplete(engine, area, periods: list[str]) -> None:
    """A note on stderr for each quarter shown whose expected extracts are not all loaded."""
    from etl import quality
    from measures.api import catalogue

    sources = {m.id: m.sources for m in catalogue().values()}
    for label, found in quality.completeness(engine, area=area, periods=periods).items():
        if not found.complete:
            affected = ", ".join(found.affected_measures(sources))
            print(
                f"note: {label} is incomplete: {found.summary}; affects {affected}", file=sys.stderr
            )


def cmd_publish(args: argparse.Namespace) -> int:
    from etl import publication

    engine = _engine()
    if args.cancel_schedule:
        publication.cancel_schedule(engine, area=args.area, period=args.period, by=args.by)
        print(f"Cancelled the scheduled publication of {args.period} for {args.area}.")
        return 0
    if args.at:
        done = publication.schedule(
            engine,
            area=args.area,
            period=args.period,
            by=args.by,
            publish_at=_moment(args.at),
            reason=args.reason,
            override_reason=args.override_incomplete,
        )
        print(f"Scheduled {done.period} for {args.area} to be published at {args.at}.")
        return 0
    done = publication.publish(
        engine,
        area=args.area,
        period=args.period,
        by=args.by,
        reason=args.reason,
        override_reason=args.override_incomplete,
    )
    print(f"{done.action.capitalize()} {done.period} for {args.area}.")
    return 0


def cmd_disclosure_check(args: argparse.Namespace) -> int:
    from measures.api import disclosure_check

    check = disclosure_check(_engine(), area=args.area, period=args.period)
    what = (
        f"{args.area} with {', '.join(check.periods)} published now"
        if check.periods
        else f"{args.area} as published"
    )
    print(f"Disclosure check of {what}:")
    print(check.text())
    return 1 if not check.found.empty else 0


def _moment(text: str):
    """`2026-12-10 09:30` (local time of the server) or an ISO time with its offset."""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"{text!r} is not a date and time; write it like 2026-12-10 09:30"
        ) from None
    return moment if moment.tzinfo else moment.astimezone()


def cmd_unpublish(args: argparse.Namespace) -> int:
    from etl import publication

    done = publication.withdraw(
        _engine(), area=args.area, period=args.period, by=args.by, notice=args.notice
    )
    print(f"Withdrew {done.period} for {args.area} from the public view.")
    return 0


def cmd_publications(args: argparse.Namespace) -> int:
    from etl import quality
    from measures.api import get_area, publication_status

    engine = _engine()
    status = publication_status(engine, area=args.area)
    if status.empty:
        print(f"No figures for {args.area} yet.")
        return 0
    found = quality.completeness(engine, area=get_area(args.area), periods=list(status["period"]))
    status["complete"] = status["period"].map(lambda p: found[p].summary)
    for column in ("published_at", "revised_at", "withdrawn_at", "scheduled_for"):
        status[column] = status[column].astype(str).str[:16].replace("NaT", "")
    columns = [
        "period",
        "state",
        "published_at",
        "revised_at",
        "withdrawn_at",
        "scheduled_for",
        "changed_since_publication",
        "complete",
    ]
    print(status[columns].to_string(index=False))
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    from etl.pipeline import withdraw

    done = withdraw(
        _engine(),
        args.submission_id,
        actor=args.by,
        reason=args.reason,
        restore_previous=args.restore_previous,
    )
    now = f"submission {done.restored_id} is current" if done.restored_id else "nothing is current"
    print(
        f"Withdrew submission {done.submission_id} ({done.key.extract} {done.key.organisation} "
        f"{done.key.period}); {now}, and the measures are recomputed."
    )
    return 0


def _read_password(username: str) -> str:
    """From a prompt (asked twice) at a terminal, else the first line of stdin."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass(f"Password for {username}: ")
    if getpass.getpass("Same password again: ") != first:
        raise UserError("the two passwords differ")
    return first


def cmd_users_add(args: argparse.Namespace) -> int:
    from carers_impact import accounts
    from measures.api import area_for_organisation

    for code in args.organisation:
        area_for_organisation(code)
    user = accounts.create_user(
        _engine(),
        args.name,
        password=_read_password(args.name),
        role=args.role,
        organisations=args.organisation,
    )
    orgs = f" for {', '.join(user.organisations)}" if user.organisations else ""
    print(f"Added {user.username} ({user.role}{orgs}).")
    return 0


def cmd_areas_check(args: argparse.Namespace) -> int:
    from measures.api import areas_dir, check_area_files

    folder = Path(args.folder) if args.folder else areas_dir()
    if not folder.is_dir():
        raise UsageError(f"the folder {folder} does not exist")
    areas, errors = check_area_files(folder)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if areas:
        names = ", ".join(f"{a.id} ({a.name})" for a in areas.values())
        files = f"{len(areas)} area file" + (" is" if len(areas) == 1 else "s are")
        print(f"{files} sound in {folder}: {names}")
    if errors:
        print(f"{len(errors)} problem{'s' if len(errors) != 1 else ''} to fix in {folder}")
        return 1
    return 0


PUBLIC_MESSAGE_MB = 5
"""The public view's largest websocket message either way: its pages send small figures only."""


def streamlit_command(*, public: bool, port: int, address: str) -> list[str]:
    """`streamlit run` for the internal dashboard or the public view, with every flag they need.

    The public view takes no uploads at all (`maxUploadSize` 0, and its server
    refuses the upload route) and small websocket messages.
    """
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(DASHBOARD_DIR / ("public_server.py" if public else "server.py")),
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer",
        "--client.showErrorDetails",
        "none" if public else "full",
    ]
    if public:
        command += [
            "--server.maxUploadSize",
            "0",
            "--server.maxMessageSize",
            str(PUBLIC_MESSAGE_MB),
        ]
    return command


def _streamlit(*, port: int, public: bool) -> int:
    env = dict(os.environ)
    if public and settings.get("CARERS_PUBLIC_DB_URL"):
        env["CARERS_DB_URL"] = settings.get("CARERS_PUBLIC_DB_URL")
    address = settings.get("CARERS_SERVE_ADDRESS")
    print(f"Serving on http://{address}:{port}")
    return subprocess.call(streamlit_command(public=public, port=port, address=address), env=env)


def cmd_serve(args: argparse.Namespace) -> int:
    if not args.public:
        _engine()
    return _streamlit(port=args.port, public=args.public)


def cmd_export_public(args: argparse.Namespace) -> int:
    from carers_impact import db
    from dashboard.public.static import export

    folder = args.folder or settings.get("CARERS_PUBLIC_EDITION_DIR")
    if not folder:
        raise UserError("give a folder, or set CARERS_PUBLIC_EDITION_DIR")
    url = settings.get("CARERS_PUBLIC_DB_URL") or settings.database_url()
    engine = db.make_engine(url)
    try:
        edition = export(engine, Path(folder))
    finally:
        engine.dispose()
    print(
        f"Wrote the static public edition to {edition.folder}: {edition.pages} pages, "
        f"{edition.charts} charts, areas {', '.join(edition.areas)}."
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from etl.demo import build_demo

    engine = _engine()
    print(build_demo(engine, rebuild=args.rebuild))
    if args.no_serve:
        return 0
    return _streamlit(port=args.port, public=False)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="carers-impact",
        description="Outcomes and impact measures for local carers' strategies.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo", help="build the demo database through the real pipeline, then serve the dashboard"
    )
    demo.add_argument(
        "--rebuild",
        action="store_true",
        help="regenerate the demo extracts and reload them even if the demo was built before",
    )
    demo.add_argument("--no-serve", action="store_true", help="build only; do not serve")
    demo.add_argument("--port", type=int, default=8501)
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="run the dashboard")
    serve.add_argument("--public", action="store_true", help="the public read-only view")
    serve.add_argument("--port", type=int, default=8501)
    serve.set_defaults(func=cmd_serve)

    etl = sub.add_parser("etl", help="process extracts")
    etl_sub = etl.add_subparsers(dest="etl_command", required=True, metavar="ETL_COMMAND")
    run = etl_sub.add_parser(
        "run", help="process every file in the inbox once; exit 1 if any was rejected"
    )
    run.add_argument("--inbox", help="inbox folder (default: CARERS_INBOX)")
    run.add_argument("--by", default="inbox", help="who the submissions are recorded as from")
    run.set_defaults(func=cmd_etl_run)
    schedule = etl_sub.add_parser("schedule", help="run the scheduler until stopped")
    schedule.set_defaults(func=cmd_etl_schedule)

    validate = sub.add_parser(
        "validate", help="validate a file without loading it; exit 1 if invalid"
    )
    validate.add_argument("file")
    validate.add_argument(
        "--extract", help="carers, assessments, breaks or outcomes (default: from the file name)"
    )
    validate.add_argument("--organisation", help="organisation code (default: from the name)")
    validate.add_argument("--period", help="quarter, e.g. 2024-25 Q1 (default: from the name)")
    validate.set_defaults(func=cmd_validate)

    measures = sub.add_parser("measures", help="print computed measures")
    measures.add_argument("--area", required=True, help="area id, e.g. rotherham")
    measures.add_argument("--period", help="a quarter (2024-25 Q1) or financial year (2024-25)")
    measures.add_argument(
        "--public",
        action="store_true",
        help="published quarters and public measures only, with disclosure control",
    )
    measures.add_argument("--format", choices=["csv", "json"], default="csv")
    measures.set_defaults(func=cmd_measures)

    publish = sub.add_parser(
        "publish", help="publish a quarter (or schedule it, or publish changed figures again)"
    )
    publish.add_argument("--area", required=True)
    publish.add_argument("--period", required=True, help="quarter, e.g. 2024-25 Q1")
    publish.add_argument("--by", default="admin", help="who is publishing")
    publish.add_argument(
        "--reason", default="", help="why: required when publishing changed figures again"
    )
    publish.add_argument(
        "--override-incomplete",
        default="",
        metavar="REASON",
        help="publish although expected extracts are missing, recording this reason",
    )
    publish.add_argument(
        "--at", help="publish at this date and time instead of now, e.g. '2026-12-10 09:30'"
    )
    publish.add_argument(
        "--cancel-schedule", action="store_true", help="cancel the quarter's scheduled publication"
    )
    publish.set_defaults(func=cmd_publish)

    check = sub.add_parser(
        "disclosure-check",
        help="attack the public figures (as published, or with a quarter published now); "
        "exit 1 if anything can be worked out",
    )
    check.add_argument("--area", required=True)
    check.add_argument(
        "--period", help="a quarter: check the figures as they would be with it published now"
    )
    check.set_defaults(func=cmd_disclosure_check)

    unpublish = sub.add_parser("unpublish", help="withdraw a published quarter from public view")
    unpublish.add_argument("--area", required=True)
    unpublish.add_argument("--period", required=True)
    unpublish.add_argument(
        "--notice", required=True, help="the public notice saying why it is withdrawn"
    )
    unpublish.add_argument("--by", default="admin", help="who is withdrawing it")
    unpublish.set_defaults(func=cmd_unpublish)

    publications = sub.add_parser(
        "publications", help="each quarter's publication state and completeness"
    )
    publications.add_argument("--area", required=True)
    publications.set_defaults(func=cmd_publications)

    subs = sub.add_parser("submissions", help="list submissions, newest first")
    subs.add_argument("--organisation")
    subs.add_argument("--extract")
    subs.add_argument("--period")
    subs.add_argument("--limit", type=int, default=50)
    subs.set_defaults(func=cmd_submissions)

    revert = sub.add_parser("revert", help="make an earlier accepted submission current again")
    revert.add_argument("submission_id", type=int)
    revert.add_argument("--by", default="admin", help="who is reverting")
    revert.set_defaults(func=cmd_revert)

    withdraw = sub.add_parser(
        "withdraw", help="withdraw a current submission that should never have been loaded"
    )
    withdraw.add_argument("submission_id", type=int)
    withdraw.add_argument(
        "--reason", required=True, help="why, e.g. 'loaded under the wrong quarter'"
    )
    withdraw.add_argument(
        "--restore-previous",
        action="store_true",
        help="make the latest earlier accepted submission current (default: none is current)",
    )
    withdraw.add_argument("--by", default="admin", help="who is withdrawing it")
    withdraw.set_defaults(func=cmd_withdraw)

    users = sub.add_parser("users", help="dashboard accounts")
    users_sub = users.add_subparsers(dest="users_command", required=True, metavar="USERS_COMMAND")
    users_add = users_sub.add_parser(
        "add", help="add an account; the password is prompted for, or read from stdin"
    )
    users_add.add_argument("name", help="username (an email address for single sign-on)")
    users_add.add_argument("--role", required=True, choices=["viewer", "uploader", "admin"])
    users_add.add_argument(
        "--organisation",
        action="append",
        default=[],
        help="organisation code an uploader submits for, e.g. ROT-ASC (repeat for more)",
    )
    users_add.set_defaults(func=cmd_users_add)

    areas = sub.add_parser("areas", help="area configuration files")
    areas_sub = areas.add_subparsers(dest="areas_command", required=True, metavar="AREAS_COMMAND")
    areas_check = areas_sub.add_parser(
        "check", help="check every area file and list every problem with its file and field"
    )
    areas_check.add_argument(
        "folder", nargs="?", help="folder of area files (default: CARERS_AREAS_DIR)"
    )
    areas_check.set_defaults(func=cmd_areas_check)

    export_public = sub.add_parser(
        "export-public",
        help="write the public view as a static edition: plain HTML, SVG charts, open data",
    )
    export_public.add_argument(
        "folder", nargs="?", help="where to write it (default: CARERS_PUBLIC_EDITION_DIR)"
    )
    export_public.set_defaults(func=cmd_export_public)

    upgrade = sub.add_parser("db-upgrade", help="create or upgrade the database schema")
    upgrade.set_defaults(func=cmd_db_upgrade)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.func(args)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_status


if __name__ == "__main__":
    sys.exit(main())
