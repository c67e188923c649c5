"""An installed copy (a wheel, not the checkout) still finds its resources."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("servicedesk-*.whl"))


def test_wheel_carries_templates_static_migrations_and_catalogue(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "servicedesk/templates/base.html" in names
    assert "servicedesk/static/js/htmx.min.js" in names
    assert "servicedesk/migrations/env.py" in names
    assert any(n.startswith("servicedesk/migrations/versions/") for n in names)
    assert "servicedesk/translations/zh_Hans_CN/LC_MESSAGES/messages.mo" in names
    packages = {
        str(init.parent.relative_to(ROOT))
        for init in (ROOT / "servicedesk").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    # The built-in plugins travel as servicedesk_plugins, templates and migrations included.
    packages |= {
        "servicedesk_plugins/" + str(init.parent.relative_to(ROOT / "plugins"))
        for init in (ROOT / "plugins").rglob("__init__.py")
        if "__pycache__" not in init.parts and "tests" not in init.parts
    }
    missing = {p.rstrip("/.") for p in packages if f"{p.rstrip('/.')}/__init__.py" not in names}
    assert missing == set(), "add these to packages in setup.cfg"
    for plugin in ("training", "satisfaction", "escalation"):
        assert any(n.startswith(f"servicedesk_plugins/{plugin}/templates/{plugin}/") for n in names)
        assert any(
            n.startswith(f"servicedesk_plugins/{plugin}/migrations/versions/") for n in names
        )
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "servicedesk = servicedesk.cli:main" in text
    assert "training = servicedesk_plugins.training" in text


def test_unpacked_wheel_serves_pages(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = f"""
import servicedesk
assert servicedesk.__file__.startswith({str(site)!r}), servicedesk.__file__
app = servicedesk.create_app({{"INSTANCE_PATH": {str(tmp_path / "instance")!r}}},
                             load_entrypoints=False)
assert app.template_folder.startswith({str(site)!r})
assert app.static_folder.startswith({str(site)!r})
response = app.test_client().get("/static/js/htmx.min.js")
assert response.status_code == 200, response.status_code
print("ok")
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.stdout.strip() == "ok", result.stderr
