"""Issue 15 item 8: `pip install .` works with Python alone, because the built page assets are
shipped (tcap_kg/web/static/vendor/, with a stamp of what they were built from), and the shipped
bundle is what package-lock.json and the entry points build (checked where npm exists)."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VENDOR = Path("tcap_kg/web/static/vendor")
BUNDLE_INPUTS = ("package.json", "package-lock.json", "hatch_build.py", "frontend")


def _hook() -> object:
    sys.path.insert(0, str(REPO))
    try:
        import hatch_build  # noqa: PLC0415

        return hatch_build
    finally:
        sys.path.remove(str(REPO))


def _path_without_node(tmp_path: Path) -> str:
    """A PATH with this Python's folder and the system folders, but no node and no npm."""
    keep = tmp_path / "bin"
    keep.mkdir()
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        for tool in ("git",):
            found = Path(folder) / tool
            if found.exists() and not (keep / tool).exists():
                (keep / tool).symlink_to(found)
    path = os.pathsep.join([str(Path(sys.executable).parent), str(keep)])
    assert shutil.which("node", path=path) is None and shutil.which("npm", path=path) is None
    return path


def test_the_shipped_bundle_is_current() -> None:
    assert _hook().is_current(REPO), (  # type: ignore[attr-defined]
        "tcap_kg/web/static/vendor/ is stale: run `python hatch_build.py` and commit the folder"
    )


@pytest.mark.slow
def test_pip_install_works_without_node_or_npm(tmp_path: Path) -> None:
    """The README's first command, `pip install .`, on a copy of the source tree, with no node
    or npm on PATH; offline (the build backend and the dependencies are the test's own)."""
    source = tmp_path / "source"
    files = (
        subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, files):
        target = source / name
        if (REPO / name).is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target)
    env = {**os.environ, "PATH": _path_without_node(tmp_path), "PIP_NO_INDEX": "1"}
    wheels = tmp_path / "wheels"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(source),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = wheels.glob("tcap_kg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for asset in ("charts.js", "editor.js", "land-50m.json", "THIRD-PARTY.txt"):
        assert f"tcap_kg/web/static/vendor/{asset}" in names
    target = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), str(wheel)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # -S and another folder: without site-packages (this checkout's editable install) and the
    # checkout itself, the package found is the one just installed.
    served = subprocess.run(
        [
            sys.executable,
            "-S",
            "-c",
            "import importlib.util, pathlib; spec = importlib.util.find_spec('tcap_kg'); "
            "print(pathlib.Path(spec.origin).parent / 'web/static/vendor/charts.js')",
        ],
        env={**env, "PYTHONPATH": str(target)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(served.stdout.strip()).is_relative_to(target)
    assert Path(served.stdout.strip()).stat().st_size > 100_000


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is needed to rebuild the bundle")
def test_the_shipped_bundle_is_what_the_lock_file_builds(tmp_path: Path) -> None:
    """Rebuild the bundle from package-lock.json (npm ci, esbuild) and compare byte for byte."""
    for name in BUNDLE_INPUTS:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, tmp_path / name)
        else:
            shutil.copy2(REPO / name, tmp_path / name)
    _hook().build_web_assets(tmp_path, force=True)  # type: ignore[attr-defined]
    shipped, rebuilt = REPO / VENDOR, tmp_path / VENDOR
    names = sorted(p.name for p in shipped.iterdir())
    assert names == sorted(p.name for p in rebuilt.iterdir())
    _, mismatch, errors = filecmp.cmpfiles(shipped, rebuilt, names, shallow=False)
    assert not mismatch and not errors, mismatch + errors
