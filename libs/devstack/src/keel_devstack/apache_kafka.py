"""Apache Kafka 4.x, single-node KRaft, run from Maven Central jars: the reference broker.

The default stack's broker is Tansu (Kafka protocol, not Kafka). Tests marked `broker` also
run against this one so behaviour that only the real coordinator has (consumer-group
rebalances, idempotent producers, transactions) is checked against the real thing.

With `sasl_port`, it also has what docker-compose.yml's broker has: a SASL/SCRAM-SHA-512
listener and the StandardAuthorizer, where nothing is allowed without an ACL, beside the
plaintext listener whose anonymous principal is the super user (as the compose file's
loopback listener is). `provision()` runs infra/kafka/provision.sh as that super user with
the command-line tools from the same jars, so tests can prove the shipped ACLs.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from keel_devstack.process import ComponentError, ManagedProcess, free_port, require_free_port

_POM = Path("infra/kafka/apache-kafka/pom.xml")
_PROVISION = Path("infra/kafka/provision.sh")
# Logged by KafkaRaftServer only after the broker is unfenced and serving, which is
# later than the port opening: clients that connect earlier get NOT_CONTROLLER and
# LEADER_NOT_AVAILABLE for a while.
_STARTED = b"Kafka Server started"
_COMPLETE_MARKER = ".keel-complete"
# A test broker on a 2-core machine shared with Postgres and the services.
_JVM_OPTS = ("-Xms256m", "-Xmx512m", "-Djava.awt.headless=true")
# A command-line tool lives for a second: start fast rather than run fast.
_TOOL_JVM_OPTS = ("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
# provision.sh calls these by their names in Kafka's bin/ directory.
_TOOLS = {
    "kafka-topics.sh": "org.apache.kafka.tools.TopicCommand",
    "kafka-configs.sh": "org.apache.kafka.tools.ConfigCommand",
    "kafka-acls.sh": "org.apache.kafka.tools.AclCommand",
}
SCRAM_MECHANISM = "SCRAM-SHA-512"


def repo_root() -> Path:
    # infra/ lives in the repo, not in the wheel; an editable install (uv workspace) or a
    # run from inside the checkout both find it.
    for start in (Path(__file__).resolve().parent, Path.cwd().resolve()):
        for candidate in (start, *start.parents):
            if (candidate / _POM).is_file():
                return candidate
    raise ComponentError(
        f"cannot find Keel's infra/ ({_POM}) above {Path(__file__).parent} or the current "
        "directory; run from a Keel checkout."
    )


def _pom_kafka_version(pom: Path) -> str:
    found = re.search(r"<kafka\.version>\s*([^<\s]+)\s*</kafka\.version>", pom.read_text())
    if found is None:
        raise ComponentError(f"Apache Kafka: {pom} has no <kafka.version> property.")
    return found.group(1)


def _require_tools(*names: str) -> dict[str, str]:
    found = {name: shutil.which(name) for name in names}
    missing = [name for name, path in found.items() if path is None]
    if missing:
        raise ComponentError(
            f"Apache Kafka needs {' and '.join(f'`{m}`' for m in missing)} on PATH "
            "(Java 17+ and Maven 3: the broker jars come from Maven Central). "
            "Install them, e.g. `apt-get install openjdk-17-jre-headless maven`."
        )
    return {name: path for name, path in found.items() if path is not None}


class ApacheKafka:
    """One broker+controller JVM; data, config and logs live under `home`."""

    def __init__(
        self,
        home: Path,
        port: int,
        controller_port: int | None = None,
        sasl_port: int | None = None,
    ) -> None:
        self.home = home
        self.port = port
        self.sasl_port = sasl_port
        # Static quorum (controller.quorum.voters), so a different controller port on the
        # next start of the same home is fine: the voter's address is never persisted.
        self.controller_port = controller_port if controller_port is not None else free_port()
        self._repo = repo_root()
        self.version = _pom_kafka_version(self._repo / _POM)
        # The cache is complete for this pom, not just this version: a dependency added to
        # the pom (the admin tools were) must reach caches filled before it.
        self._pom_digest = hashlib.sha256((self._repo / _POM).read_bytes()).hexdigest()
        env_dir = os.environ.get("KEEL_KAFKA_JARS_DIR")
        self.jars_dir = (
            Path(env_dir)
            if env_dir
            else self._repo / ".keel" / "cache" / "kafka-jars" / self.version
        )
        self.data_dir = home / "data"
        self.log_path = home / "logs" / "server.log"
        self._log4j_config = home / "config" / "log4j2.properties"
        self._log4j_opt = f"-Dlog4j2.configurationFile={self._log4j_config}"
        self.process: ManagedProcess | None = None

    @property
    def bootstrap(self) -> str:
        """The plaintext listener; with `sasl_port`, its anonymous clients are super users."""
        return f"127.0.0.1:{self.port}"

    @property
    def sasl_bootstrap(self) -> str:
        """The SASL/SCRAM listener, where ACLs apply."""
        if self.sasl_port is None:
            raise ComponentError("Apache Kafka: this broker was started without sasl_port.")
        return f"127.0.0.1:{self.sasl_port}"

    def ensure_jars(self) -> Path:
        marker = self.jars_dir / _COMPLETE_MARKER
        if marker.is_file() and marker.read_text().strip() == self._pom_digest:
            _require_tools("java")
            return self.jars_dir
        tools = _require_tools("java", "mvn")
        self.jars_dir.mkdir(parents=True, exist_ok=True)
        # Download beside the cache and move in, then mark complete: an interrupted or
        # concurrent fetch never leaves a half-filled classpath that looks usable.
        staging = Path(tempfile.mkdtemp(prefix=".fetch-", dir=self.jars_dir.parent))
        try:
            pom = str(self._repo / _POM)
            fetch = ["dependency:copy-dependencies", f"-DoutputDirectory={staging}"]
            result = subprocess.run(
                [tools["mvn"], "-q", "-B", "-f", pom, *fetch],
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
            if result.returncode != 0:
                raise ComponentError(
                    f"Apache Kafka {self.version}: fetching jars with Maven failed "
                    f"(exit {result.returncode}):\n{(result.stdout + result.stderr)[-3000:]}"
                )
            marker.unlink(missing_ok=True)
            # Jars of an older pom would stay on the `dir/*` classpath beside the new ones.
            for stale in self.jars_dir.glob("*.jar"):
                stale.unlink()
            for jar in staging.iterdir():
                jar.replace(self.jars_dir / jar.name)
            marker.write_text(self._pom_digest + "\n")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return self.jars_dir

    def start(self, timeout: float = 120) -> None:
        require_free_port("Apache Kafka", self.port)
        require_free_port("Apache Kafka controller", self.controller_port)
        if self.sasl_port is not None:
            require_free_port("Apache Kafka SASL listener", self.sasl_port)
        jars = self.ensure_jars()
        java = _require_tools("java")["java"]
        config = self._write_config()
        classpath = ["-cp", f"{jars}/*"]
        if not (self.data_dir / "meta.properties").is_file():
            self._format(java, classpath, config)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        # The log file is appended to across restarts; only lines from this run count.
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        self.process = ManagedProcess(
            name=f"Apache Kafka {self.version}",
            argv=[java, *_JVM_OPTS, self._log4j_opt, *classpath, "kafka.Kafka", str(config)],
            log_path=self.log_path,
            cwd=self.home,
        )
        self.process.start()
        try:
            self.process.wait_ready(lambda: self._started_since(offset), timeout)
        except BaseException:
            self.process.stop()
            raise

    def stop(self) -> None:
        if self.process is not None:
            # Controlled shutdown of a combined node takes a few seconds; SIGKILL would
            # cost a log recovery on the next start.
            self.process.stop(timeout=30)
            self.process = None

    def provision(self, env: dict[str, str], timeout: float = 300) -> str:
        """Run infra/kafka/provision.sh against this broker with `env` (RELAY_ID,
        SCRAM_PASSWORD_*, ...): as its super user, with Kafka's own command-line tools.
        Returns what the script printed."""
        bin_dir = self._tool_scripts()
        result = subprocess.run(
            ["bash", str(self._repo / _PROVISION)],
            env={
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "KAFKA_BIN": str(bin_dir),
                "KAFKA_BOOTSTRAP": self.bootstrap,
                **env,
            },
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise ComponentError(
                f"Apache Kafka: {_PROVISION} failed (exit {result.returncode}):\n"
                f"{(result.stdout + result.stderr)[-3000:]}"
            )
        return result.stdout

    def _tool_scripts(self) -> Path:
        """kafka-topics.sh, kafka-configs.sh and kafka-acls.sh, as Kafka's bin/ has them."""
        jars = self.ensure_jars()
        java = _require_tools("java")["java"]
        bin_dir = self.home / "bin"
        bin_dir.mkdir(parents=True, exist_ok=True)
        log4j = self.home / "config" / "tools-log4j2.properties"
        log4j.parent.mkdir(parents=True, exist_ok=True)
        # Warnings only, on stderr: stdout is the tools' answer.
        log4j.write_text(
            "status = warn\n"
            "appender.err.type = Console\n"
            "appender.err.name = err\n"
            "appender.err.target = SYSTEM_ERR\n"
            "appender.err.layout.type = PatternLayout\n"
            "appender.err.layout.pattern = [%d] %p %m (%c)%n\n"
            "rootLogger.level = WARN\n"
            "rootLogger.appenderRef.err.ref = err\n"
        )
        for script, main in _TOOLS.items():
            argv = [java, *_TOOL_JVM_OPTS, f"-Dlog4j2.configurationFile={log4j}"]
            command = shlex.join([*argv, "-cp", f"{jars}/*", main])
            path = bin_dir / script
            path.write_text(f'#!/bin/sh\nexec {command} "$@"\n')
            path.chmod(0o755)
        return bin_dir

    def _started_since(self, offset: int) -> bool:
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return _STARTED in log.read()

    def _format(self, java: str, classpath: list[str], config: Path) -> None:
        # KIP-853's `--standalone` would write the controller address into the metadata
        # log; a static quorum with an explicit cluster id keeps the port free to change.
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        storage_tool = [*classpath, "kafka.tools.StorageTool", "format", "--config", str(config)]
        result = subprocess.run(
            [java, *_JVM_OPTS, self._log4j_opt, *storage_tool, f"--cluster-id={cluster_id}"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise ComponentError(
                f"Apache Kafka {self.version}: formatting {self.data_dir} failed:\n"
                f"{(result.stdout + result.stderr)[-3000:]}"
            )

    def _write_config(self) -> Path:
        config_dir = self.home / "config"
        config_dir.mkdir(parents=True, exist_ok=True)
        # Everything to stdout, which ManagedProcess sends to logs/server.log: one file to
        # read, and start-up failures show up in ComponentError's log tail.
        self._log4j_config.write_text(
            "status = warn\n"
            "appender.out.type = Console\n"
            "appender.out.name = out\n"
            "appender.out.layout.type = PatternLayout\n"
            "appender.out.layout.pattern = [%d] %p %m (%c)%n\n"
            "rootLogger.level = INFO\n"
            "rootLogger.appenderRef.out.ref = out\n"
            # Per-partition chatter and ~400-line config dumps (several per start) drown
            # the lines worth reading; server.properties next to this file has the config.
            "logger.statechange.name = state.change.logger\n"
            "logger.statechange.level = WARN\n"
            "logger.kafkaconfig.name = kafka.server.KafkaConfig\n"
            "logger.kafkaconfig.level = WARN\n"
            "logger.abstractconfig.name = org.apache.kafka.common.config.AbstractConfig\n"
            "logger.abstractconfig.level = WARN\n"
        )
        settings = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": (
                f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}"
            ),
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "inter.broker.listener.name": "PLAINTEXT",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            **self._sasl_settings(),
            "log.dirs": str(self.data_dir),
            # Single node: every internal topic must fit on one replica.
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            # Tests join groups constantly; the default 3 s delay is pure waiting.
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "true",
            "num.partitions": "3",
            # Defaults (3 network, 8 I/O threads) are sized for servers, not 2 shared cores.
            "num.network.threads": "2",
            "num.io.threads": "2",
        }
        path = config_dir / "server.properties"
        path.write_text("".join(f"{key}={value}\n" for key, value in settings.items()))
        return path

    def _sasl_settings(self) -> dict[str, str]:
        """docker-compose.yml's broker security, on one more listener named SASL."""
        if self.sasl_port is None:
            return {}
        return {
            "listeners": (
                f"PLAINTEXT://127.0.0.1:{self.port},SASL://127.0.0.1:{self.sasl_port},"
                f"CONTROLLER://127.0.0.1:{self.controller_port}"
            ),
            "advertised.listeners": (
                f"PLAINTEXT://127.0.0.1:{self.port},SASL://127.0.0.1:{self.sasl_port}"
            ),
            "listener.security.protocol.map": (
                "PLAINTEXT:PLAINTEXT,SASL:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT"
            ),
            "sasl.enabled.mechanisms": SCRAM_MECHANISM,
            "listener.name.sasl.scram-sha-512.sasl.jaas.config": (
                "org.apache.kafka.common.security.scram.ScramLoginModule required;"
            ),
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "allow.everyone.if.no.acl.found": "false",
            # The plaintext listeners (clients, inter-broker, controller) authenticate no one.
            "super.users": "User:ANONYMOUS",
        }
