"""One sentence on what a measure's status and its SPC assurance mean together.

Status compares the latest value with the trajectory; assurance asks whether
the process, as it varies, will meet the trajectory's values for the coming
quarters (or the next target, where there is no trajectory). The two answer
different questions, so they can differ: the sentence says why, never leaving
a contradiction unexplained.
"""

from __future__ import annotations

from measures.domain.targets import CLOSE, NO_TARGET, NOT_ENOUGH_DATA, OFF_TRACK, ON_TRACK

PASS, FAIL, HIT_AND_MISS = "consistently pass", "consistently fail", "hit and miss"

_SENTENCES = {
    (ON_TRACK, PASS): "On track, and the process as it varies will keep meeting the {what}.",
    (ON_TRACK, HIT_AND_MISS): "On track this quarter, but the process varies either side of "
    "the {what}, so it will sometimes fall behind without change.",
    (ON_TRACK, FAIL): "On track this quarter, but the {what} asks for more than the process "
    "delivers: as it runs, it will fall behind without change.",
    (CLOSE, PASS): "Just behind the trajectory this quarter, though the process usually meets "
    "the {what}: this quarter is unusual for it.",
    (CLOSE, HIT_AND_MISS): "Just behind the trajectory this quarter; the process varies either "
    "side of the {what}, so it will sometimes meet it and sometimes not.",
    (CLOSE, FAIL): "Just behind the trajectory, and as it runs the process will not meet the "
    "{what} without change.",
    (OFF_TRACK, PASS): "Off track this quarter, though the process usually meets the {what}: "
    "this quarter is unusual for it.",
    (OFF_TRACK, HIT_AND_MISS): "Off track this quarter; the process varies either side of the "
    "{what}, so it will sometimes meet it, but not reliably without change.",
    (OFF_TRACK, FAIL): "Off track, and as it runs the process will not meet the {what} "
    "without change.",
}
_STATUS_ONLY = {
    ON_TRACK: "On track",
    CLOSE: "Just behind the trajectory",
    OFF_TRACK: "Off track",
}


def status_and_assurance(
    status: str, assurance: str | None, *, against: str | None, assurance_reason: str = ""
) -> str:
    """The sentence for a status and an assurance judged `against` "trajectory" or "target"."""
    if status == NO_TARGET:
        return "No target, so there is neither a status nor an assurance to give."
    what = "trajectory over the coming quarters" if against == "trajectory" else "next target"
    if status == NOT_ENOUGH_DATA:
        if assurance in (PASS, FAIL, HIT_AND_MISS):
            verb = {
                PASS: "will consistently meet",
                FAIL: "will not meet without change",
                HIT_AND_MISS: "will sometimes meet and sometimes miss",
            }[assurance]
            return f"No status (too little data for it), but the process {verb} the {what}."
        return "Not enough data for a status or an assurance."
    sentence = _SENTENCES.get((status, assurance))
    if sentence is not None:
        return sentence.format(what=what)
    reason = f" ({assurance_reason.rstrip('.')})" if assurance_reason else ""
    return f"{_STATUS_ONLY[status]}; no assurance yet on whether the process will keep it{reason}."
