"""The bundled reference tables, each read once per process: the gazetteer and the actor rules."""

from __future__ import annotations

import functools

from sahelmap import actors, paths
from sahelmap.gazetteer import Gazetteer, load_gazetteer


@functools.cache
def gazetteer() -> Gazetteer:
    return load_gazetteer(paths.places_path())


@functools.cache
def actor_rules() -> tuple[actors.Rule, ...]:
    return tuple(actors.read_rules(paths.actor_rules_path()))
