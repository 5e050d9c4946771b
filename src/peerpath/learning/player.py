"""Playing SCORM packages away from Peerpath's pages.

A package's files are served under ``/scorm/play/<token>/`` into a sandboxed frame without
``allow-same-origin``: its documents get an opaque origin, so their scripts cannot read the
learner's cookies or Peerpath's pages, and the browser sends no session cookie with their
requests. The signed token names the learner, the module and the package; it is the only
credential the file and commit endpoints accept. Each HTML document of the package gets the
SCORM run-time (scorm-again) and the learner's saved data injected into its head, so the
content finds ``window.API`` / ``window.API_1484_11`` on its own window.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.templatetags.static import static
from django.urls import reverse

from peerpath.content import selectors as content
from peerpath.core import permissions
from peerpath.learning import cmi, selectors
from peerpath.people import selectors as people

if TYPE_CHECKING:
    from peerpath.content.models import Module, ScormPackage
    from peerpath.people.models import User

_SALT = "peerpath.learning.scorm-play"
RUNTIME_VERSION = "3.4.3"
SANDBOX = "allow-scripts allow-forms allow-popups allow-modals"


@dataclass(frozen=True)
class Play:
    """A valid player token, resolved: who is playing what."""

    user: User
    module: Module
    package: ScormPackage

    @property
    def recording(self) -> bool:
        return permissions.can_record_progress(self.user, self.module)


@dataclass(frozen=True)
class Launch:
    """What the module page needs to embed the player."""

    src: str
    recording: bool


def play_token(*, user: User, module: Module, package: ScormPackage) -> str:
    return signing.dumps(
        [user.public_id.hex, module.public_id.hex, package.public_id.hex], salt=_SALT
    )


def resolve(token: str) -> Play | None:
    """The play a token grants, or None when it is forged, expired or no longer allowed.

    Access is checked again on every request: a deactivated learner, an unpublished module
    or a replaced package ends the token's use at once.
    """
    try:
        value = signing.loads(
            token, salt=_SALT, max_age=timedelta(hours=settings.PEERPATH_SCORM_PLAY_HOURS)
        )
    except signing.BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 3 and all(isinstance(v, str) for v in value)):
        return None
    user_id, module_id, package_id = value
    user = people.person_by_public_id(user_id)
    module = content.module_by_public_id(module_id)
    if user is None or module is None or module.package is None:
        return None
    if module.package.public_id.hex != package_id:
        return None
    if not permissions.can_view_module(user, module):
        return None
    return Play(user=user, module=module, package=module.package)


def launch(*, user: User, module: Module, package: ScormPackage) -> Launch:
    token = play_token(user=user, module=module, package=package)
    path = package.launch_path
    split = re.search(r"[?#]", path)
    file_part, suffix = (path[: split.start()], path[split.start() :]) if split else (path, "")
    base = reverse("learning:scorm_file", kwargs={"token": token, "path": "x"})[:-1]
    src = base + quote(file_part, safe="/") + quote(suffix, safe="?#&=;,+%/:@")
    return Launch(src=src, recording=permissions.can_record_progress(user, module))


# --- Run-time injection -------------------------------------------------------------------

_HEAD = re.compile(rb"<head(?:\s[^>]*)?>", re.IGNORECASE)
_HTML = re.compile(rb"<html(?:\s[^>]*)?>", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!doctype[^>]*>", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element (no way to close it or open a comment)."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def runtime_config(play: Play) -> dict[str, Any]:
    """What the run-time inside the frame starts from: saved data, learner, where to commit."""
    saved = selectors.scorm_saved_data(play.user, play.module.pk, play.package.pk)
    standard = play.package.standard
    entry_key = "cmi.core.entry" if standard == "scorm12" else "cmi.entry"
    data = cmi.for_resume(saved)
    data[entry_key] = cmi.entry_for(saved, standard)
    if standard == "scorm12":
        data["cmi.core.student_id"] = play.user.public_id.hex
        data["cmi.core.student_name"] = play.user.display_name
        if play.package.mastery_score is not None:
            data["cmi.student_data.mastery_score"] = str(play.package.mastery_score)
    else:
        data["cmi.learner_id"] = play.user.public_id.hex
        data["cmi.learner_name"] = play.user.display_name
        if play.package.mastery_score is not None:
            data["cmi.scaled_passing_score"] = str(play.package.mastery_score / 100)
    return {
        "standard": standard,
        "data": data,
        "commitUrl": None,  # set by inject_runtime, which knows the token
    }


def runtime_snippet(play: Play, token: str) -> bytes:
    config = runtime_config(play)
    if play.recording:
        config["commitUrl"] = reverse("learning:scorm_commit", kwargs={"token": token})
    build = "scorm12" if play.package.standard == "scorm12" else "scorm2004"
    vendor = static(f"peerpath/vendor/scorm-again-{RUNTIME_VERSION}/{build}.min.js")
    boot = static("peerpath/js/scorm-runtime.js")
    return (
        f"<script>window.PeerpathScorm={_script_json(config)};</script>"
        f'<script src="{vendor}"></script>'
        f'<script src="{boot}"></script>'
    ).encode("ascii")


def declared_charset(document: bytes) -> str | None:
    """The encoding a document declares (BOM or meta), to send it in the Content-Type header.

    Injecting the run-time pushes a late <meta charset> past the first 1024 bytes, where
    browsers stop looking for it; the header keeps the document's encoding.
    """
    if document.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    found = _META_CHARSET.search(document[:4096])
    return found.group(1).decode("ascii").lower() if found else None


def inject_runtime(document: bytes, snippet: bytes) -> bytes:
    """Put ``snippet`` first in the document's head, before any of the content's scripts."""
    if document.startswith(_UTF16_BOMS):
        return document  # an ASCII snippet would corrupt UTF-16; such content finds no API
    for pattern in (_HEAD, _HTML, _DOCTYPE):
        found = pattern.search(document)
        if found:
            return document[: found.end()] + snippet + document[found.end() :]
    return snippet + document
