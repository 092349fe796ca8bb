# JSON reader for scripts/bench/tasks, run once as a bash coprocess so that a poll costs a line
# on a pipe instead of a Python start-up. Reads "<mode> <file>" lines, answers one line each:
#   arns FILE      RunTask answer        -> the task ARNs, space-separated
#   status FILE    DescribeTasks answer  -> each task's lastStatus, space-separated
#   stopped FILE   DescribeTasks answer  -> why each STOPPED task stopped, as one JSON list
#   foreign FILE   DescribeTasks answer  -> "yes" when every STOPPED task lost its container to
#                  someone else (see gone()), else "no"
#   state FILE     container inspect     -> State.Status ("created", "running", "exited", ...)
#   running FILE   container list        -> how many of the listed containers are running
#   stats FILE     numbers, one a line   -> "n p50 p90" in the numbers' unit (nearest rank)
# A line starting "ERR " reports an answer that is not what was expected (failures included).
import json
import math
import sys


def percentile(values, p):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


# A task whose container someone else killed or removed: while running (exit 137 from the
# kill, or the container vanished), or between create and start (Docker refuses the start).
def gone(task):
    reasons = " ".join(c.get("reason") or "" for c in task.get("containers", [])) + (task.get("stoppedReason") or "")
    if task.get("stopCode") == "EssentialContainerExited":
        return all(c.get("exitCode") == 137 or "no longer exists" in (c.get("reason") or "")
                   for c in task.get("containers", []))
    if task.get("stopCode") == "TaskFailedToStart":
        return "marked for removal" in reasons or "No such container" in reasons
    return False


def answer(mode, path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if mode == "stats":
        values = [float(v) for v in text.split()]
        if not values:
            return "0 - -"
        return f"{len(values)} {percentile(values, 50):.1f} {percentile(values, 90):.1f}"
    doc = json.loads(text)
    if mode in ("arns", "status"):
        if doc.get("failures"):
            return "ERR failures: " + json.dumps(doc["failures"])[:400]
        key = "taskArn" if mode == "arns" else "lastStatus"
        return " ".join(t.get(key, "?") for t in doc.get("tasks", []))
    if mode == "stopped":
        return json.dumps([{k: t.get(k) for k in ("taskArn", "stopCode", "stoppedReason", "createdAt",
                                                    "startedAt", "stoppingAt", "stoppedAt")}
                           | {"containers": [{k: c.get(k) for k in ("name", "lastStatus", "exitCode", "reason",
                                                                     "runtimeId")}
                                             for c in t.get("containers", [])]}
                           for t in doc.get("tasks", []) if t.get("lastStatus") == "STOPPED"])
    if mode == "foreign":
        stopped = [t for t in doc.get("tasks", []) if t.get("lastStatus") == "STOPPED"]
        lost = [t for t in stopped if gone(t)]
        return "yes" if stopped and len(lost) == len(stopped) else "no"
    if mode == "state":
        return doc.get("State", {}).get("Status", "?")
    if mode == "running":
        return str(sum(1 for c in doc if c.get("State") == "running"))
    return "ERR unknown mode " + mode


for line in sys.stdin:
    mode, _, path = line.rstrip("\n").partition(" ")
    try:
        out = answer(mode, path)
    except Exception as e:  # noqa: BLE001 - every failure becomes one answer line
        out = f"ERR {type(e).__name__}: {e}"
    print(out.replace("\n", " "), flush=True)
