"""Packaging and deployment: the wheel carries everything the bot reads and answers from any
folder; the image builds (where a Docker engine answers); compose.yaml, the systemd unit and
.env.example say what the code does."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import yaml

from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "locales", "parsing", "reports", "scoring", "reminders", "services",
            "storage")  # fmt: skip


def _run(*args: str | Path, cwd: Path = ROOT, **kwargs: object) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and tools, fixed arguments
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300,
        check=False, **kwargs,  # type: ignore[call-overload]
    )  # fmt: skip
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return str(done.stdout)


def _source_files() -> list[str]:
    """The repository's files as a fresh clone would have them (new files not yet committed
    included, ignored ones not)."""
    listed = _run("git", "ls-files", "--cached", "--others", "--exclude-standard")
    return [name for name in listed.splitlines() if (ROOT / name).is_file()]


@pytest.mark.slow
def test_the_wheel_installed_in_a_fresh_environment_answers_from_any_folder(
    tmp_path: Path,
) -> None:
    files = _source_files()
    source = tmp_path / "source"
    for name in files:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    # Offline: setuptools and wheel are in the dev extras, nothing is fetched.
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--wheel-dir", tmp_path / "dist", source)  # fmt: skip
    wheel = next((tmp_path / "dist").glob("tro_ly_dti-*.whl"))

    # Every file of the packages' folders is in the wheel, data/ as bot/data/.
    shipped = set(zipfile.ZipFile(wheel).namelist())
    wanted = {
        ("bot/" + name) if name.startswith("data/") else name
        for name in files
        if name.split("/")[0] in (*PACKAGES, "data")
    }
    assert wanted - shipped == set()

    # A fresh environment: the wheel installed in it, the dependencies seen from this one's
    # site-packages through a .pth file (after the environment's own, and without running this
    # one's .pth files, so the editable checkout stays out of sight).
    env_dir = tmp_path / "env"
    _run(sys.executable, "-m", "venv", "--without-pip", env_dir)
    python = env_dir / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = Path(_run(python, "-c", purelib).strip())
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run(python, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
         "--ignore-installed", wheel)  # fmt: skip

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATA", "PYTHON"))}
    env["XDG_DATA_HOME"] = str(tmp_path / "user-data")
    where = _run(python, "-c", "import bot.settings as s; print(s.bundled_data())", cwd=elsewhere,
                 env=env)  # fmt: skip
    assert Path(where.strip()) == site / "bot" / "data"
    answer = _run(env_dir / "bin" / "tro-ly-dti", "--once", "tổng điểm DTI", cwd=elsewhere,
                  env=env)  # fmt: skip
    assert "269,19/1.000" in answer
    assert (tmp_path / "user-data" / "tro-ly-dti" / "dti.sqlite3").is_file()

    # DATA_DIR overrides the bundled data.
    mine = tmp_path / "my-data"
    shutil.copytree(ROOT / "data", mine)
    framework = mine / "frameworks" / "dti-province-2025.yaml"
    text = framework.read_text("utf-8")
    framework.write_text(re.sub(r"(?m)^name: .*$", "name: Bộ chỉ số của tỉnh thử", text), "utf-8")
    env |= {"DATA_DIR": str(mine), "XDG_DATA_HOME": str(tmp_path / "other-user-data")}
    answer = _run(env_dir / "bin" / "tro-ly-dti", "--once", "tổng điểm DTI", cwd=elsewhere,
                  env=env)  # fmt: skip
    assert "Bộ chỉ số của tỉnh thử" in answer


def _docker_answers() -> str | None:
    """None when a Docker engine answers, else why not."""
    if shutil.which("docker") is None:
        return "no docker client on this machine"
    info = subprocess.run(  # noqa: S603 - fixed arguments
        ["docker", "info", "--format", "{{.ServerVersion}}"],  # noqa: S607 - docker from PATH
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    if info.returncode != 0:
        return f"no Docker engine answers ({' '.join(info.stderr.split())[:160]})"
    return None


@pytest.mark.slow
def test_the_image_builds_where_a_docker_engine_answers() -> None:
    if (reason := _docker_answers()) is not None:
        pytest.skip(f"image not built: {reason}")
    _run("docker", "build", "--tag", "tro-ly-dti:test", ".")
    user = _run("docker", "image", "inspect", "--format", "{{.Config.User}}", "tro-ly-dti:test")
    assert user.strip() == "tro-ly-dti"
    answer = _run("docker", "run", "--rm", "tro-ly-dti:test", "tro-ly-dti", "--once",
                  "tổng điểm DTI")  # fmt: skip
    assert "269,19/1.000" in answer


def test_the_dockerfile_runs_the_bot_unprivileged_with_a_health_check_and_a_volume() -> None:
    text = (ROOT / "Dockerfile").read_text("utf-8")
    instructions = re.findall(r"(?m)^([A-Z]+) (.*)$", text)
    final = instructions[max(i for i, (op, _) in enumerate(instructions) if op == "FROM") :]
    assert final[0][1].startswith("python:${PYTHON_VERSION}-slim")
    ops = dict(final)
    assert ops["USER"] == "tro-ly-dti"
    assert "/healthz" in text.split("HEALTHCHECK", 1)[1]
    assert "/var/lib/tro-ly-dti" in ops["VOLUME"]
    assert "DATABASE_URL=sqlite+aiosqlite:////var/lib/tro-ly-dti/" in text
    ignored = (ROOT / ".dockerignore").read_text("utf-8").split()
    assert "data" not in ignored  # the bundled data is in the build context
    assert ".env" in ignored  # secrets are not


def test_compose_runs_postgresql_and_the_bot_once_the_database_is_healthy() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text("utf-8"))
    db, bot = compose["services"]["db"], compose["services"]["bot"]
    assert db["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    assert bot["build"] == "."
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    url = bot["environment"]["DATABASE_URL"]
    assert url.startswith("postgresql+asyncpg://dti:${POSTGRES_PASSWORD}@db:5432/")
    assert url.rsplit("/", 1)[1] == db["environment"]["POSTGRES_DB"]
    assert bot["env_file"] == ".env"
    assert any(v.endswith(":/var/lib/tro-ly-dti") for v in bot["volumes"])
    assert any(str(p).endswith(":8080") for p in bot["ports"])
    named = set(compose["volumes"])
    assert {v.split(":")[0] for v in db["volumes"] + bot["volumes"]} <= named


def test_the_systemd_unit_runs_the_console_script_and_does_not_restart_a_bad_configuration() -> (
    None
):
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.read(ROOT / "deploy" / "tro-ly-dti.service", encoding="utf-8")
    service = unit["Service"]
    assert service["ExecStart"].endswith("/bin/tro-ly-dti")
    assert service["User"] == "tro-ly-dti"
    assert service["StateDirectory"] == "tro-ly-dti"
    assert service["RestartPreventExitStatus"] == "2"  # bot.startup.EXIT_CONFIG
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def _example() -> dict[str, str]:
    """NAME -> value of each setting line of .env.example, commented or not."""
    lines = (ROOT / ".env.example").read_text("utf-8").splitlines()
    found = (re.fullmatch(r"#? ?([A-Z_]+)=(.*)", line) for line in lines)
    return {m.group(1): m.group(2) for m in found if m}


def test_env_example_lists_every_setting_with_its_default() -> None:
    example = _example()
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    computed = {"database_url", "data_dir"}  # depend on the machine: described in words
    for name in Settings.model_fields:
        assert name.upper() in example, f"{name.upper()} is missing from .env.example"
        if name in computed:
            continue
        written = example[name.upper()]
        parsed = Settings(_env_file=None, **{name: written} if written else {})  # type: ignore[arg-type]
        assert getattr(parsed, name) == getattr(defaults, name), name
