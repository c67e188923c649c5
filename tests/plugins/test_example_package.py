"""The tutorial's example plugin (examples/quality-inspection) is a real package:
pip installs it, ServiceDesk finds it through its entry point, and its own test
suite passes against the installed copy; the tutorial shows its code as it is.

Everything runs in subprocesses with the package installed into a folder of its
own on PYTHONPATH, as a developer would see it; this virtualenv is never touched.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "quality-inspection"
DOCS = ROOT / "docs" / "plugins.md"
# A code block of the tutorial, marked with the example file it is taken from.
EXAMPLE_BLOCK = re.compile(r"<!-- example: (\S+) -->\n```[^\n]*\n(.*?)\n```\n", re.DOTALL)
# The console script installed beside this interpreter.
SERVICEDESK = Path(sys.executable).with_name("servicedesk")
HOOKS = "department_steps, public_form_fields, register_blueprints, ticket_panels, veto_transition"

slow = pytest.mark.slow


def _can_build_offline() -> bool:
    """Whether this environment's setuptools builds wheels by itself (>= 70.1 or with
    the ``wheel`` package); then pip needs no index at all."""
    major, minor = (int(part) for part in version("setuptools").split(".")[:2])
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


def test_the_tutorial_shows_the_examples_code_as_it_is():
    blocks = EXAMPLE_BLOCK.findall(DOCS.read_text())
    assert {path for path, _ in blocks} == {
        "pyproject.toml",
        "conftest.py",
        "src/servicedesk_inspection/__init__.py",
        "src/servicedesk_inspection/templates/inspection/_panel.html",
        "tests/test_inspection.py",
    }
    stale = [
        (path, code.splitlines()[0])
        for path, code in blocks
        if code not in (EXAMPLE / path).read_text()
    ]
    assert stale == [], "tutorial code not found in the example (file, first line)"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example, installed by pip into a folder of its own."""
    work = tmp_path_factory.mktemp("example")
    # pip builds in the source tree (build/, *.egg-info): build a copy.
    source = work / "source"
    shutil.copytree(
        EXAMPLE,
        source,
        ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".pytest_cache"),
    )
    target = work / "site"
    # Without a wheel-building setuptools here, pip fetches the build backend
    # from the configured index into an isolated build environment, as
    # tests/foundation/test_packaging.py does.
    isolation = ["--no-build-isolation"] if _can_build_offline() else []
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", *isolation]
    result = subprocess.run(
        [*command, "--target", str(target), str(source)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return target


def run(
    args: list[object], site: Path, *, instance: Path, cwd: Path
) -> subprocess.CompletedProcess:
    """Run a command with the example installed, on a ServiceDesk of its own."""
    env = {
        key: value
        for key, value in os.environ.items()
        # Never the developer's database or settings, nor this test run's.
        if not key.startswith("SERVICEDESK_") and key != "PYTEST_CURRENT_TEST"
    }
    env |= {
        "PYTHONPATH": str(site),
        "PYTHONDONTWRITEBYTECODE": "1",
        "SERVICEDESK_INSTANCE_PATH": str(instance),
    }
    return subprocess.run(
        [str(arg) for arg in args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )


@slow
def test_the_example_installs_with_its_entry_point_and_template(site):
    (dist_info,) = site.glob("servicedesk_quality_inspection-*.dist-info")
    assert dist_info.name == "servicedesk_quality_inspection-1.0.0.dist-info"
    entry_points = (dist_info / "entry_points.txt").read_text()
    assert "[servicedesk]\ninspection = servicedesk_inspection" in entry_points
    assert (site / "servicedesk_inspection" / "templates" / "inspection" / "_panel.html").is_file()


@slow
def test_servicedesk_plugins_lists_it_with_its_version_and_hooks(site, tmp_path):
    result = run([SERVICEDESK, "plugins"], site, instance=tmp_path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    index = lines.index("inspection  1.0.0  (installed)")
    assert lines[index + 1].strip() == HOOKS


@slow
def test_init_seeds_the_step_and_the_form_asks_for_the_batch_number(site, tmp_path):
    init = run(
        [
            SERVICEDESK,
            "init",
            "--admin-email=admin@desk.example.com",
            "--admin-name=Admin",
            "--admin-password=correct horse battery",
        ],
        site,
        instance=tmp_path,
        cwd=tmp_path,
    )
    assert init.returncode == 0, init.stderr
    assert re.search(r"Added \d+ departments and routes\.", init.stdout), init.stdout

    script = (
        "from servicedesk import create_app\n"
        "response = create_app().test_client().get('/')\n"
        "print(response.status_code)\n"
        "print(response.text)\n"
    )
    home = run([sys.executable, "-c", script], site, instance=tmp_path, cwd=tmp_path)
    assert home.returncode == 0, home.stderr
    status, page = home.stdout.split("\n", 1)
    assert status == "200"
    assert '<label class="form-label" for="f-batch">Batch or lot number' in page
    assert 'id="field-batch" data-kinds="repair complaint claim"' in page
    assert "<h3>Quality inspection</h3>" in page  # the new department, listed on the home page


@slow
def test_the_examples_own_test_suite_passes(site, tmp_path):
    # -p no:cacheprovider and PYTHONDONTWRITEBYTECODE: nothing is written into the example.
    result = run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"],
        site,
        instance=tmp_path,
        cwd=EXAMPLE,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert f"rootdir: {EXAMPLE}" in output
    assert re.search(r"=+ \d+ passed in ", output), output
