"""`credlint scan --archive`: members of tar, zip, wheel and container image tarballs scanned as files."""

from __future__ import annotations

import gzip
import io
import json
import random
import tarfile
import zipfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from credlint.cli import cli
from tests.helpers import validate_sarif

PASSWORD = 'password = "Kq8!vR2xLm"\n'


def tar_bytes(members: dict[str, bytes], links: dict[str, str] | None = None, mode: str = "w") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as tar:  # type: ignore[call-overload]
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def scan_archive(runner: CliRunner, *archives: Path, output: str = "json") -> tuple[int, Any]:
    args = ["scan", *(a for archive in archives for a in ("--archive", str(archive))), "--format", output]
    result = runner.invoke(cli, args)
    return result.exit_code, json.loads(result.stdout) if result.stdout.startswith("{") else result.output


def test_members_of_a_compressed_tar_are_reported_as_archive_member(runner: CliRunner, tmp_path: Path) -> None:
    archive = tmp_path / "release.tar.gz"
    archive.write_bytes(tar_bytes({"app/settings.py": PASSWORD.encode(), "app/README": b"nothing\n"},
                                  links={"app/link.py": "settings.py"}, mode="w:gz"))
    code, document = scan_archive(runner, archive)
    assert code == 1
    assert [(f["path"], f["line"]) for f in document["findings"]] == [(f"{archive}!app/settings.py", 1)]
    summary = document["summary"]
    assert (summary["mode"], summary["files_scanned"], summary["skipped"]) == ("archive", 2, {"symlink": 1})


def test_a_wheel_and_a_container_image_with_unnamed_gzip_layers(runner: CliRunner, tmp_path: Path) -> None:
    wheel = tmp_path / "pkg-1.0-py3-none-any.whl"
    wheel.write_bytes(zip_bytes({"pkg/__init__.py": b"", "pkg/conf.py": PASSWORD.encode()}))
    layer = gzip.compress(tar_bytes({"etc/app.env": b"DB_PASSWORD=Wq5#nRt8Yz1\n"}))
    image = tmp_path / "image.tar"  # an OCI layout as `docker save` writes it: layers named by digest only
    image.write_bytes(tar_bytes({"index.json": b"{}", "blobs/sha256/3f1a": layer}))
    code, document = scan_archive(runner, wheel, image)
    assert code == 1
    assert sorted(f["path"] for f in document["findings"]) == [
        f"{image}!blobs/sha256/3f1a!etc/app.env", f"{wheel}!pkg/conf.py"]


def test_corrupt_members_are_counted_and_the_rest_is_scanned(runner: CliRunner, tmp_path: Path) -> None:
    noise = random.Random(5).randbytes(20_000).hex().encode()  # does not compress: cutting it loses data
    broken_layer = gzip.compress(tar_bytes({"a.txt": noise}))[:2000]
    archive = tmp_path / "mixed.tar"
    archive.write_bytes(tar_bytes({"layer.tar.gz": broken_layer, "ok.py": PASSWORD.encode(),
                                   "logo.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 64}))
    code, document = scan_archive(runner, archive)
    assert code == 1 and [f["path"] for f in document["findings"]] == [f"{archive}!ok.py"]
    assert document["summary"]["skipped"] == {"binary": 1, "unreadable": 1}


def test_a_file_that_is_no_archive_is_an_error_not_a_clean_run(runner: CliRunner, tmp_path: Path) -> None:
    plain = tmp_path / "notes.txt"
    plain.write_text(PASSWORD)
    result = runner.invoke(cli, ["scan", "--archive", str(plain)])
    assert result.exit_code == 2 and "not a tar or zip archive" in result.stderr


def test_archive_results_have_their_own_sarif_category(runner: CliRunner, tmp_path: Path) -> None:
    archive = tmp_path / "site.zip"
    archive.write_bytes(zip_bytes({"config/prod.ini": b"[db]\npassword = Kq8!vR2xLm\n"}))
    code, document = scan_archive(runner, archive, output="sarif")
    validate_sarif(document)
    run = document["runs"][0]
    assert code == 1 and run["automationDetails"]["id"] == "credlint-archive/"
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(
        "site.zip%21config/prod.ini")


def test_archive_with_paths_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    archive.write_bytes(zip_bytes({"a.py": b""}))
    assert runner.invoke(cli, ["scan", str(tmp_path), "--archive", str(archive)]).exit_code == 2
