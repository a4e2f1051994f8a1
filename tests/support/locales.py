"""Give SimCord's actors a Discord language: SimCord sends every interaction with the locale en-US."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import simcord

_ATTRIBUTE = "_balint_locales"


def speak(env: simcord.Env, actor: simcord.MemberActor, locale: str) -> None:
    """Make every interaction this actor starts from now on carry `locale`, as Discord's client would send it.

    SimCord builds an INTERACTION_CREATE with "locale": "en-US" whoever acts, and offers no
    option for it; its backend publishes the payload through `emit`, so the locale is set there,
    on a copy, for this actor's interactions only (bot and gateway code run unchanged).
    """
    backend = env.backend
    locales: dict[int, str] | None = getattr(backend, _ATTRIBUTE, None)
    if locales is None:
        locales = {}
        setattr(backend, _ATTRIBUTE, locales)
        backend.emit = _localising(backend.emit, locales)
    locales[actor.id] = locale


def _localising(emit: Callable[[str, Mapping[str, Any]], None],
                locales: Mapping[int, str]) -> Callable[[str, Mapping[str, Any]], None]:
    def localised(event: str, payload: Mapping[str, Any]) -> None:
        if event == "INTERACTION_CREATE":
            user = (payload.get("member") or {}).get("user") or payload.get("user") or {}
            locale = locales.get(int(user.get("id", 0)))
            if locale is not None:
                payload = {**payload, "locale": locale}
        emit(event, payload)

    return localised
