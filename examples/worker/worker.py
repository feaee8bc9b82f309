"""A minimal external worker for the lab, in Python with kazoo (Debian: apt-get install python3-kazoo).

Run it as the lab would: zklab run kill-primary --external "/usr/bin/python3 examples/worker/worker.py".
The lab passes its settings as ZKLAB_* environment variables (README.md, "External workers").

What it does, and all the lab judges it by:
  1. joins the election: an EPHEMERAL_SEQUENTIAL node <task>/instance/<uuid>-member-<seq>;
  2. waits until its node has the smallest sequence number, watching only the node just before it
     (so a failover wakes one worker, not all of them);
  3. as primary: sets status to "1", then every commit interval writes lastCommit + 1 with the version it
     read (a primary that is not the primary any more fails instead of overwriting), and after each
     commit appends {"id", "worker", "time", "session"} as one JSON line to the sink;
  4. stops working as soon as its connection to ZooKeeper is in doubt, and exits when its session is lost.
"""
import json
import os
import signal
import sys
import threading
import time
import uuid

from kazoo.client import KazooClient, KazooState

CONNECT = os.environ["ZKLAB_CONNECT"]
TASK_PATH = os.environ["ZKLAB_TASK_PATH"]
WORKER_ID = int(os.environ["ZKLAB_WORKER_ID"])
SINK = os.environ["ZKLAB_SINK"]
SESSION_TIMEOUT_S = int(os.environ["ZKLAB_SESSION_TIMEOUT_MS"]) / 1000
COMMIT_INTERVAL_S = int(os.environ["ZKLAB_COMMIT_INTERVAL_MS"]) / 1000

connected = threading.Event()
stopping = threading.Event()


def log(message):
    print(f"worker {WORKER_ID}: {message}", flush=True)


def on_state(state):
    # kazoo calls this on its own thread and it must not block: only note the state.
    if state == KazooState.CONNECTED:
        connected.set()
    else:
        connected.clear()
    if state == KazooState.LOST:
        log("session lost: my election node is gone, giving up")
        os._exit(1)


def sequence(name):
    return int(name.rsplit("-", 1)[1])


def wait_until_first(client, me):
    """Blocks until `me` is the smallest child of the election, watching only its predecessor."""
    while not stopping.is_set():
        children = sorted(client.get_children(f"{TASK_PATH}/instance"), key=sequence)
        before = [c for c in children if sequence(c) < sequence(me)]
        if not before:
            return
        gone = threading.Event()
        if client.exists(f"{TASK_PATH}/instance/{before[-1]}", watch=lambda _event: gone.set()):
            log(f"standby behind {before[-1]}")
            while not (gone.wait(0.5) or stopping.is_set()):
                pass


def last_recorded():
    try:
        with open(SINK) as sink:
            lines = [line for line in sink if line.strip()]
        return int(json.loads(lines[-1])["id"]) if lines else 0
    except (FileNotFoundError, ValueError, KeyError):
        return 0


def record(client, commit_id):
    entry = {"id": commit_id, "worker": WORKER_ID, "time": int(time.time() * 1000),
             "session": format(client.client_id[0], "x")}
    with open(SINK, "a") as sink:
        sink.write(json.dumps(entry) + "\n")


def lead(client):
    log("primary")
    client.set(f"{TASK_PATH}/status", b"1")
    data, stat = client.get(f"{TASK_PATH}/lastCommit")
    last, version = int(data or b"0"), stat.version
    # A primary killed between its commit and its record left that id unrecorded: record it now.
    for missing in range(last_recorded() + 1, last + 1):
        record(client, missing)
    while not stopping.wait(COMMIT_INTERVAL_S):
        if not connected.is_set():
            continue  # Suspended: maybe not primary any more, so no work until the session is back.
        version = client.set(f"{TASK_PATH}/lastCommit", str(last + 1).encode(), version=version).version
        last += 1
        record(client, last)


def main():
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    client = KazooClient(hosts=CONNECT, timeout=SESSION_TIMEOUT_S)
    client.add_listener(on_state)
    client.start(timeout=15)
    me = client.create(f"{TASK_PATH}/instance/{uuid.uuid4().hex}-member-", ephemeral=True, sequence=True,
                       makepath=True).rsplit("/", 1)[1]
    log(f"joined the election as {me}")
    try:
        wait_until_first(client, me)
        if not stopping.is_set():
            lead(client)
    finally:
        # Closing the session deletes our node at once: the next worker need not wait for a timeout.
        client.stop()
        client.close()
    sys.exit(0)


if __name__ == "__main__":
    main()
