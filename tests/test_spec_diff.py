"""`codegen diff`: spec changes described as wire changes, with breaking ones marked."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from codegen.spec_diff import diff_documents, render
from codegen.pipeline import beta_schema
from tests.support import FIXTURES, ROOT

SPEC = FIXTURES / "kitchen_sink" / "spec"


def edited(tmp_path: Path, file: str, old: str, new: str) -> Path:
    spec = tmp_path / "spec"
    shutil.copytree(SPEC, spec)
    text = (spec / file).read_text()
    assert old in text
    (spec / file).write_text(text.replace(old, new))
    return spec


def lines_for(tmp_path: Path, file: str, old: str, new: str) -> list[str]:
    changes = diff_documents(beta_schema(SPEC), beta_schema(edited(tmp_path, file, old, new)))
    return render(changes).splitlines()[1:]


def test_no_change_says_so() -> None:
    assert render(diff_documents(beta_schema(SPEC), beta_schema(SPEC))) == (
        "No change to the wire format.\n"
    )


def test_new_optional_field_is_not_breaking(tmp_path: Path) -> None:
    lines = lines_for(
        tmp_path,
        "blocks.yaml",
        "    text: {type: string, description: The text itself.}",
        "    text: {type: string, description: The text itself.}\n"
        "    lang: {type: string, optional: true, beta: lang-2099-01-01}",
    )
    assert lines == ["         + TextBlock.lang: string (optional) [beta: lang-2099-01-01]"]


def test_new_required_field_and_removed_field_are_breaking(tmp_path: Path) -> None:
    lines = lines_for(
        tmp_path, "blocks.yaml", "    url: {type: string}", "    href: {type: string}"
    )
    assert lines == [
        "BREAKING + UrlSource.href: string",
        "BREAKING - UrlSource.url: string",
    ]


def test_optional_to_required_and_losing_null_are_breaking(tmp_path: Path) -> None:
    lines = lines_for(
        tmp_path,
        "blocks.yaml",
        "    cache_control: {type: Cache, optional: true, nullable: true}",
        "    cache_control: {type: Cache}",
    )
    assert lines == [
        "BREAKING ~ TextBlock.cache_control: Cache (optional, nullable)  →  cache_control: Cache"
    ]


def test_enum_values_of_open_and_closed_enums(tmp_path: Path) -> None:
    lines = lines_for(
        tmp_path,
        "blocks.yaml",
        "  enum: [image/png, image/jpeg,",
        "  enum: [image/png, image/avif,",
    )
    assert lines == [
        '         + MediaType value "image/avif"',
        '         - MediaType value "image/jpeg"',
    ]
    lines = lines_for(tmp_path / "closed", "blocks.yaml", '  enum: ["5m", "1h"]', '  enum: ["5m"]')
    assert lines == ['BREAKING - CacheTTL value "1h"']


def test_variants_and_types_added_and_removed(tmp_path: Path) -> None:
    lines = lines_for(
        tmp_path,
        "blocks.yaml",
        "  variants: [Base64Source, UrlSource]",
        "  variants: [Base64Source]",
    )
    assert lines == ["BREAKING - ImageSource variant UrlSource"]


def test_cli_compares_with_a_git_revision(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(SPEC, repo / "spec")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    blocks = repo / "spec" / "blocks.yaml"
    blocks.write_text(
        blocks.read_text().replace(
            "    url: {type: string}",
            "    url: {type: string}\n    alt: {type: string, optional: true}",
        )
    )
    command = [sys.executable, "-m", "codegen", "diff", "--spec", str(repo / "spec")]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "1 change(s) to the wire format, 0 breaking:\n"
        "         + UrlSource.alt: string (optional)\n"
    )
    blocks.write_text(blocks.read_text().replace("    url: {type: string}\n", ""))
    result = subprocess.run(
        [*command, "--fail-on-breaking"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "BREAKING - UrlSource.url: string" in result.stdout
