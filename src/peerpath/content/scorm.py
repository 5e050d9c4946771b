"""Checking SCORM zips before anything of them is stored.

A package is untrusted input from any author: it is read in full (names, sizes, manifest,
launch file) and refused with a reason a person can act on before one byte is written.
Nothing here touches storage or the database; ``services.scorm_package_import`` does.
"""

from __future__ import annotations

import posixpath
import re
import stat
import zipfile
from dataclasses import dataclass
from typing import IO
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.conf import settings
from django.core.exceptions import ValidationError

MANIFEST = "imsmanifest.xml"
MAX_NAME_LENGTH = 400
MAX_SEGMENT_LENGTH = 255
MAX_MANIFEST_BYTES = 5 * 1024 * 1024
# Small files compress extremely well when they are mostly whitespace; the ratio cap is for
# the entries that could actually fill a disk.
RATIO_FLOOR_BYTES = 1024 * 1024
_SUPPORTED_COMPRESSION = {
    zipfile.ZIP_STORED,
    zipfile.ZIP_DEFLATED,
    zipfile.ZIP_BZIP2,
    zipfile.ZIP_LZMA,
}
# Any letter then a colon, not only ASCII: such names mean nothing good in a package.
_DRIVE = re.compile(r"^[^\W\d_]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Manifest:
    """What Peerpath needs from ``imsmanifest.xml`` to play a package."""

    title: str
    standard: str  # "scorm12" or "scorm2004", as ScormStandard's values
    # Relative to the package root, not URL-encoded, with the item's parameters appended.
    launch_path: str
    mastery_score: int | None


@dataclass(frozen=True)
class PackageMember:
    """One file of the package: its checked name (relative to the package root)."""

    name: str
    info: zipfile.ZipInfo


@dataclass(frozen=True)
class CheckedPackage:
    manifest: Manifest
    members: list[PackageMember]
    total_size: int


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="invalid_package")


# --- Names --------------------------------------------------------------------------------


def safe_member_name(name: str) -> str:
    """The entry's path relative to the package root, or a refusal if it could escape it.

    Refuses absolute paths, ``..`` segments, backslashes (Windows separators that some
    unzip tools honour), drive letters and control characters; drops ``.`` and empty
    segments, so the result is a plain ``a/b/c`` that ``posixpath.normpath`` leaves alone.
    """
    shown = _CONTROL.sub("?", name)[:120]
    if not name or _CONTROL.search(name):
        raise _refuse(f"The zip holds a file with an unusable name ({shown!r}).")
    if "\\" in name:
        raise _refuse(f"The zip holds a path with a backslash ({shown!r}); use “/” in paths.")
    if name.startswith("/") or _DRIVE.match(name):
        raise _refuse(f"The zip holds an absolute path ({shown!r}); paths must be relative.")
    segments = [s for s in name.split("/") if s not in ("", ".")]
    if any(s == ".." for s in segments):
        raise _refuse(f"The zip holds a path that leaves the package folder ({shown!r}).")
    if not segments:
        raise _refuse(f"The zip holds a file with an unusable name ({shown!r}).")
    if any(_DRIVE.match(s) for s in segments):
        raise _refuse(f"The zip holds a path with a drive letter ({shown!r}).")
    cleaned = "/".join(segments)
    if len(cleaned) > MAX_NAME_LENGTH or any(len(s) > MAX_SEGMENT_LENGTH for s in segments):
        raise _refuse(f"The zip holds a path that is too long ({shown!r}).")
    return cleaned


def _is_link_or_special(info: zipfile.ZipInfo) -> bool:
    """Symlinks (and devices, pipes) made on Unix carry their file type in external_attr."""
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    return info.create_system == 3 and kind not in (0, stat.S_IFREG, stat.S_IFDIR)


# --- The zip ------------------------------------------------------------------------------


def _limits() -> tuple[int, int, int, int]:
    return (
        settings.PEERPATH_SCORM_MAX_UPLOAD_BYTES,
        settings.PEERPATH_SCORM_MAX_BYTES,
        settings.PEERPATH_SCORM_MAX_RATIO,
        settings.PEERPATH_SCORM_MAX_FILES,
    )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def check_package(upload: IO[bytes], *, size: int, filename: str = "") -> CheckedPackage:
    """Read the whole zip's directory and its manifest; refuse anything unsafe or unplayable.

    ``upload`` must be seekable (Django's uploaded files are). Nothing is extracted except
    the manifest, which is size-capped.
    """
    max_upload, max_bytes, max_ratio, max_files = _limits()
    if size > max_upload:
        raise _refuse(f"The zip is larger than {_mb(max_upload)}, the most Peerpath accepts.")
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse("This file is not a zip archive, or it is damaged.") from exc
    with archive:
        members, total = _check_entries(
            archive.infolist(),
            zip_size=size,
            max_bytes=max_bytes,
            max_ratio=max_ratio,
            max_files=max_files,
        )
        names = {m.name for m in members}
        manifest_member = next(m for m in members if m.name == MANIFEST)
        if manifest_member.info.file_size > MAX_MANIFEST_BYTES:
            raise _refuse("imsmanifest.xml is too large to be a real manifest.")
        try:
            xml = archive.read(manifest_member.info)
        except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as exc:
            raise _refuse("imsmanifest.xml cannot be read: the zip is damaged.") from exc
    manifest = parse_manifest(xml, names, fallback_title=_title_from(filename))
    return CheckedPackage(manifest=manifest, members=members, total_size=total)


def _title_from(filename: str) -> str:
    stem = posixpath.basename(filename.replace("\\", "/")).rsplit(".", 1)[0]
    return stem.replace("_", " ").strip()[:200] or "SCORM package"


def _check_entries(
    infos: list[zipfile.ZipInfo],
    *,
    zip_size: int,
    max_bytes: int,
    max_ratio: int,
    max_files: int,
) -> tuple[list[PackageMember], int]:
    files = [i for i in infos if not i.is_dir()]
    if len(infos) > max_files:
        raise _refuse(f"The zip holds more than {max_files} files.")
    total = 0
    checked: list[tuple[str, zipfile.ZipInfo]] = []
    for info in infos:
        name = safe_member_name(info.filename)  # directories too: their names must be safe
        if _is_link_or_special(info):
            raise _refuse(f"The zip holds a link or special file ({name!r}); only files work.")
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise _refuse("The zip is password-protected; upload it without a password.")
        if info.compress_type not in _SUPPORTED_COMPRESSION:
            raise _refuse(f"The zip uses a compression method Peerpath cannot read ({name!r}).")
        if info.file_size > RATIO_FLOOR_BYTES and (
            info.file_size > max_ratio * max(info.compress_size, 1)
        ):
            raise _refuse(
                f"{name!r} expands more than {max_ratio} times its compressed size; "
                "the zip looks like a zip bomb."
            )
        total += info.file_size
        if total > max_bytes:
            raise _refuse(f"The package expands to more than {_mb(max_bytes)}.")
        checked.append((name, info))
    if total > RATIO_FLOOR_BYTES and total > max_ratio * max(zip_size, 1):
        raise _refuse(
            f"The package expands more than {max_ratio} times the size of the zip; "
            "it looks like a zip bomb."
        )
    if not files:
        raise _refuse("The zip is empty.")
    root = _package_root([n for n, _ in checked])
    members: list[PackageMember] = []
    seen: set[str] = set()
    for name, info in checked:
        relative = name[len(root) :]
        if relative.lower() in seen:
            raise _refuse(f"The zip holds {relative!r} twice.")
        seen.add(relative.lower())
        members.append(PackageMember(name=relative, info=info))
    return members, total


def _package_root(names: list[str]) -> str:
    """ "" when the manifest is at the top; "folder/" when the zip wraps one folder with it."""
    if MANIFEST in names:
        return ""
    candidates = {n[: -len(MANIFEST)] for n in names if n.endswith("/" + MANIFEST)}
    top_level = [c for c in candidates if c.count("/") == 1]
    if len(top_level) == 1 and all(n.startswith(top_level[0]) for n in names):
        return top_level[0]
    raise _refuse(
        "The zip has no imsmanifest.xml at its top level, so it is not a SCORM package. "
        "Export the course as SCORM 1.2 or SCORM 2004 and upload that zip."
    )


# --- The manifest -------------------------------------------------------------------------

_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_ADLCP_12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
_ADLCP_2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"
_IMSCP_12 = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: Element, name: str) -> list[Element]:
    return [c for c in element if _local(c.tag) == name]


def _child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    return next(iter(_children(element, name)), None)


def _text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _attr(element: Element, name: str) -> str:
    """An attribute by local name, whatever namespace prefix the authoring tool chose."""
    for key, value in element.attrib.items():
        if _local(key) == name or key == name:
            return value.strip()
    return ""


def _detect_standard(root: Element, xml: bytes) -> str:
    version = _text(_child(_child(root, "metadata"), "schemaversion")).lower()
    if version == "1.2":
        return "scorm12"
    if version.startswith("2004") or "1.3" in version:
        return "scorm2004"
    namespaces = xml[:20_000].decode("utf-8", "replace")
    if _ADLCP_2004 in namespaces or "imsss" in namespaces:
        return "scorm2004"
    if _ADLCP_12 in namespaces or _IMSCP_12 in namespaces:
        return "scorm12"
    raise _refuse(
        "imsmanifest.xml does not say which SCORM version it is (1.2 or 2004); "
        "export the course again as SCORM 1.2 or SCORM 2004."
    )


def _join_base(*parts: str) -> str:
    """Join xml:base values and an href the way a browser resolves relative URLs."""
    path = ""
    for part in parts:
        if not part:
            continue
        if "://" in part or part.startswith("/"):
            return part  # absolute: refused by the caller
        path = posixpath.join(posixpath.dirname(path) if not path.endswith("/") else path, part)
    return path


def _with_parameters(href: str, parameters: str) -> str:
    """Append an item's ``parameters`` to its resource's href (IMS CP rules)."""
    parameters = parameters.strip()
    if not parameters:
        return href
    parameters = parameters.lstrip("?&") if not parameters.startswith("#") else parameters
    if parameters.startswith("#"):
        return href if "#" in href else href + parameters
    return href + ("&" if "?" in href else "?") + parameters


def _first_launchable(items: list[Element], resources: dict[str, Element]) -> Element | None:
    """Depth first, the first item that points at a resource with an href."""
    for item in items:
        ref = _attr(item, "identifierref")
        if ref and ref in resources and _attr(resources[ref], "href"):
            return item
        found = _first_launchable(_children(item, "item"), resources)
        if found is not None:
            return found
    return None


def _mastery_score(item: Element, standard: str) -> int | None:
    if standard == "scorm12":
        raw = _text(_child(item, "masteryscore"))
        try:
            value = round(float(raw))
        except ValueError:
            return None
        return value if 0 <= value <= 100 else None
    primary = _child(_child(_child(item, "sequencing"), "objectives"), "primaryObjective")
    if primary is None or _attr(primary, "satisfiedByMeasure").lower() != "true":
        return None
    try:
        measure = float(_text(_child(primary, "minNormalizedMeasure")) or "1")
    except ValueError:
        return None
    return round(measure * 100) if 0 <= measure <= 1 else None


def launch_file(launch_path: str) -> str:
    """The file part of a launch path: no query or fragment, percent-decoded."""
    path = re.split(r"[?#]", launch_path, maxsplit=1)[0]
    return unquote(path)


def parse_manifest(xml: bytes, names: set[str], *, fallback_title: str = "") -> Manifest:
    """Find the standard, title, launch file and mastery score in ``imsmanifest.xml``.

    The launch file is the default organization's first item with a resource (SCORM's own
    rule); it must be one of ``names``, the package's files.
    """
    try:
        root = fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError, UnicodeError) as exc:
        raise _refuse(f"imsmanifest.xml is not valid XML ({exc}).") from exc
    if _local(root.tag) != "manifest":
        raise _refuse("imsmanifest.xml is not a SCORM manifest: its top element is not <manifest>.")
    standard = _detect_standard(root, xml)

    resources_el = _child(root, "resources")
    resources: dict[str, Element] = {}
    if resources_el is not None:
        for resource in _children(resources_el, "resource"):
            identifier = _attr(resource, "identifier")
            if identifier and identifier not in resources:
                resources[identifier] = resource

    organizations = _child(root, "organizations")
    orgs = _children(organizations, "organization") if organizations is not None else []
    default_id = _attr(organizations, "default") if organizations is not None else ""
    organization = next((o for o in orgs if _attr(o, "identifier") == default_id), None) or (
        orgs[0] if orgs else None
    )
    item = _first_launchable(_children(organization, "item"), resources) if organization else None
    if item is None:
        raise _refuse(
            "imsmanifest.xml names no item to launch: its organization has no item "
            "that points at a resource with an href."
        )
    resource = resources[_attr(item, "identifierref")]
    href = _join_base(
        root.get(_XML_BASE, ""),
        (resources_el.get(_XML_BASE, "") if resources_el is not None else ""),
        resource.get(_XML_BASE, ""),
        _attr(resource, "href"),
    )
    if "://" in href or href.startswith("/") or href.startswith("//"):
        raise _refuse(
            "The manifest's launch file is outside the package; Peerpath plays only "
            "packages that contain their own content."
        )
    file_part = launch_file(href)
    try:
        launch_name = safe_member_name(file_part)
    except ValidationError as exc:
        raise _refuse(f"The manifest's launch file {file_part!r} is not a usable path.") from exc
    if launch_name not in names:
        raise _refuse(f"The manifest launches {launch_name!r}, but the zip has no such file.")
    suffix = href[len(href.split("?", 1)[0].split("#", 1)[0]) :]
    launch_path = _with_parameters(launch_name + suffix, _attr(item, "parameters"))
    if len(launch_path) > 500:
        raise _refuse("The manifest's launch address is too long.")

    title = (
        _text(_child(organization, "title"))
        or _text(_child(item, "title"))
        or fallback_title
        or "SCORM package"
    )
    return Manifest(
        title=" ".join(title.split())[:200],
        standard=standard,
        launch_path=launch_path,
        mastery_score=_mastery_score(item, standard),
    )
