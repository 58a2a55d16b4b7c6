"""Elasticsearch nodes a fault test owns: started on free 127.0.0.1 ports with
``scripts/elasticsearch.sh`` (data kept across restarts, optionally joined into one cluster),
killed with SIGKILL, restarted with their data or empty. Never the shared test node."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "elasticsearch.sh"
HEAP = "256m"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def es_dir() -> Path:
    return Path(os.environ.get("VOLUNTEER_HUB_ES_DIR") or REPO / ".es")


def data_dir() -> Path:
    """A fresh data directory the node's user can reach (pytest's tmp_path is private to root)."""
    return es_dir() / "fault-data" / uuid.uuid4().hex[:12]


@dataclass
class LocalNode:
    data_dir: Path = field(default_factory=data_dir)
    port: int = field(default_factory=free_port)
    transport_port: int = field(default_factory=free_port)
    cluster_env: dict[str, str] = field(default_factory=dict)  # ES_CLUSTER_NAME, ES_SEED_HOSTS...

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def name(self) -> str:
        return f"vh-test-{self.port}"

    def start_process(self) -> subprocess.Popen[str]:
        """Start without waiting (a cluster's nodes must start together to elect a master)."""
        env = {
            **os.environ,
            "VOLUNTEER_HUB_ES_DIR": str(es_dir()),
            "ES_HEAP": HEAP,
            "ES_DATA_DIR": str(self.data_dir),
            **self.cluster_env,
        }
        argv = [
            "bash",
            str(SCRIPT),
            "start",
            "--port",
            str(self.port),
            "--transport-port",
            str(self.transport_port),
            "--timeout",
            "150",
            "--watch-pid",
            str(os.getpid()),
        ]
        return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603

    def start(self) -> None:
        proc = self.start_process()
        out, err = proc.communicate(timeout=200)
        if proc.returncode:
            raise RuntimeError(f"node {self.port} did not start: {err[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the whole node (launcher and JVM), as a crash or the OOM killer would."""
        launcher = es_dir() / "nodes" / str(self.port) / "launcher.pid"
        pid = int(launcher.read_text().strip())
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        subprocess.run(
            ["bash", str(SCRIPT), "stop", "--port", str(self.port)],  # noqa: S603 - watchdog, files
            env={**os.environ, "VOLUNTEER_HUB_ES_DIR": str(es_dir())},
            capture_output=True,
            timeout=60,
        )

    def wipe(self) -> None:
        """Lose the data (a node that comes back empty). A JVM still exiting may write a last file."""
        for _attempt in range(5):
            shutil.rmtree(self.data_dir, ignore_errors=True)
            if not self.data_dir.exists():
                return
            time.sleep(1)

    def stop(self) -> None:
        subprocess.run(
            ["bash", str(SCRIPT), "stop", "--port", str(self.port)],  # noqa: S603
            env={**os.environ, "VOLUNTEER_HUB_ES_DIR": str(es_dir())},
            capture_output=True,
            timeout=120,
        )
