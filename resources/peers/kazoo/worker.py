"""The lab's `kazoo` peer: one task worker built on kazoo's Election recipe, run with Debian's python3-kazoo.

Every candidate holds a kazoo Lock node under <task>/instance (kazoo names it <uuid hex>__lock__<seq>);
the holder of the smallest is the leader and runs lead() until it returns. Following kazoo's advice on
connection states, a listener (which must not block) tracks them: on SUSPENDED the leader stops working
until the same session is back, on LOST its lock node is gone and it gives up leadership and stands
again on the new session. On SIGTERM it finishes the step in flight, then client.stop() closes the
session, so its node goes at once and the next candidate leads without waiting for the session timeout.

The task is the lab's: the leader sets status "1", reads lastCommit, then every commit interval
commits id+1 to lastCommit (a versioned set, so a stale leader's write fails) and appends one JSON
line {id, worker, time, session} to the sink. Settings come from the lab's ZKLAB_* environment. Log
lines go to stdout, one per event, for the lab's log viewer.
"""
import json
import os
import signal
import sys
import threading
import time

from kazoo.client import KazooClient, KazooState
from kazoo.exceptions import BadVersionError, ConnectionClosedError, ConnectionLoss, SessionExpiredError

CONNECT = os.environ["ZKLAB_CONNECT"]
TASK_PATH = os.environ["ZKLAB_TASK_PATH"]
WORKER_ID = int(os.environ["ZKLAB_WORKER_ID"])
SESSION_TIMEOUT_S = int(os.environ.get("ZKLAB_SESSION_TIMEOUT_MS", "4000")) / 1000
COMMIT_INTERVAL_S = int(os.environ.get("ZKLAB_COMMIT_INTERVAL_MS", "1000")) / 1000
SINK = os.environ["ZKLAB_SINK"]

stopping = threading.Event()
connected = threading.Event()
# One step (commit then record) at a time, so SIGTERM never closes the session between the two.
step = threading.Lock()
# Bumped on every LOST: a leader that sees it move knows its lock node went with the old session.
lost_count = 0


def log(message):
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} worker {WORKER_ID}: {message}", flush=True)


def on_state(state):
    global lost_count
    if state == KazooState.CONNECTED:
        connected.set()
    else:
        connected.clear()
        if state == KazooState.LOST:
            lost_count += 1
    log(f"connection {state}")


def session_hex(client):
    return format(client.client_id[0], "x") if client.client_id else ""


def record(client, commit_id, reconciled=False):
    os.makedirs(os.path.dirname(SINK) or ".", exist_ok=True)
    entry = {"id": commit_id, "worker": WORKER_ID, "time": int(time.time() * 1000), "session": session_hex(client)}
    if reconciled:
        entry["reconciled"] = True
    with open(SINK, "a") as sink:
        sink.write(json.dumps(entry) + "\n")


def last_recorded():
    """The id of the sink's last whole record (0 for none)."""
    try:
        with open(SINK, "rb") as sink:
            sink.seek(0, os.SEEK_END)
            sink.seek(max(0, sink.tell() - 4096))
            lines = [l for l in sink.read().split(b"\n") if l.strip()]
    except FileNotFoundError:
        return 0
    for line in reversed(lines):
        try:
            return int(json.loads(line)["id"])
        except (ValueError, KeyError, TypeError):
            continue
    return 0


def settle_in_doubt(client, commit_id, version):
    """The connection dropped with a set in flight: on the same session, read whether it was applied.
    Returns the new version if it was, the old one if not, None when leadership cannot be trusted."""
    start_losses = lost_count
    while not connected.wait(COMMIT_INTERVAL_S):
        if stopping.is_set() or lost_count != start_losses:
            return None
    if lost_count != start_losses:
        return None
    data, stat = client.get(f"{TASK_PATH}/lastCommit")
    if stat.version == version + 1 and data.decode() == str(commit_id):
        return stat.version
    return version if stat.version == version else None


def lead(client):
    """Called by the Election once this worker holds the smallest lock node; leadership ends when it returns."""
    losses = lost_count
    log(f"leader (session {session_hex(client)})")
    client.set(f"{TASK_PATH}/status", b"1")
    data, stat = client.get(f"{TASK_PATH}/lastCommit")
    last, version = int(data or b"0"), stat.version
    # Commit comes before record: a leader that died between the two left its last commit unrecorded.
    for missing in range(last_recorded() + 1, last + 1):
        record(client, missing, reconciled=True)
        log(f"recorded {missing}, committed by the leader before")
    while not stopping.is_set():
        if lost_count != losses:
            log("session lost: no longer leader")
            return
        if not connected.is_set():
            # SUSPENDED: leadership is in doubt until the same session is back, so no work.
            connected.wait(COMMIT_INTERVAL_S)
            continue
        with step:
            if stopping.is_set():
                return
            commit_id = last + 1
            try:
                version = client.set(f"{TASK_PATH}/lastCommit", str(commit_id).encode(), version=version).version
            except BadVersionError:
                log(f"commit {commit_id} refused: lastCommit moved, someone else leads")
                return
            except (ConnectionLoss, SessionExpiredError, ConnectionClosedError):
                settled = settle_in_doubt(client, commit_id, version)
                if settled is None:
                    log(f"commit {commit_id} in doubt and the session is gone: no longer leader")
                    return
                if settled == version:
                    continue
                version = settled
            record(client, commit_id)
            last = commit_id
            log(f"commit {commit_id}")
        stopping.wait(COMMIT_INTERVAL_S)


def stand(client):
    election = client.Election(f"{TASK_PATH}/instance", str(WORKER_ID))
    while not stopping.is_set():
        try:
            election.run(lead, client)
        except (ConnectionLoss, SessionExpiredError, ConnectionClosedError) as err:
            if stopping.is_set():
                return
            log(f"election interrupted ({type(err).__name__}): standing again")
            connected.wait(COMMIT_INTERVAL_S)


def main():
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    client = KazooClient(
        hosts=CONNECT,
        timeout=SESSION_TIMEOUT_S,
        connection_retry={"max_tries": -1, "max_delay": 1},
    )
    client.add_listener(on_state)
    client.start(timeout=15)
    log(f"started, session {session_hex(client)}")
    threading.Thread(target=stand, args=(client,), daemon=True).start()
    while not stopping.wait(0.5):
        pass
    # Let a step in flight finish, then close the session: ZooKeeper deletes our node at once.
    step.acquire(timeout=2)
    client.stop()
    client.close()
    log("stopped, session closed")
    sys.exit(128 + signal.SIGTERM)


if __name__ == "__main__":
    main()
