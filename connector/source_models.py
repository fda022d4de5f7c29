"""Models of the source files (project, environment and provider overlays), derived from the final models.

A source file holds a *partial* config: every key optional, ``null`` allowed (it removes the key when the
layers are merged), plus ``provider`` and ``variables``. Deriving these models from :mod:`connector.models`
keeps one source of truth: a key added to the final config is accepted in sources at once. Only schema
generation imports this module; loading sources checks them against the published schema (fast path).
"""

from __future__ import annotations

import types
import typing
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from connector.models import ConnectorConfig, Template
from connector.providers import shipped_names

# Keys a source file may hold that are not part of the final config.
PROVIDER_DESCRIPTION = (
    "A shipped provider overlay (see `smtp-connector providers`) or the path of your own overlay file, "
    "relative to this file's project. It is the lowest layer: the project and environment files override it. "
    "An environment file may name another provider (dev environments usually say `dev-sink`); null removes it."
)
VARIABLES_DESCRIPTION = (
    "Build-time variables for template files, merged key by key like everything else. Not part of the "
    "final config."
)
SOURCE_DESCRIPTION = (
    "A source file of an smtp-connector project: smtp-connector.yaml, environments/<name>.yaml, or a "
    "provider overlay. Every key is optional; null removes a key set by a lower layer; templates merge by "
    "usageType. Any string may hold ${VAR}, ${VAR:-default} or ${VAR:?message}, resolved from the "
    "environment at build time ($${ writes a literal ${)."
)


@cache
def source_model() -> type[BaseModel]:
    """The model of one source file: ``provider``, ``variables``, then every config key, all optional."""
    config = _partial(ConnectorConfig)
    fields: dict[str, Any] = {
        "provider": (
            str | None,
            Field(None, description=PROVIDER_DESCRIPTION, examples=list(shipped_names())),
        ),
        "variables": (dict[str, Any] | None, Field(None, description=VARIABLES_DESCRIPTION)),
    }
    for name, info in config.model_fields.items():
        fields[name] = (info.annotation, info)
    model: type[BaseModel] = create_model(
        "SourceFile",
        __config__=ConfigDict(strict=True, extra="forbid", title="smtp-connector source file"),
        __doc__=SOURCE_DESCRIPTION,
        **fields,
    )
    return model


@cache
def _partial(model: type[BaseModel]) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        annotation = _partial_annotation(info.annotation)
        # The usage type is how overlays find the template they change, so it stays required.
        required = model is Template and name == "usageType"
        if info.metadata:
            annotation = _annotated((annotation, *info.metadata))
        field = Field(
            ... if required else None,
            alias=info.alias,
            description=info.description,
            examples=info.examples,
        )
        fields[name] = (annotation if required else annotation | None, field)
    config = dict(model.model_config)
    config.pop("title", None)
    config.pop("frozen", None)
    partial: type[BaseModel] = create_model(
        f"{model.__name__}Source",
        __config__=ConfigDict(**config),  # type: ignore[typeddict-item]
        __doc__=model.__doc__,
        **fields,
    )
    return partial


def _partial_annotation(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _partial(annotation)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Annotated:
        return _annotated((_partial_annotation(args[0]), *annotation.__metadata__))
    if origin in (typing.Union, types.UnionType):
        members = tuple(_partial_annotation(a) for a in args)
        return typing.Union[members]  # noqa: UP007 - built from a runtime tuple
    if origin is list:
        return list[_partial_annotation(args[0])]  # type: ignore[misc]
    if origin is dict:
        return dict[args[0], _partial_annotation(args[1])]  # type: ignore[misc, valid-type]
    return annotation


def _annotated(params: tuple[Any, ...]) -> Any:
    """``Annotated[X, *metadata]`` (the star form needs Python 3.11)."""
    return typing.cast(Any, Annotated)[params]
