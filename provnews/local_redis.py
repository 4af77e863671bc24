"""A throwaway redis-server on a free loopback port, for the shared-crawl tests and bench.

Debian's redis-server package provides the binary (`.ci/run` installs it, as root, when missing).
No persistence: each server starts empty and dies with its test session.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time

import redis

REDIS_SERVER = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self):
        if REDIS_SERVER is None:
            raise RuntimeError("redis-server is not installed (Debian: apt-get install redis-server)")
        self.dir = tempfile.mkdtemp(prefix="provnews-redis-")
        self.proc: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, attempts: int = 5) -> "RedisServer":
        for _ in range(attempts):  # a free port can be taken between probe and bind: try another
            self.port = _free_port()
            self.proc = subprocess.Popen(
                [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", self.dir, "--protected-mode", "yes"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    client.ping()
                    client.close()
                    return self
                except redis.ConnectionError:
                    time.sleep(0.02)  # waiting for the server to listen, checked by PING
            self.stop()
        raise RuntimeError("redis-server did not start")

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)
