"""Checks an incoming xAPI 1.0.3 statement against the specification's MUST rules.

Pure functions: ``validate_statement`` returns a normalised copy (context activities always
lists) or raises ``StatementInvalid`` whose message names the offending field path, so a
client learns exactly what to fix from the 400 answer.
"""

from __future__ import annotations

import math
import re
import uuid
from datetime import UTC, datetime
from typing import Any

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# A scheme (as urllib reads one: a letter, then letters, digits, "+", "-" or "."), a colon,
# and no white space: what a statement's IRIs must look like, checked in one match.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# \S is every character str.isspace rejects.
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S*")
_VERSION = re.compile(r"^1\.0(\.\d+)?$")
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
_SHA2 = re.compile(r"^[0-9a-fA-F]{56,128}$")
# ISO 8601 durations: PnYnMnDTnHnMnS (any part may be left out), or PnW on its own.
_DURATION = re.compile(
    r"^P(?:\d+W|(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?"
    r"(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?)$"
)
_ISO_TIMESTAMP = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$"
)
_INTERACTION_TYPES = {
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
}
_INTERACTION_COMPONENTS = ("choices", "scale", "source", "target", "steps")

Json = dict[str, Any]


class StatementInvalid(ValueError):
    """A statement breaks a rule of the specification; the message names the field."""


def _fail(path: str, problem: str) -> StatementInvalid:
    return StatementInvalid(f"{path} {problem}")


def _object(value: Any, path: str) -> Json:
    if not isinstance(value, dict):
        raise _fail(path, "must be a JSON object")
    return value


def _only(value: Json, path: str, allowed: set[str]) -> None:
    for name in value:
        if name not in allowed:
            raise _fail(f"{path}.{name}" if path else name, "is not a property xAPI defines here")


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise _fail(path, "must be a string")
    return value


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(path, "must be true or false")
    return value


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(path, "must be a number")
    return float(value)


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(_UUID.match(value))


def _uuid(value: Any, path: str) -> str:
    if not is_uuid(value):
        raise _fail(path, "must be a UUID such as 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d'")
    return str(uuid.UUID(value))


def _iri(value: Any, path: str) -> str:
    text = _string(value, path)
    if _IRI.fullmatch(text):
        return text
    if not _SCHEME.match(text):
        raise _fail(path, "must be an absolute IRI (with a scheme, such as 'https:')")
    raise _fail(path, "must be an IRI without spaces")


def _language_map(value: Any, path: str) -> None:
    mapping = _object(value, path)
    for tag, text in mapping.items():
        if not _LANGUAGE_TAG.match(tag):
            raise _fail(f"{path}.{tag}", "is not an RFC 5646 language tag")
        _string(text, f"{path}.{tag}")


def _extensions(value: Any, path: str) -> None:
    for name in _object(value, path):
        _iri(name, f"{path} key '{name}'")


def parse_timestamp(value: Any, path: str) -> datetime:
    """An ISO 8601 date-time; without an offset it is read as UTC."""
    text = _string(value, path)
    if not _ISO_TIMESTAMP.match(text):
        raise _fail(path, "must be an ISO 8601 date and time, such as '2026-01-31T09:30:00Z'")
    if text.endswith("-00:00") or text.endswith("-0000"):
        raise _fail(path, "must not use the offset -00:00")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise _fail(path, "is not a valid date and time") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _ifis(value: Json) -> list[str]:
    return [name for name in ("mbox", "mbox_sha1sum", "openid", "account") if name in value]


def _check_ifi(value: Json, path: str) -> None:
    if "mbox" in value:
        mbox = _string(value["mbox"], f"{path}.mbox")
        if not mbox.startswith("mailto:"):
            raise _fail(f"{path}.mbox", "must start with 'mailto:'")
        if "@" not in mbox[len("mailto:") :]:
            raise _fail(f"{path}.mbox", "must hold an email address after 'mailto:'")
    if "mbox_sha1sum" in value and not _SHA1.match(
        _string(value["mbox_sha1sum"], f"{path}.mbox_sha1sum")
    ):
        raise _fail(f"{path}.mbox_sha1sum", "must be 40 hexadecimal characters")
    if "openid" in value:
        _iri(value["openid"], f"{path}.openid")
    if "account" in value:
        account = _object(value["account"], f"{path}.account")
        _only(account, f"{path}.account", {"homePage", "name"})
        if "homePage" not in account:
            raise _fail(f"{path}.account.homePage", "is required")
        if "name" not in account:
            raise _fail(f"{path}.account.name", "is required")
        _iri(account["homePage"], f"{path}.account.homePage")
        _string(account["name"], f"{path}.account.name")


def _agent(value: Any, path: str) -> None:
    agent = _object(value, path)
    _only(agent, path, {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"})
    if agent.get("objectType", "Agent") != "Agent":
        raise _fail(f"{path}.objectType", "must be 'Agent'")
    if "name" in agent:
        _string(agent["name"], f"{path}.name")
    if len(_ifis(agent)) != 1:
        raise _fail(path, "must have exactly one of mbox, mbox_sha1sum, openid or account")
    _check_ifi(agent, path)


def _group(value: Json, path: str) -> None:
    _only(
        value, path, {"objectType", "name", "member", "mbox", "mbox_sha1sum", "openid", "account"}
    )
    if "name" in value:
        _string(value["name"], f"{path}.name")
    ifis = _ifis(value)
    if len(ifis) > 1:
        raise _fail(path, "must have at most one of mbox, mbox_sha1sum, openid or account")
    if not ifis and "member" not in value:
        raise _fail(f"{path}.member", "is required for a Group without an identifier")
    if "member" in value:
        members = value["member"]
        if not isinstance(members, list):
            raise _fail(f"{path}.member", "must be a list of Agents")
        if not ifis and not members:
            raise _fail(f"{path}.member", "must not be empty for a Group without an identifier")
        for index, member in enumerate(members):
            _agent(member, f"{path}.member[{index}]")
    _check_ifi(value, path)


def _actor(value: Any, path: str) -> None:
    actor = _object(value, path)
    kind = actor.get("objectType", "Agent")
    if kind == "Group":
        _group(actor, path)
    elif kind == "Agent":
        _agent(actor, path)
    else:
        raise _fail(f"{path}.objectType", "must be 'Agent' or 'Group'")


def _verb(value: Any, path: str) -> None:
    verb = _object(value, path)
    _only(verb, path, {"id", "display"})
    if "id" not in verb:
        raise _fail(f"{path}.id", "is required")
    _iri(verb["id"], f"{path}.id")
    if "display" in verb:
        _language_map(verb["display"], f"{path}.display")


def _interaction_components(value: Any, path: str) -> None:
    if not isinstance(value, list):
        raise _fail(path, "must be a list")
    seen: set[str] = set()
    for index, component in enumerate(value):
        where = f"{path}[{index}]"
        item = _object(component, where)
        _only(item, where, {"id", "description"})
        ident = _string(item.get("id"), f"{where}.id")
        if ident in seen:
            raise _fail(f"{where}.id", "repeats an id already in this list")
        seen.add(ident)
        if "description" in item:
            _language_map(item["description"], f"{where}.description")


def _definition(value: Any, path: str) -> None:
    definition = _object(value, path)
    _only(
        definition,
        path,
        {
            "name",
            "description",
            "type",
            "moreInfo",
            "extensions",
            "interactionType",
            "correctResponsesPattern",
            *_INTERACTION_COMPONENTS,
        },
    )
    for name in ("name", "description"):
        if name in definition:
            _language_map(definition[name], f"{path}.{name}")
    for name in ("type", "moreInfo"):
        if name in definition:
            _iri(definition[name], f"{path}.{name}")
    if "extensions" in definition:
        _extensions(definition["extensions"], f"{path}.extensions")
    interaction = definition.get("interactionType")
    if "interactionType" in definition and (
        not isinstance(interaction, str) or interaction not in _INTERACTION_TYPES
    ):
        raise _fail(f"{path}.interactionType", "is not an interaction type xAPI defines")
    if "correctResponsesPattern" in definition:
        if interaction is None:
            raise _fail(f"{path}.correctResponsesPattern", "needs an interactionType")
        pattern = definition["correctResponsesPattern"]
        if not isinstance(pattern, list) or not all(isinstance(p, str) for p in pattern):
            raise _fail(f"{path}.correctResponsesPattern", "must be a list of strings")
    for name in _INTERACTION_COMPONENTS:
        if name in definition:
            if interaction is None:
                raise _fail(f"{path}.{name}", "needs an interactionType")
            _interaction_components(definition[name], f"{path}.{name}")


def _activity(value: Any, path: str) -> None:
    activity = _object(value, path)
    _only(activity, path, {"objectType", "id", "definition"})
    if activity.get("objectType", "Activity") != "Activity":
        raise _fail(f"{path}.objectType", "must be 'Activity'")
    if "id" not in activity:
        raise _fail(f"{path}.id", "is required")
    _iri(activity["id"], f"{path}.id")
    if "definition" in activity:
        _definition(activity["definition"], f"{path}.definition")


def _statement_ref(value: Json, path: str) -> None:
    _only(value, path, {"objectType", "id"})
    if "id" not in value:
        raise _fail(f"{path}.id", "is required")
    _uuid(value["id"], f"{path}.id")


def _object_of(value: Any, path: str, *, nested: bool) -> Json:
    """The object, normalised (a SubStatement's context activities become lists)."""
    target = _object(value, path)
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        _activity(target, path)
    elif kind == "Agent":
        _agent(target, path)
    elif kind == "Group":
        _group(target, path)
    elif kind == "StatementRef":
        _statement_ref(target, path)
    elif kind == "SubStatement":
        if nested:
            raise _fail(f"{path}.objectType", "must not be a SubStatement inside a SubStatement")
        _only(
            target,
            path,
            {
                "objectType",
                "actor",
                "verb",
                "object",
                "result",
                "context",
                "timestamp",
                "attachments",
            },
        )
        return _body(target, path, nested=True)
    else:
        raise _fail(
            f"{path}.objectType",
            "must be Activity, Agent, Group, StatementRef or SubStatement",
        )
    return target


def _score(value: Any, path: str) -> None:
    score = _object(value, path)
    _only(score, path, {"scaled", "raw", "min", "max"})
    numbers = {name: _number(score[name], f"{path}.{name}") for name in score}
    if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
        raise _fail(f"{path}.scaled", "must be between -1 and 1")
    low, high, raw = numbers.get("min"), numbers.get("max"), numbers.get("raw")
    if low is not None and high is not None and high < low:
        raise _fail(f"{path}.max", "must not be less than min")
    if raw is not None and low is not None and raw < low:
        raise _fail(f"{path}.raw", "must not be less than min")
    if raw is not None and high is not None and raw > high:
        raise _fail(f"{path}.raw", "must not be more than max")


def _result(value: Any, path: str) -> None:
    result = _object(value, path)
    _only(result, path, {"score", "success", "completion", "response", "duration", "extensions"})
    if "score" in result:
        _score(result["score"], f"{path}.score")
    for name in ("success", "completion"):
        if name in result:
            _bool(result[name], f"{path}.{name}")
    if "response" in result:
        _string(result["response"], f"{path}.response")
    if "duration" in result and not _DURATION.match(
        _string(result["duration"], f"{path}.duration")
    ):
        raise _fail(f"{path}.duration", "must be an ISO 8601 duration, such as 'PT1M30S'")
    if "extensions" in result:
        _extensions(result["extensions"], f"{path}.extensions")


def _context(value: Any, path: str, *, object_kind: str) -> Json:
    context = _object(value, path)
    _only(
        context,
        path,
        {
            "registration",
            "instructor",
            "team",
            "contextActivities",
            "revision",
            "platform",
            "language",
            "statement",
            "extensions",
        },
    )
    context = dict(context)
    if "registration" in context:
        context["registration"] = _uuid(context["registration"], f"{path}.registration")
    if "instructor" in context:
        _actor(context["instructor"], f"{path}.instructor")
    if "team" in context:
        team = _object(context["team"], f"{path}.team")
        if team.get("objectType") != "Group":
            raise _fail(f"{path}.team.objectType", "must be 'Group'")
        _group(team, f"{path}.team")
    for name in ("revision", "platform"):
        if name in context:
            _string(context[name], f"{path}.{name}")
            if object_kind != "Activity":
                raise _fail(f"{path}.{name}", "is only allowed when the object is an Activity")
    if "language" in context and not _LANGUAGE_TAG.match(
        _string(context["language"], f"{path}.language")
    ):
        raise _fail(f"{path}.language", "is not an RFC 5646 language tag")
    if "statement" in context:
        reference = _object(context["statement"], f"{path}.statement")
        if reference.get("objectType") != "StatementRef":
            raise _fail(f"{path}.statement.objectType", "must be 'StatementRef'")
        _statement_ref(reference, f"{path}.statement")
    if "extensions" in context:
        _extensions(context["extensions"], f"{path}.extensions")
    if "contextActivities" in context:
        where = f"{path}.contextActivities"
        groups = _object(context["contextActivities"], where)
        _only(groups, where, {"parent", "grouping", "category", "other"})
        normalised: Json = {}
        for name, entries in groups.items():
            # A single Activity is allowed; the LRS always returns a list.
            items = entries if isinstance(entries, list) else [entries]
            for index, activity in enumerate(items):
                _activity(activity, f"{where}.{name}[{index}]")
            normalised[name] = items
        context["contextActivities"] = normalised
    return context


def _attachments(value: Any, path: str) -> None:
    if not isinstance(value, list):
        raise _fail(path, "must be a list")
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        attachment = _object(item, where)
        _only(
            attachment,
            where,
            {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"},
        )
        for name in ("usageType", "display", "contentType", "length", "sha2"):
            if name not in attachment:
                raise _fail(f"{where}.{name}", "is required")
        _iri(attachment["usageType"], f"{where}.usageType")
        _language_map(attachment["display"], f"{where}.display")
        if "description" in attachment:
            _language_map(attachment["description"], f"{where}.description")
        _string(attachment["contentType"], f"{where}.contentType")
        length = attachment["length"]
        if isinstance(length, bool) or not isinstance(length, int) or length < 0:
            raise _fail(f"{where}.length", "must be a whole number of bytes")
        if not _SHA2.match(_string(attachment["sha2"], f"{where}.sha2")):
            raise _fail(f"{where}.sha2", "must be a hexadecimal SHA-2 hash")
        # Without a fileUrl the body must come as a part of a multipart request; the view
        # checks that against the parts it received.
        if "fileUrl" in attachment:
            _iri(attachment["fileUrl"], f"{where}.fileUrl")


def _body(value: Json, path: str, *, nested: bool) -> Json:
    """Checks the parts a statement and a SubStatement share; returns a normalised copy."""
    prefix = f"{path}." if path else ""
    for name in ("actor", "verb", "object"):
        if name not in value:
            raise _fail(f"{prefix}{name}", "is required")
    statement = dict(value)
    _actor(value["actor"], f"{prefix}actor")
    _verb(value["verb"], f"{prefix}verb")
    statement["object"] = _object_of(value["object"], f"{prefix}object", nested=nested)
    if "result" in value:
        _result(value["result"], f"{prefix}result")
    if "context" in value:
        kind = _object(value["object"], f"{prefix}object").get("objectType", "Activity")
        statement["context"] = _context(value["context"], f"{prefix}context", object_kind=kind)
    if "timestamp" in value:
        parse_timestamp(value["timestamp"], f"{prefix}timestamp")
    if "attachments" in value:
        _attachments(value["attachments"], f"{prefix}attachments")
    return statement


_TOP_LEVEL = {
    "id",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "stored",
    "authority",
    "version",
    "attachments",
}


def _authority(value: Any) -> None:
    """An Agent, or for three-legged OAuth an anonymous Group of exactly two Agents."""
    _actor(value, "authority")
    if value.get("objectType") == "Group":
        if _ifis(value):
            raise _fail("authority", "must be an Agent or an anonymous Group, not identified")
        if len(value["member"]) != 2:
            raise _fail("authority.member", "must hold exactly two Agents (an OAuth pair)")


def validate_statement(value: Any) -> Json:
    """The statement, normalised, or ``StatementInvalid`` naming the first broken rule."""
    statement = _object(value, "statement")
    _only(statement, "", _TOP_LEVEL)
    for name, item in statement.items():
        if item is None:
            raise _fail(name, "must not be null")
    normalised = _body(statement, "", nested=False)
    if "id" in statement:
        normalised["id"] = _uuid(statement["id"], "id")
    if "version" in statement and not _VERSION.match(_string(statement["version"], "version")):
        raise _fail("version", "must be a 1.0.x version, such as '1.0.3'")
    if "authority" in statement:
        _authority(statement["authority"])
    if "stored" in statement:
        parse_timestamp(statement["stored"], "stored")
    if normalised["verb"]["id"] == VOIDED_VERB:
        target = normalised["object"]
        if target.get("objectType") != "StatementRef":
            raise _fail("object.objectType", "must be 'StatementRef' in a voiding statement")
    return normalised


def check_actor(value: Any, path: str) -> None:
    """Raises ``StatementInvalid`` unless the value is a valid Agent or Group."""
    _actor(value, path)


def check_iri(value: Any, path: str) -> None:
    """Raises ``StatementInvalid`` unless the value is an absolute IRI."""
    _iri(value, path)


def agent_key(value: Json) -> str | None:
    """A canonical string of an Agent's or identified Group's IFI, for indexed look-ups."""
    if "mbox" in value:
        return f"mbox:{value['mbox']}"
    if "mbox_sha1sum" in value:
        return f"mbox_sha1sum:{str(value['mbox_sha1sum']).lower()}"
    if "openid" in value:
        return f"openid:{value['openid']}"
    if "account" in value:
        account = value["account"]
        return f"account:{account['homePage']}|{account['name']}"
    return None
