"""The page bench's servers: kb's and Wagtail's gunicorn, wrk against them, a private Redis."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
LUA = str(ROOT / "bench" / "wrk_paths.lua")
WAGTAIL_VENV = ROOT / "var" / "wagtail-venv"
WAGTAIL_SITE = ROOT / "var" / "wagtail-site"
TICKS = os.sysconf("SC_CLK_TCK")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
# The longest a server may take to finish the requests wrk left queued when it stopped.
SETTLE_TIMEOUT = 180


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_tree_cpu(pid: int) -> float:
    """CPU seconds used so far by ``pid`` and its children (gunicorn's master and workers)."""
    total = 0.0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def wrk(port: int, paths_file: str, duration: int, *, miss: bool = False,
        cookie: str | None = None) -> dict:
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{duration}s", "--timeout", "10s"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    args += ["-s", LUA, f"http://127.0.0.1:{port}", "--", paths_file]
    if miss:
        args.append("miss")
    done = subprocess.run(args, capture_output=True, text=True)
    found = re.search(r"^JSON(.*)$", done.stdout, re.M)
    if not found:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr[-500:]}")
    return json.loads(found.group(1))


class Server:
    """gunicorn with 2 sync workers on a free port; its log goes to a file, never a pipe
    nobody reads (a full pipe would block the workers' logging, and so the workers)."""

    def __init__(self, command: list[str], env: dict, *, cwd: Path = ROOT, probe: str = "/healthz",
                 path: str = ""):
        self.port, self.probe, self.path = free_port(), probe, path
        # Open as long as the server runs (closed in stop()).
        self.log = tempfile.NamedTemporaryFile("w+", prefix="kb-bench-gunicorn-", suffix=".log",  # noqa: SIM115
                                               delete=False)
        self.process = subprocess.Popen(
            [*command, "--workers", "2", "--worker-class", "sync",
             "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"],
            cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        if self.settle(timeout=120) is None:
            self.stop()
            raise SystemExit(f"gunicorn did not start ({command[1]}):\n{self.log_tail()}")

    @classmethod
    def wagtail(cls, python: str, slug: str, text: dict) -> Server:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(text, handle, ensure_ascii=False)
        env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
        try:
            path = subprocess.run(
                [python, str(ROOT / "bench" / "wagtail_site.py"), str(WAGTAIL_SITE), slug,
                 handle.name], env=env, check=True, capture_output=True, text=True,
            ).stdout.strip().splitlines()[-1]
        finally:
            os.unlink(handle.name)
        env["DJANGO_SETTINGS_MODULE"] = "benchsite.settings"
        return cls([str(Path(python).parent / "gunicorn"), "benchsite.wsgi", "--chdir",
                    str(WAGTAIL_SITE)], env, cwd=WAGTAIL_SITE, probe=path, path=path)

    def log_tail(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-2000:]

    def settle(self, timeout: float = SETTLE_TIMEOUT) -> float | None:
        """Seconds until the server answers its probe (it has worked off what wrk left
        queued); None if it does not within ``timeout``."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                return None
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{self.probe}",
                                            timeout=timeout) as response:
                    response.read()
                return time.monotonic() - started
            except OSError:
                time.sleep(0.2)
        return None

    def run(self, paths_file: str, duration: int, **options) -> dict:
        cpu_before = process_tree_cpu(self.process.pid)
        try:
            result, error = wrk(self.port, paths_file, duration, **options), ""
        except RuntimeError as failed:
            result, error = None, str(failed)
        cpu = process_tree_cpu(self.process.pid) - cpu_before
        # wrk stops, but 2 sync workers still owe the answers queued behind up to 32
        # connections: wait for them, or the next run measures the previous one's tail.
        settled = self.settle()
        if settled is None:
            error = error or f"the server did not answer {self.probe} within {SETTLE_TIMEOUT} s after the run"
        if result is None:
            return {"rps": 0.0, "p50_ms": 0.0, "p99_ms": 0.0, "cpu_ms_per_request": 0.0,
                    "requests": 0, "errors": 0, "non_2xx_3xx": 0, "kb_per_response": 0.0,
                    "settle_s": settled, "error": error}
        seconds = result["duration_us"] / 1e6
        return {
            "rps": result["requests"] / seconds,
            "p50_ms": result["p50_us"] / 1000,
            "p99_ms": result["p99_us"] / 1000,
            "cpu_ms_per_request": 1000 * cpu / max(1, result["requests"]),
            "requests": result["requests"],
            "errors": result["connect"] + result["read"] + result["write"] + result["timeout"],
            "non_2xx_3xx": result["status"],
            "kb_per_response": result["bytes"] / max(1, result["requests"]) / 1024,
            "settle_s": settled,
            "error": error,
        }

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        os.unlink(self.log.name)


def wagtail_python() -> str | None:
    """A Python with Wagtail and gunicorn, in its own venv under var/ (installed once)."""
    python = WAGTAIL_VENV / "bin" / "python"
    check = [str(python), "-c", "import wagtail, gunicorn"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return str(python)
    print("  installing Wagtail into var/wagtail-venv (once)...", flush=True)
    try:
        subprocess.run(["python3", "-m", "venv", str(WAGTAIL_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "wagtail", "gunicorn"],
                       check=True)
    except (OSError, subprocess.CalledProcessError) as failed:
        print(f"  Wagtail could not be installed ({failed}): its line says 'not measured'.")
        return None
    return str(python)


@contextlib.contextmanager
def private_redis(wanted: bool):
    """A redis-server of the bench's own on a free port, without persistence; never a shared
    one (the bench's keys are its own, and nothing else is touched)."""
    if not wanted:
        yield None
        return
    if not shutil.which("redis-server"):
        raise SystemExit("--caches redis needs redis-server on PATH")
    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit(f"the bench's redis-server on port {port} did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=30)
