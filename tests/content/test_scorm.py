"""SCORM zips are read in full and refused with a clear reason before anything is stored."""

from __future__ import annotations

import io
import posixpath
import string
import zipfile

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given, settings
from hypothesis import strategies as st

from peerpath.content import scorm
from tests.content import scorm_fixtures as fx


def check(data: bytes, name: str = "course.zip") -> scorm.CheckedPackage:
    return scorm.check_package(io.BytesIO(data), size=len(data), filename=name)


def refusal(data: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        check(data)
    return " ".join(caught.value.messages)


def test_a_scorm_12_package_is_read_from_its_manifest():
    package = check(fx.scorm12_zip(parameters="?lang=en"))
    assert package.manifest == scorm.Manifest(
        title="Phone etiquette",
        standard="scorm12",
        launch_path="index.html?lang=en",
        mastery_score=80,
    )
    assert sorted(m.name for m in package.members) == [
        "css/style.css",
        "imsmanifest.xml",
        "index.html",
    ]
    assert package.total_size == sum(m.info.file_size for m in package.members)


def test_a_scorm_2004_package_resolves_xml_base_and_reads_its_mastery_measure():
    package = check(fx.scorm2004_zip())
    assert package.manifest.standard == "scorm2004"
    assert package.manifest.launch_path == "content/start.html"
    assert package.manifest.mastery_score == 80
    assert package.manifest.title == "Data protection basics"


def test_a_zip_that_wraps_the_package_in_one_folder_is_unwrapped():
    files = {f"My course/{name}": data for name, data in fx.scorm12_files().items()}
    package = check(fx.build_zip(files))
    assert package.manifest.launch_path == "index.html"
    assert {m.name for m in package.members} == {"imsmanifest.xml", "index.html", "css/style.css"}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (fx.traversal_zip(), "leaves the package folder"),
        (fx.absolute_zip(), "absolute path"),
        (fx.backslash_zip(), "backslash"),
        (fx.drive_zip(), "absolute path"),
        (fx.symlink_zip(), "link or special file"),
        (fx.bomb_zip(), "zip bomb"),
        (fx.no_manifest_zip(), "no imsmanifest.xml"),
        (fx.bad_xml_zip(), "not valid XML"),
        (fx.entity_bomb_zip(), "not valid XML"),
        (fx.missing_launch_zip(), "the zip has no such file"),
        (fx.no_version_zip(), "which SCORM version"),
        (b"PK\x03\x04 definitely not a zip", "not a zip"),
        (b"", "not a zip"),
    ],
    ids=[
        "traversal",
        "absolute",
        "backslash",
        "drive",
        "symlink",
        "bomb",
        "no-manifest",
        "bad-xml",
        "entity-bomb",
        "missing-launch",
        "no-version",
        "garbage",
        "empty",
    ],
)
def test_hostile_or_broken_zips_are_refused_with_a_reason(data, reason):
    assert reason in refusal(data)


def test_a_launch_file_outside_the_package_is_refused():
    assert "outside the package" in refusal(fx.scorm12_zip(href="https://evil.example/x.html"))


def test_too_many_files_are_refused(settings):
    settings.PEERPATH_SCORM_MAX_FILES = 2
    assert "more than 2 files" in refusal(fx.scorm12_zip())


def test_a_package_that_expands_too_far_is_refused(settings):
    settings.PEERPATH_SCORM_MAX_BYTES = 1000
    assert "expands to more than" in refusal(fx.scorm12_zip())


def test_an_oversized_upload_is_refused_before_it_is_opened(settings):
    settings.PEERPATH_SCORM_MAX_UPLOAD_BYTES = 100
    assert "larger than" in refusal(fx.scorm12_zip())


def test_a_many_entry_bomb_is_caught_by_the_overall_ratio(settings):
    settings.PEERPATH_SCORM_MAX_BYTES = 10**9
    files = fx.scorm12_files()
    for i in range(8):
        files[f"media/part{i}.bin"] = b"\0" * (512 * 1024)  # each under the per-entry floor
    assert "zip bomb" in refusal(fx.build_zip(files))


def test_duplicate_names_differing_only_in_case_are_refused():
    assert "twice" in refusal(fx.with_extra([("INDEX.html", "x")]))


def test_password_protected_entries_are_refused():
    data = bytearray(fx.scorm12_zip())
    # Set the "encrypted" flag on every entry in the central directory.
    at = data.find(b"PK\x01\x02")
    while at != -1:
        data[at + 8] |= 0x1
        at = data.find(b"PK\x01\x02", at + 4)
    assert "password" in refusal(bytes(data))


# --- Properties --------------------------------------------------------------------------


@settings(max_examples=300)
@given(st.text(min_size=0, max_size=80))
@example("º:")
@example("docs/ª:/index.html")
def test_any_name_is_refused_or_made_a_plain_relative_path(name):
    try:
        cleaned = scorm.safe_member_name(name)
    except ValidationError:
        return
    assert cleaned
    assert not cleaned.startswith("/")
    assert "\\" not in cleaned
    assert ".." not in cleaned.split("/")
    assert posixpath.normpath(cleaned) == cleaned
    assert not any(len(s) > 1 and s[1] == ":" and s[0].isalpha() for s in cleaned.split("/"))
    # The storage key stays inside the package folder.
    assert posixpath.normpath(posixpath.join("scorm/x", cleaned)).startswith("scorm/x/")


_segment = st.text(alphabet=string.ascii_letters + string.digits + "-_ ", min_size=1, max_size=12)


@given(st.lists(_segment, min_size=1, max_size=5))
def test_ordinary_names_are_kept(segments):
    name = "/".join(segments)
    assert scorm.safe_member_name(name) == name


@given(
    st.lists(st.sampled_from(["a", "..", ".", "", "b"]), min_size=1, max_size=6),
    st.sampled_from(["", "/", "\\", "C:/", "c:"]),
)
def test_names_built_from_dots_and_separators_never_escape(segments, prefix):
    name = prefix + "/".join(segments)
    try:
        cleaned = scorm.safe_member_name(name)
    except ValidationError:
        return
    assert ".." not in cleaned.split("/")
    assert not cleaned.startswith(("/", "\\"))


@settings(max_examples=200)
@given(st.binary(max_size=400))
def test_any_bytes_as_a_manifest_give_a_manifest_or_a_clear_refusal(xml):
    messages: list[str] = []
    try:
        scorm.parse_manifest(xml, {"index.html"})
    except ValidationError as exc:
        messages = exc.messages
        assert messages


_title = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40
).filter(lambda t: t.strip())
_file = st.from_regex(r"[a-z][a-z0-9_-]{0,10}(/[a-z][a-z0-9_-]{0,10}){0,2}\.html", fullmatch=True)


@given(_title, _file, st.sampled_from(["scorm12", "scorm2004"]), st.integers(0, 100))
def test_generated_manifests_are_understood(title, href, standard, mastery):
    from xml.sax.saxutils import escape

    if standard == "scorm12":
        xml = fx.MANIFEST_12.format(
            ident="p",
            title=escape(title),
            href=href,
            parameters="",
            mastery=f"<adlcp:masteryscore>{mastery}</adlcp:masteryscore>",
        )
    else:
        xml = fx.MANIFEST_2004.format(
            ident="p", title=escape(title), href=href, base="", parameters=""
        )
    manifest = scorm.parse_manifest(xml.encode(), {href})
    assert manifest.standard == standard
    assert manifest.launch_path == href
    assert manifest.title == " ".join(title.split())
    assert manifest.mastery_score == (mastery if standard == "scorm12" else 80)


def test_zip_entries_with_unix_directory_modes_are_fine():
    files = fx.scorm12_files()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        folder = zipfile.ZipInfo("css/")
        folder.create_system = 3
        folder.external_attr = (0o040755 << 16) | 0x10
        archive.writestr(folder, "")
        for name, data in files.items():
            archive.writestr(name, data)
    assert check(buffer.getvalue()).manifest.launch_path == "index.html"
