import pytest

from servicedesk.web.urls import safe_next


@pytest.mark.parametrize("target", ["/", "/desk/", "/desk/?page=2", "/track/SD-2026-000001#reply"])
def test_local_paths_pass(target):
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "desk",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/desk\r\nSet-Cookie: x=1",
        ["/desk"],
    ],
)
def test_anything_else_falls_back(target):
    assert safe_next(target, default="/fallback") == "/fallback"
