"""A throwaway PostgreSQL server for the tests: ``initdb`` + ``pg_ctl`` in a temporary folder, on 127.0.0.1.

PostgreSQL refuses to run as root, so when the tests run as root the server runs as the ``postgres`` user
(``runuser``; the folder is handed to it). The cluster is made with the C locale and UTF-8, so text sorts by
code point as in SQLite (``docs/scale.md``). ``start()`` returns a ``Server`` or raises ``Unavailable`` with
the reason (no binaries, no such user, the server would not start): the fixture skips with it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SEARCH = ("/usr/local/bin", "/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin")
SUPERUSER = "hyc"


class Unavailable(Exception):
    """PostgreSQL cannot be started here; the message says why."""


@dataclass(frozen=True)
class Server:
    folder: Path
    bin: Path
    port: int
    run_as: str | None

    @property
    def url(self) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    def database_url(self, name: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        _run(self, [str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop"],
             check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def _binaries() -> Path:
    found = shutil.which("pg_ctl")
    candidates = ([Path(found).parent] if found else []) + [Path(p) for p in SEARCH]
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    raise Unavailable("PostgreSQL is not installed (no initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin; "
                      "Debian: apt-get install postgresql)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(server: Server, argv: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    if server.run_as:
        argv = ["runuser", "-u", server.run_as, "--", *argv]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=server.folder)
    if check and done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:]
        raise Unavailable(f"{Path(argv[-1] if argv[-1] in ('start', 'stop') else argv[0]).name} exited "
                          f"{done.returncode}: {last[0] if last else ''}")
    return done


def start() -> Server:
    """Make a cluster in a new temporary folder and start it on a free port of 127.0.0.1."""
    bin_dir = _binaries()
    run_as = None
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            raise Unavailable("running as root and there is no 'postgres' user to run the server as") from None
        if not shutil.which("runuser"):
            raise Unavailable("running as root and runuser is missing (cannot switch to the postgres user)")
        run_as = user.pw_name
    folder = Path(tempfile.mkdtemp(prefix="hyc-pg-"))
    if run_as:
        user = pwd.getpwnam(run_as)
        os.chown(folder, user.pw_uid, user.pw_gid)
    os.chmod(folder, 0o700)
    server = Server(folder, bin_dir, _free_port(), run_as)
    try:
        _run(server, [str(bin_dir / "initdb"), "-D", str(folder / "data"), "-U", SUPERUSER, "-A", "trust",
                      "-E", "UTF8", "--locale=C", "--no-sync"])
        options = f"-h 127.0.0.1 -p {server.port} -k {folder} -F -c max_connections=60"
        _run(server, [str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-o", options,
                      "-l", str(folder / "log"), "-w", "-t", "60", "start"])
    except (Unavailable, OSError, subprocess.SubprocessError) as exc:
        log = folder / "log"
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.is_file() else []
        server.stop()
        raise Unavailable(f"PostgreSQL would not start: {exc}{' / ' + tail[0] if tail else ''}") from None
    return server
