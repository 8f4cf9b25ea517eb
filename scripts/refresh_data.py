"""Copy the EcoCompute dataset from ../shared into data/ and record its version and hashes.

Run from the repository root: ``python scripts/refresh_data.py [SOURCE_DIR]``. The figures are
copied byte for byte; nothing here types or edits a number. ``data/equivalents.csv`` (public
real-world equivalence factors, each with its source) is ecolint's own file: it is hashed
into the manifest but not copied. The data version changes only when the copied data do.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from datetime import date
from pathlib import Path

FILES = ("measurements.csv", "gpus.csv", "constants.csv", "PROVENANCE.md")
OWN_FILES = ("equivalents.csv",)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent / "shared/data/ecocompute"
    target = root / "data"
    hashes = {}
    if not source.is_dir():
        print(f"{source} not found: hashing data/ as it is", file=sys.stderr)
    for name in FILES:
        if source.is_dir():
            shutil.copyfile(source / name, target / name)
        hashes[name] = sha256(target / name)
    digest = hashlib.sha256("".join(hashes[name] for name in FILES).encode()).hexdigest()[:8]
    manifest_path = target / "manifest.json"
    previous = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    version = str(previous.get("data_version", ""))
    if not version.endswith(f"-{digest}"):
        version = f"ecocompute-{date.today():%Y.%m.%d}-{digest}"
    for name in OWN_FILES:
        hashes[name] = sha256(target / name)
    manifest = {
        "data_version": version,
        "copied_from": "shared/data/ecocompute (see PROVENANCE.md)",
        "own_files": list(OWN_FILES),
        "files": hashes,
    }
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    print(manifest["data_version"])


if __name__ == "__main__":
    main()
