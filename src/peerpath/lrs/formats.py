"""The ``format`` of statements in a GET answer (Communication 2.1.3): exact, ids or canonical.

``exact`` is the statement as stored. ``ids`` keeps only identifiers of agents, groups, verbs
and activities. ``canonical`` keeps one language of each verb display and activity name and
description, chosen by the request's Accept-Language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

FORMATS = ("exact", "ids", "canonical")
_IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
_COMPONENTS = ("choices", "scale", "source", "target", "steps")

Json = dict[str, Any]


def formatted(statement: Json, fmt: str, accept_language: str = "") -> Json:
    if fmt == "ids":
        return _statement(statement, _agent_ids, lambda verb: {"id": verb["id"]}, _activity_ids)
    if fmt == "canonical":
        languages = preferences(accept_language)
        return _statement(
            statement,
            lambda agent: agent,
            lambda verb: _verb_canonical(verb, languages),
            lambda activity: _activity_canonical(activity, languages),
        )
    return statement


def _statement(
    statement: Json,
    agent: Callable[[Json], Json],
    verb: Callable[[Json], Json],
    activity: Callable[[Json], Json],
) -> Json:
    """A copy with each agent, verb and activity passed through the given functions."""
    result = dict(statement)
    result["actor"] = agent(statement["actor"])
    result["verb"] = verb(statement["verb"])
    target = statement["object"]
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        result["object"] = activity(target)
    elif kind in {"Agent", "Group"}:
        result["object"] = agent(target)
    elif kind == "SubStatement":
        result["object"] = _statement(target, agent, verb, activity)
    if "authority" in statement:
        result["authority"] = agent(statement["authority"])
    if "context" in statement:
        context = dict(statement["context"])
        for name in ("instructor", "team"):
            if name in context:
                context[name] = agent(context[name])
        if "contextActivities" in context:
            context["contextActivities"] = {
                name: [activity(a) for a in items]
                for name, items in context["contextActivities"].items()
            }
        result["context"] = context
    return result


def _agent_ids(value: Json) -> Json:
    """An Agent or identified Group by its identifier; an anonymous Group by its members."""
    reduced = {k: v for k, v in value.items() if k == "objectType" or k in _IFIS}
    if "member" in value and not any(k in value for k in _IFIS):
        reduced["member"] = [_agent_ids(m) for m in value["member"]]
    return reduced


def _activity_ids(value: Json) -> Json:
    return {"id": value["id"]}


def preferences(header: str) -> list[str]:
    """Language tags of an Accept-Language header, most wanted first (lower case)."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")):
        tag, *params = (piece.strip() for piece in item.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if tag and weight > 0:
            ranked.append((-weight, position, tag.lower()))
    return [tag for _, _, tag in sorted(ranked)]


def one_language(mapping: Json, languages: list[str]) -> Json:
    """The entry of a language map the reader prefers, else its first entry."""
    if not mapping:
        return mapping
    keys = {key.lower(): key for key in mapping}
    for wanted in languages:
        if wanted == "*":
            break
        if wanted in keys:
            return {keys[wanted]: mapping[keys[wanted]]}
        for lower, key in keys.items():
            # "en" takes "en-GB", and "en-GB" takes "en".
            if lower.startswith(wanted + "-") or wanted.startswith(lower + "-"):
                return {key: mapping[key]}
    first = next(iter(mapping))
    return {first: mapping[first]}


def _verb_canonical(verb: Json, languages: list[str]) -> Json:
    if "display" not in verb:
        return verb
    return {**verb, "display": one_language(verb["display"], languages)}


def _activity_canonical(activity: Json, languages: list[str]) -> Json:
    if "definition" not in activity:
        return activity
    definition = dict(activity["definition"])
    for name in ("name", "description"):
        if name in definition:
            definition[name] = one_language(definition[name], languages)
    for name in _COMPONENTS:
        if name in definition:
            definition[name] = [
                {**c, "description": one_language(c["description"], languages)}
                if "description" in c
                else c
                for c in definition[name]
            ]
    return {**activity, "definition": definition}
