"""Build hook: bundle the browser libraries of the web pages into the package.

The pages use CodeMirror (SPARQL editor), Vega-Lite (charts, map) and a Natural Earth land outline
(map background), all installed from npm at the versions pinned in `package-lock.json` and bundled by
esbuild into `tcap_kg/web/static/vendor/`, so the installed app serves them itself: no CDN, no network
at run time. The built folder is committed with a stamp (the checksum of the lock file, the entry
points and this hook), so `pip install .` needs Python alone; the hook rebuilds only when the stamp
no longer matches its inputs, and only then needs `node` and `npm` on PATH. A test rebuilds the
folder from `package-lock.json` where npm exists and compares it byte for byte with the shipped one.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

VENDOR = Path("tcap_kg/web/static/vendor")
ENTRY_POINTS = {"editor.js": "frontend/editor.mjs", "charts.js": "frontend/charts.mjs"}
DATA_FILES = {"land-50m.json": "node_modules/world-atlas/land-50m.json"}
STAMP = ".stamp"


def inputs_digest(root: Path) -> str:
    """Checksum of everything the vendor folder is built from."""
    digest = hashlib.sha256()
    for name in ("package-lock.json", "hatch_build.py", *sorted(ENTRY_POINTS.values())):
        digest.update(name.encode())
        digest.update((root / name).read_bytes())
    return digest.hexdigest()


def is_current(root: Path) -> bool:
    stamp = root / VENDOR / STAMP
    return stamp.is_file() and stamp.read_text().strip() == inputs_digest(root)


def run(command: list[str], root: Path) -> None:
    """Run a build command, failing the build with its output when it fails."""
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(
            f"web assets: `{' '.join(command)}` failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )


def build_web_assets(root: Path, *, force: bool = False) -> Path:
    """Install the pinned npm packages, bundle them and copy the map data into the vendor folder
    (unless the shipped folder is current and `force` is off)."""
    target = root / VENDOR
    if is_current(root) and not force:
        return target
    npm = shutil.which("npm")
    node = shutil.which("node")
    if npm is None or node is None:
        raise RuntimeError(
            "web assets: node and npm are needed to build tcap-kg's pages (CodeMirror, Vega-Lite); "
            "install them (e.g. `apt-get install nodejs npm`) and build again"
        )
    run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], root)
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        packages: set[str] = set()
        for output, entry in ENTRY_POINTS.items():
            meta = staging / f"{output}.meta.json"
            run(
                [
                    node,
                    "node_modules/esbuild/bin/esbuild",
                    entry,
                    "--bundle",
                    "--minify",
                    "--format=iife",
                    "--target=es2020",
                    "--legal-comments=external",
                    "--log-level=warning",
                    f"--metafile={meta}",
                    f"--outfile={staging / output}",
                ],
                root,
            )
            packages |= bundled_packages(json.loads(meta.read_text()))
            meta.unlink()
        for output, source in DATA_FILES.items():
            shutil.copyfile(root / source, staging / output)
            packages.add(package_of(source))
        (staging / "THIRD-PARTY.txt").write_text(third_party_notice(root, packages))
        (staging / STAMP).write_text(inputs_digest(root) + "\n")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def package_of(path: str) -> str:
    """`node_modules/@scope/name/...` -> `@scope/name`."""
    parts = path.rsplit("node_modules/", maxsplit=1)[-1].split("/")
    return "/".join(parts[:2]) if parts[0].startswith("@") else parts[0]


def bundled_packages(metafile: dict[str, Any]) -> set[str]:
    return {package_of(name) for name in metafile["inputs"] if "node_modules/" in name}


def third_party_notice(root: Path, packages: set[str]) -> str:
    """Name, version, licence and licence text of every package whose code ships in the wheel."""
    parts = ["Third-party software bundled in tcap_kg/web/static/vendor/\n"]
    for name in sorted(packages):
        folder = root / "node_modules" / name
        meta = json.loads((folder / "package.json").read_text())
        parts.append(
            f"\n{'=' * 72}\n{name} {meta.get('version', '?')} ({meta.get('license', '?')})\n"
        )
        for candidate in sorted(folder.glob("LICEN[CS]E*")):
            parts.append(candidate.read_text(errors="replace"))
    return "".join(parts)


class WebAssetsHook(BuildHookInterface):  # type: ignore[misc]
    """Hatch calls this before building the sdist, the wheel and editable installs."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        build_web_assets(Path(self.root))
        build_data.setdefault("artifacts", []).append(f"/{VENDOR.as_posix()}/**")


if __name__ == "__main__":
    # `python hatch_build.py` rebuilds the folder in a source checkout (editable installs).
    print(build_web_assets(Path(__file__).resolve().parent))
