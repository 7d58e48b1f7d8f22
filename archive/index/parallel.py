"""Bulk writes (imports, rebuilds) indexed by worker processes, while the parent keeps the lock.

Whoosh's own `MpWriter` is not used: its workers are forked, inherit the lock, outlive a killed
parent holding it, and a killed worker hung the commit and lost documents (docs/search.md, "What a
query costs inside Whoosh"). Here:

- each worker is a fresh interpreter (`python -c …work(folder, parent pid)`) started with no file
  descriptors but its three pipes, so it can never hold the index's lock;
- it asks the kernel to kill it when its parent dies (`prctl(PR_SET_PDEATHSIG, SIGKILL)`) and exits
  at once if its parent is already gone (`getppid()`), so no worker outlives a killed import;
- it indexes the documents it reads as JSON lines on its standard input into an index of its own,
  in a private folder inside the index folder (`.import-<parent pid>-…`, which Whoosh ignores), and
  commits them as one segment when its input ends;
- the parent, which holds the index's writer (and so its lock) from start to end, deletes the
  documents being replaced in its own writer, and at commit moves the workers' segments into the
  index folder and commits them with its own changes (the marker): all of it or, if anything
  failed (a worker killed, a full disk), none of it.

A worker that dies makes the whole write fail with its error, never lose documents quietly. The
folders of workers whose parent died are removed by the next bulk write (`clean_leftovers`).
"""
from __future__ import annotations

import ctypes
import json
import os
import queue
import secrets
import shutil
import signal
# subprocess starts this module's workers only: this interpreter, a fixed program, no shell
import subprocess  # nosec B404
import sys
import tempfile
import threading
from pathlib import Path

FOLDER_PREFIX = ".import-"
WORTH_IT = 500  # documents from which workers pay for their start (an interpreter each, ~1 s)
BATCH = 64  # documents a feeder writes to its worker at a time
QUEUED = 8  # batches waiting for a worker (the parent's memory: a few hundred documents)
PUT_TIMEOUT = 1.0  # seconds between looks at the workers while the queue is full
PR_SET_PDEATHSIG = 1
WORKER = "import sys; from archive.index.parallel import work; work(sys.argv[1], int(sys.argv[2]))"


class WorkerFailed(RuntimeError):
    """A worker process failed or was killed: nothing of the write was committed."""


def processes() -> int:
    """How many workers a bulk write uses: the machine's cores, at most four."""
    return max(1, min(4, os.cpu_count() or 1))


class Builders:
    """Worker processes, each building one segment of the documents `put` hands out."""

    def __init__(self, index_path: str | Path, count: int):
        self.index_path = Path(index_path)
        clean_leftovers(self.index_path)
        tag = f"{FOLDER_PREFIX}{os.getpid()}-{secrets.token_hex(3)}"
        self._queue: queue.Queue = queue.Queue(maxsize=QUEUED)
        self._batch: list[bytes] = []
        self._failure: BaseException | None = None
        self.workers: list[subprocess.Popen] = []
        self.folders: list[Path] = []
        self._errors: list = []
        self._feeders: list[threading.Thread] = []
        try:
            for n in range(count):
                folder = self.index_path / f"{tag}-{n}"
                folder.mkdir(mode=0o700)
                self.folders.append(folder)
                errors = tempfile.TemporaryFile()
                self._errors.append(errors)
                self.workers.append(subprocess.Popen(  # nosec B603
                    [sys.executable, "-c", WORKER, str(folder), str(os.getpid())],
                    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors, close_fds=True))
            for worker in self.workers:
                feeder = threading.Thread(target=self._feed, args=(worker,), daemon=True)
                feeder.start()
                self._feeders.append(feeder)
        except BaseException:
            self.cancel()
            raise

    # --- the parent's side ---------------------------------------------------------------------
    def _feed(self, worker: subprocess.Popen) -> None:
        """Write batches to one worker until told to stop (a `None`)."""
        try:
            while True:
                batch = self._queue.get()
                if batch is None:
                    break
                worker.stdin.write(batch)
            worker.stdin.close()
        except OSError as exc:  # the worker died: its pipe is broken
            self._failure = self._failure or exc

    def _check(self) -> None:
        if self._failure is not None or any(w.poll() not in (None, 0) for w in self.workers):
            raise WorkerFailed(self._describe())

    def _describe(self) -> str:
        parts = []
        for worker, errors in zip(self.workers, self._errors):
            if worker.poll() not in (None, 0):
                errors.seek(0)
                tail = errors.read()[-2000:].decode("utf-8", "replace").strip()
                parts.append(f"worker {worker.pid} ended with {worker.returncode}: {tail or 'no message'}")
        return "; ".join(parts) or f"a worker's input broke: {self._failure!r}"

    def _send(self, batch: bytes) -> None:
        while True:
            self._check()
            try:
                self._queue.put(batch, timeout=PUT_TIMEOUT)
                return
            except queue.Full:
                continue

    def put(self, document: dict) -> None:
        """Hand a document to the next free worker."""
        self._batch.append(json.dumps(document, ensure_ascii=False).encode("utf-8") + b"\n")
        if len(self._batch) >= BATCH:
            self._send(b"".join(self._batch))
            self._batch = []

    def finish(self) -> list:
        """Wait for every worker to commit its segment; returns the segments. :raise WorkerFailed:"""
        from whoosh.index import TOC

        from . import schema, writing
        if self._batch:
            self._send(b"".join(self._batch))
            self._batch = []
        for _ in self.workers:
            self._send(None)
        for feeder in self._feeders:
            while feeder.is_alive():
                feeder.join(PUT_TIMEOUT)
                self._check()
        for worker in self.workers:
            worker.wait()
        self._check()
        segments = []
        for folder in self.folders:
            storage = writing.storage(folder)
            segments.extend((folder, s) for s in TOC.read(storage, "MAIN", schema=schema.SCHEMA).segments)
        return segments

    def cancel(self) -> None:
        """Stop the workers and remove their folders."""
        for worker in self.workers:
            if worker.poll() is None:
                worker.kill()
        for worker in self.workers:
            worker.wait()
        while True:  # unblock the feeders
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        for _ in self._feeders:
            try:
                self._queue.put_nowait(None)
            except queue.Full:
                break
        self.cleanup()

    def cleanup(self) -> None:
        for errors in self._errors:
            errors.close()
        for folder in self.folders:
            shutil.rmtree(folder, ignore_errors=True)


def attach(built: list, index_path: str | Path):
    """A Whoosh merge type that adds the workers' segments, moving their files into the index folder
    (it runs inside the parent writer's commit, under its lock)."""
    index_path = Path(index_path)

    def add(_writer, segments):
        added = []
        for folder, segment in built:
            for name in os.listdir(folder):
                if name.startswith(segment.segment_id() + "."):
                    os.replace(folder / name, index_path / name)
            added.append(segment)
        return list(segments) + added
    return add


def _owner_gone(folder: Path, prefix: str) -> bool:
    try:
        os.kill(int(folder.name[len(prefix):].split("-", 1)[0]), 0)
    except (ValueError, ProcessLookupError):
        return True
    except PermissionError:  # a process of another user: alive
        return False
    return False


def clean_leftovers(index_path: Path, prefix: str = FOLDER_PREFIX) -> None:
    """Remove the private folders (`<prefix><pid>-<token>`) whose process died: import workers'
    (this prefix), or background merges' (`merging.FOLDER_PREFIX`)."""
    for folder in index_path.glob(prefix + "*"):
        if folder.is_dir() and _owner_gone(folder, prefix):
            shutil.rmtree(folder, ignore_errors=True)


# --- the worker's side ----------------------------------------------------------------------------

def _die_with_parent(parent: int) -> None:
    """Be killed when the parent dies; exit now if it already has."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def work(folder: str | Path, parent: int) -> None:
    """Index the JSON-lines documents of standard input into one segment in `folder`."""
    _die_with_parent(parent)
    from . import bulk, schema, writing
    writing.setup()
    ix = writing.storage(folder).create_index(schema.SCHEMA)
    writer = bulk.BulkWriter(ix)
    try:
        for line in sys.stdin.buffer:
            writer.add_document(**json.loads(line))
    except BaseException:
        writer.cancel()
        raise
    writing.commit(writer)
