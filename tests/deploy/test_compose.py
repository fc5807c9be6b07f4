"""docker-compose.yml and the Dockerfile, checked without a Docker engine (none on this machine).

What a user would notice: a compose file that does not parse, a shopwatch service pointed at a
host or port the back-end services do not serve, a port published beyond loopback, an image whose
Dockerfile forgets a package the CLI imports, or README commands naming services that do not exist.
"""
from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from crawler.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
#: service -> (image prefix, port the server listens on inside its container)
BACKENDS = {"redis": ("redis:7", 6379), "mongo": ("mongo:7", 27017),
            "elasticsearch": ("docker.elastic.co/elasticsearch/elasticsearch:8.", 9200)}
#: environment variable of the shopwatch service -> (back-end service, URL schemes)
URL_VARS = {"SHOPWATCH_STORE": ("mongo", ("mongodb",)), "SHOPWATCH_INDEX": ("elasticsearch", ("http", "https")),
            "REDIS_URL": ("redis", ("redis",))}


@pytest.fixture(scope="module")
def compose() -> dict:
    doc = yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))
    assert isinstance(doc, dict) and isinstance(doc.get("services"), dict), "compose file has no services"
    return doc


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text("utf-8"))
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def _env(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the "KEY=value" list form
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def test_backend_services_use_the_documented_images_on_loopback_ports(compose: dict) -> None:
    services = compose["services"]
    for name, (image, port) in BACKENDS.items():
        assert name in services, f"service {name!r} missing"
        assert str(services[name]["image"]).startswith(image), services[name]["image"]
        published = [str(p) for p in services[name].get("ports", [])]
        assert published, f"{name} publishes no port"
        for spec in published:
            host_ip, _, rest = spec.partition(":")
            assert host_ip == "127.0.0.1", f"{name} publishes {spec} beyond loopback"
            assert rest.split(":")[-1] == str(port), f"{name} maps {spec}, its server listens on {port}"
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    es_env = _env(services["elasticsearch"])
    assert es_env.get("discovery.type") == "single-node"
    assert re.search(r"-Xmx\d+[mg]", es_env.get("ES_JAVA_OPTS", "")), "Elasticsearch heap is not capped"


def test_shopwatch_service_points_at_the_backend_services(compose: dict) -> None:
    services = compose["services"]
    app = services["shopwatch"]
    assert app.get("build") in (".", {"context": "."}), "shopwatch must be built from this repository"
    env = _env(app)
    for var, (target, schemes) in URL_VARS.items():
        url = urlsplit(env[var])
        assert url.scheme in schemes, f"{var}={env[var]}"
        assert url.hostname == target, f"{var} names host {url.hostname!r}, the service is {target!r}"
        assert url.port == BACKENDS[target][1], f"{var} uses port {url.port}, {target} listens on {BACKENDS[target][1]}"
    depends = app.get("depends_on") or {}
    assert set(BACKENDS) <= set(depends), f"shopwatch does not wait for {set(BACKENDS) - set(depends)}"
    assert all(d.get("condition") == "service_healthy" for d in depends.values())
    declared = set(compose.get("volumes") or {})
    for service in services.values():
        for spec in service.get("volumes", []):
            source = str(spec).split(":", 1)[0]
            assert "/" in source or source in declared, f"named volume {source!r} is not declared"


def test_dockerfile_installs_every_package_with_the_server_clients(dockerfile: list[tuple[str, str]]) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    packages = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = set()
    for word, args in dockerfile:
        if word == "COPY":
            sources = shlex.split(args)[:-1]
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: no such file in the repository"
                copied.add(source.rstrip("/"))
    assert packages <= copied, f"the image lacks packages {sorted(packages - copied)}"
    assert "pyproject.toml" in copied and "scrapy.cfg" in copied
    runs = " ".join(args for word, args in dockerfile if word == "RUN")
    extras = re.findall(r"pip install \"?\.\[([a-z,]+)\]", runs)
    assert extras, "the image does not pip install the project"
    for extra in extras[0].split(","):
        assert extra in project["project"]["optional-dependencies"], f"extra [{extra}] is not in pyproject.toml"
    # the compiled detection modules: built in the image where it can find them at run time
    assert "native" in extras[0].split(",") and "python -m detect.build" in runs, "the image does not compile detect"
    native_dir = dict(re.findall(r"(\w+)=(\S+)", " ".join(a for w, a in dockerfile if w == "ENV"))).get("SHOPWATCH_NATIVE_DIR")
    assert native_dir and native_dir.startswith("/"), "SHOPWATCH_NATIVE_DIR is not set in the image"
    users = [args for word, args in dockerfile if word == "USER"]
    assert users and users[-1] != "root", "the image runs as root"


def test_dockerfile_and_compose_agree_and_their_commands_exist(compose: dict,
                                                               dockerfile: list[tuple[str, str]]) -> None:
    image_env: dict[str, str] = {}
    for word, args in dockerfile:
        if word == "ENV":
            image_env.update(dict(re.findall(r"(\w+)=(\S+)", args)))
    app_env = _env(compose["services"]["shopwatch"])
    for var in URL_VARS:
        assert image_env.get(var) == app_env.get(var), f"{var}: Dockerfile {image_env.get(var)} vs compose {app_env.get(var)}"
    parser = build_parser()
    cmds = [next(shlex.split(a) if not a.startswith("[") else yaml.safe_load(a)
                 for w, a in dockerfile if w == "CMD"), compose["services"]["shopwatch"]["command"]]
    for cmd in cmds:
        assert cmd[0] == "shopwatch", cmd  # the console script pyproject installs
        with pytest.raises(SystemExit) as exit_:
            parser.parse_args(cmd[1:])
        assert exit_.value.code == 0, f"{cmd} is not a valid shopwatch command"


def test_readme_compose_commands_name_real_services_and_commands(compose: dict) -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    lines = re.findall(r"`(docker compose [^`]+)`", readme)
    assert lines, "the README shows no docker compose command"
    parser = build_parser()
    for line in lines:
        words = shlex.split(line)[2:]
        if words[0] == "up":
            names = [w for w in words[1:] if not w.startswith("-")]
            assert names and set(names) <= set(compose["services"]), line
        elif words[0] == "run":
            args = [w for w in words[1:] if not w.startswith("-")]
            assert args[0] in compose["services"], line
            assert args[1] == "shopwatch", line
            parser.parse_args(args[2:])  # raises SystemExit(2) on an unknown command
