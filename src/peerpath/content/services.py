"""Every write to modules and learning paths goes through here."""

from __future__ import annotations

import logging
import uuid
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from peerpath.content import quizzes, scorm, selectors
from peerpath.content.models import (
    Asset,
    AssetKind,
    Module,
    ModuleDraft,
    ModuleKind,
    ModuleStatus,
    ModuleVersion,
    ScormPackage,
)
from peerpath.content.rendering import render_markdown
from peerpath.core import events, permissions
from peerpath.skills import selectors as skills_selectors

if TYPE_CHECKING:
    from peerpath.people.models import User
    from peerpath.skills.models import Skill

logger = logging.getLogger(__name__)


def _slug(title: str) -> str:
    return slugify(title)[:110] or "module"


@dataclass(frozen=True)
class QuizSettings:
    """How a module's quiz is taken; stored with its questions in every version."""

    pass_mark: int = 80
    shuffle: bool = False
    max_attempts: int | None = None


def _build_quiz(source: str, settings: QuizSettings) -> dict[str, Any]:
    if not source.strip():
        return {}
    try:
        questions = quizzes.parse_quiz(source)
    except quizzes.QuizSyntaxError as exc:
        raise ValidationError({"quiz_source": str(exc)}) from exc
    if not 0 <= settings.pass_mark <= 100:
        raise ValidationError({"pass_mark": "The pass mark is a percentage from 0 to 100."})
    if settings.max_attempts is not None and not 1 <= settings.max_attempts <= 100:
        raise ValidationError({"max_attempts": "Allow from 1 to 100 attempts, or leave it empty."})
    return {
        "pass_mark": settings.pass_mark,
        "shuffle": settings.shuffle,
        "max_attempts": settings.max_attempts,
        "questions": questions,
    }


def _content(
    *,
    title: str,
    summary: str,
    body_markdown: str,
    estimated_minutes: int,
    skill_ids: Sequence[int],
    quiz_source: str,
    quiz: dict[str, Any],
    package: ScormPackage | None,
    document: Asset | None,
) -> dict[str, Any]:
    """Everything a version records, in one place: a draft, a version and a module agree."""
    return {
        "title": title.strip(),
        "summary": summary.strip(),
        "body_markdown": body_markdown,
        "estimated_minutes": estimated_minutes,
        "skill_ids": sorted(set(skill_ids)),
        "quiz_source": quiz_source,
        "quiz": quiz,
        "package": package,
        "document": document,
    }


def _check_attachments(kind: str, *, package: ScormPackage | None, document: Asset | None) -> None:
    if package is not None and kind != ModuleKind.PACKAGE:
        raise ValidationError({"package": "Only a SCORM package module plays a package."})
    if document is not None and kind != ModuleKind.FILE:
        raise ValidationError({"document": "Only a document module shows a document."})
    if document is not None and document.kind not in (AssetKind.PDF, AssetKind.DOCUMENT):
        raise ValidationError({"document": "A document module shows a PDF or a document."})


def _check_publishable(kind: str, text: dict[str, Any]) -> None:
    """A module is published only when learners would find something in it."""
    if kind in (ModuleKind.ARTICLE, ModuleKind.DECK) and not text["body_markdown"].strip():
        noun = "slides" if kind == ModuleKind.DECK else "the module"
        raise ValidationError({"body_markdown": f"Write {noun} before publishing."})
    if kind == ModuleKind.QUIZ and not text["quiz"].get("questions"):
        raise ValidationError({"quiz_source": "Add at least one question before publishing."})
    if kind == ModuleKind.PACKAGE and text["package"] is None:
        raise ValidationError({"package": "Import a SCORM package before publishing."})
    if kind == ModuleKind.FILE and text["document"] is None:
        raise ValidationError({"document": "Upload the document before publishing."})


@transaction.atomic
def module_create(
    *,
    author: User,
    title: str,
    summary: str,
    estimated_minutes: int,
    body_markdown: str = "",
    kind: str = ModuleKind.ARTICLE,
    skills: Iterable[Skill] = (),
    quiz_source: str = "",
    quiz_settings: QuizSettings | None = None,
    package: ScormPackage | None = None,
    document: Asset | None = None,
    publish: bool = False,
) -> Module:
    """Create a draft module owned by ``author`` (published at once when asked)."""
    permissions.require(permissions.can_create_module(author))
    if kind not in ModuleKind.values:
        raise ValidationError({"kind": "Choose what kind of module this is."})
    _check_attachments(kind, package=package, document=document)
    text = _content(
        title=title,
        summary=summary,
        body_markdown=body_markdown,
        estimated_minutes=estimated_minutes,
        skill_ids=[s.pk for s in skills],
        quiz_source=quiz_source,
        quiz=_build_quiz(quiz_source, quiz_settings or QuizSettings()),
        package=package,
        document=document,
    )
    module = Module(owner=author, kind=kind)
    _apply_content(module, text)
    if publish:
        module_publish(actor=author, module=module)
    return module


@transaction.atomic
def module_update(
    *,
    actor: User,
    module: Module,
    title: str,
    summary: str,
    estimated_minutes: int,
    skills: Iterable[Skill],
    body_markdown: str = "",
    quiz_source: str = "",
    quiz_settings: QuizSettings | None = None,
    package: ScormPackage | None = None,
    document: Asset | None = None,
) -> Module:
    """Save an author's edits.

    A module learners can see keeps its published text: the edits go into its draft
    until they are published. A module nobody sees yet is edited in place.
    """
    permissions.require(permissions.can_edit_module(actor, module))
    _check_attachments(module.kind, package=package, document=document)
    text = _content(
        title=title,
        summary=summary,
        body_markdown=body_markdown,
        estimated_minutes=estimated_minutes,
        skill_ids=[s.pk for s in skills],
        quiz_source=quiz_source,
        quiz=_build_quiz(quiz_source, quiz_settings or QuizSettings()),
        package=package,
        document=document,
    )
    if not module.is_published:
        _apply_content(module, text)
        return module
    draft = ModuleDraft(module=module, updated_by=actor, **text)
    draft.full_clean(exclude=["module", "updated_by"])
    # Lock the module row so two tabs saving at once cannot both create its draft.
    Module.objects.select_for_update().filter(pk=module.pk).exists()
    ModuleDraft.objects.update_or_create(module=module, defaults={**text, "updated_by": actor})
    return module


def _apply_content(module: Module, text: dict[str, Any]) -> None:
    """Make ``text`` the module's own: what learners read once it is published."""
    fields = dict(text)
    skill_ids = fields.pop("skill_ids")
    for name, value in fields.items():
        setattr(module, name, value)
    module.slug = _slug(module.title)
    module.body_html = render_markdown(module.body_markdown)
    module.full_clean()
    module.save()
    module.skills.set(list(skills_selectors.skills_all().filter(pk__in=skill_ids)))


def _apply_draft(module: Module, draft: ModuleDraft) -> None:
    """Make the draft's text the module's own, and drop the draft."""
    _apply_content(module, _text_of(draft))
    draft.delete()


@transaction.atomic
def module_publish(*, actor: User, module: Module) -> Module:
    """Publish the module's latest text, recording it as a new immutable version.

    A curated module keeps showing learners its curated version: the new version waits
    for the expert reviewers, who adopt it when they approve.
    """
    permissions.require(permissions.can_edit_module(actor, module))
    # Lock the module: two publishes at once must not take the same version number.
    locked = Module.objects.select_for_update().get(pk=module.pk)
    draft = ModuleDraft.objects.filter(module=locked).first()
    if locked.is_published and draft is None:
        return locked
    text = _text_of(draft) if draft is not None else _text_of(locked)
    _check_publishable(locked.kind, text)
    if locked.is_curated and draft is not None:
        draft.delete()
    elif draft is not None:
        _apply_draft(locked, draft)
    now = timezone.now()
    last = locked.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = ModuleVersion.objects.create(
        module=locked, number=last + 1, published_by=actor, published_at=now, **text
    )
    locked.status = ModuleStatus.PUBLISHED
    locked.published_at = locked.published_at or now
    locked.save(update_fields=["status", "published_at", "updated_at"])
    events.publish(
        events.ModulePublished(module_id=locked.pk, version_id=version.pk, actor_id=actor.pk)
    )
    # The caller's instance now shows what learners see.
    module.refresh_from_db()
    return module


def _text_of(source: Module | ModuleDraft | ModuleVersion) -> dict[str, Any]:
    skill_ids = (
        sorted(source.skills.values_list("pk", flat=True))
        if isinstance(source, Module)
        else list(source.skill_ids)
    )
    return _content(
        title=source.title,
        summary=source.summary,
        body_markdown=source.body_markdown,
        estimated_minutes=source.estimated_minutes,
        skill_ids=skill_ids,
        quiz_source=source.quiz_source,
        quiz=source.quiz,
        package=source.package,
        document=source.document,
    )


@transaction.atomic
def module_adopt_version(*, actor: User, module: Module, version: ModuleVersion) -> Module:
    """Make an approved version the curated text learners see."""
    permissions.require(permissions.can_moderate_module(actor, module))
    if version.module_id != module.pk:
        raise ValidationError("That version belongs to another module.")
    locked = Module.objects.select_for_update().get(pk=module.pk)
    _apply_content(locked, _text_of(version))
    locked.curated_version = version
    locked.save(update_fields=["curated_version", "updated_at"])
    module.refresh_from_db()
    return module


@transaction.atomic
def module_discard_draft(*, actor: User, module: Module) -> None:
    """Throw away unpublished edits; the published text stays as it is."""
    permissions.require(permissions.can_edit_module(actor, module))
    ModuleDraft.objects.filter(module=module).delete()


@transaction.atomic
def module_restore_version(*, actor: User, module: Module, version: ModuleVersion) -> Module:
    """Bring an old version's text back as the module's working copy, ready to publish."""
    permissions.require(permissions.can_edit_module(actor, module))
    if version.module_id != module.pk:
        raise ValidationError("That version belongs to another module.")
    text = _text_of(version)
    if not module.is_published:
        _apply_content(module, text)
        return module
    Module.objects.select_for_update().filter(pk=module.pk).exists()
    ModuleDraft.objects.update_or_create(module=module, defaults={**text, "updated_by": actor})
    return module


@transaction.atomic
def module_unpublish(*, actor: User, module: Module) -> Module:
    """Return a module to draft; learners' progress on it is kept.

    Unpublished edits become the module's text again, so nothing written is lost.
    """
    permissions.require(permissions.can_unpublish_module(actor, module))
    draft = ModuleDraft.objects.filter(module=module).first()
    if draft is not None:
        _apply_draft(module, draft)
    module.status = ModuleStatus.DRAFT
    module.published_at = None
    module.save(update_fields=["status", "published_at", "updated_at"])
    return module


MAX_CO_AUTHORS = 10


@transaction.atomic
def module_set_co_authors(*, actor: User, module: Module, people: Sequence[User]) -> Module:
    """Replace the module's co-authors: colleagues who may edit and publish it."""
    permissions.require(
        permissions.can_manage_co_authors(actor, module),
        "Only the module's owner chooses its co-authors.",
    )
    chosen = {p.pk: p for p in people}
    if module.owner_id in chosen:
        raise ValidationError({"co_authors": "The owner is already an author."})
    if any(not p.is_active for p in chosen.values()):
        raise ValidationError({"co_authors": "Deactivated people cannot be co-authors."})
    if len(chosen) > MAX_CO_AUTHORS:
        raise ValidationError({"co_authors": f"A module has at most {MAX_CO_AUTHORS} co-authors."})
    module.co_authors.set(list(chosen.values()))
    return module


# --- SCORM packages -------------------------------------------------------------------------


def _delete_stored_tree(prefix: str) -> None:
    """Remove every file stored under ``prefix`` (best effort: the caller is already failing)."""
    try:
        folders, files = default_storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError, OSError):
        return
    for name in files:
        try:
            default_storage.delete(f"{prefix}/{name}")
        except OSError:
            logger.warning("Could not delete %s/%s after a failed package import", prefix, name)
    for folder in folders:
        _delete_stored_tree(f"{prefix}/{folder}")


def _store_members(checked: scorm.CheckedPackage, upload: UploadedFile, prefix: str) -> None:
    upload.seek(0)
    with zipfile.ZipFile(upload) as archive:
        for member in checked.members:
            key = f"{prefix}/{member.name}"
            with archive.open(member.info) as source:
                content = File(source, name=member.name)
                content.size = member.info.file_size
                saved = default_storage.save(key, content)
            if saved != key:
                raise ValidationError(
                    f"The storage renamed {member.name!r}; the package would not play."
                )


@transaction.atomic
def scorm_package_import(*, actor: User, upload: UploadedFile) -> ScormPackage:
    """Check a SCORM zip in full, then unpack it into storage and record it.

    Nothing is written unless every check passes; if writing fails part way, the files
    already written are removed again, so a refused or broken import leaves nothing behind.
    """
    permissions.require(permissions.can_import_package(actor))
    filename = (upload.name or "package.zip")[:200]
    checked = scorm.check_package(upload, size=upload.size or 0, filename=filename)
    public_id = uuid.uuid4()
    prefix = f"scorm/{public_id.hex}"
    try:
        _store_members(checked, upload, prefix)
        package = ScormPackage(
            public_id=public_id,
            uploaded_by=actor,
            title=checked.manifest.title,
            standard=checked.manifest.standard,
            launch_path=checked.manifest.launch_path,
            storage_prefix=prefix,
            original_name=filename,
            file_count=len(checked.members),
            total_size=checked.total_size,
            mastery_score=checked.manifest.mastery_score,
        )
        package.full_clean()
        package.save()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        _delete_stored_tree(prefix)
        raise ValidationError("The zip is damaged: a file in it cannot be unpacked.") from exc
    except BaseException:
        _delete_stored_tree(prefix)
        raise
    return package


def _attach(
    *,
    actor: User,
    module: Module,
    package: ScormPackage | None = None,
    document: Asset | None = None,
) -> None:
    """Save the working copy unchanged but for a new package or document."""
    copy = selectors.working_copy(module)
    module_update(
        actor=actor,
        module=module,
        title=copy.title,
        summary=copy.summary,
        estimated_minutes=copy.estimated_minutes,
        skills=skills_selectors.skills_all().filter(pk__in=copy.skill_ids),
        body_markdown=copy.body_markdown,
        quiz_source=copy.quiz_source,
        quiz_settings=QuizSettings(
            pass_mark=copy.quiz.get("pass_mark", 80),
            shuffle=copy.quiz.get("shuffle", False),
            max_attempts=copy.quiz.get("max_attempts"),
        ),
        package=package or copy.package,
        document=document or copy.document,
    )


@transaction.atomic
def module_attach_document(*, actor: User, module: Module, document: Asset) -> Module:
    """Make an uploaded document the one a document module shows (a draft until published)."""
    permissions.require(permissions.can_edit_module(actor, module))
    if module.kind != ModuleKind.FILE:
        raise ValidationError({"document": "Only a document module shows a document."})
    _attach(actor=actor, module=module, document=document)
    return module


@transaction.atomic
def module_attach_package(*, actor: User, module: Module, upload: UploadedFile) -> ScormPackage:
    """Import a SCORM zip and make it the package a package module plays.

    A published module keeps playing its current package for learners until the author
    publishes; the new one waits in the draft like any other edit.
    """
    permissions.require(permissions.can_edit_module(actor, module))
    if module.kind != ModuleKind.PACKAGE:
        raise ValidationError({"package": "Only a SCORM package module plays a package."})
    package = scorm_package_import(actor=actor, upload=upload)
    try:
        _attach(actor=actor, module=module, package=package)
    except BaseException:
        _delete_stored_tree(package.storage_prefix)
        raise
    return package
