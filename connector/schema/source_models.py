"""Models of the source files (project, environment and provider overlays), derived from the final models.

A source file holds a *partial* config: every key optional, ``null`` allowed (it removes the key when the
layers are merged), plus ``provider`` and ``variables``. Deriving these models from :mod:`connector.schema.models`
keeps one source of truth: a key added to the final config is accepted in sources at once. Only schema
generation imports this module; loading sources checks them against the published schema (fast path).
"""

from __future__ import annotations

import types
import typing
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from connector.logto import TEMPLATE_TEXT_FIELDS
from connector.resources import shipped_names
from connector.schema.models import ConnectorConfig, Template
from connector.source.files import LOGTO_SECTION

# Keys a source file may hold that are not part of the final config.
PROVIDER_DESCRIPTION = (
    "A shipped provider overlay (see `smtp-connector providers`) or the path of your own overlay file, "
    "relative to this file's project. It is the lowest layer: the project and environment files override it. "
    "An environment file may name another provider (dev environments usually say `dev-sink`); null removes it."
)
VARIABLES_DESCRIPTION = (
    "Build-time variables for template files ({file: PATH} and {jinja: TEXT}), merged key by key like "
    "everything else: brand name, product URL, support address, colours. Not part of the final config."
)
LANGUAGE_DESCRIPTION = (
    "The language tag of the connector config's templates (default: en). Set it to the fallback language "
    "of Logto's sign-in experience; other languages go under each template's `locales`."
)
LOCALES_DESCRIPTION = (
    "This template in other languages, keyed by language tag (fr, pt-BR), for Logto's email-template "
    "store. A variant inherits contentType, replyTo and sendFrom from its template unless it sets them or "
    "names them in `omit` or `empty`; `build` writes them "
    "to ENV.email-templates.json for Logto's Management API."
)
FORMS_NOTE = (
    " In a source file: a string (taken literally), {text: PATH} (a file taken literally, never rendered), "
    "{file: PATH} (a Jinja2 template file) or {jinja: TEXT} (an inline Jinja2 template)."
)
LOGTO_DESCRIPTION = (
    "The Logto tenant `smtp-connector deploy` sends this environment to, and the machine-to-machine app it "
    "uses (see docs/deploy.md). Merged key by key like everything else; never part of the built config. "
    "Keys left out fall back to LOGTO_ENDPOINT, LOGTO_API_RESOURCE, LOGTO_M2M_APP_ID and LOGTO_M2M_APP_SECRET."
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
        "language": (
            str | None,
            Field(None, description=LANGUAGE_DESCRIPTION, examples=["en", "fr", "pt-BR"]),
        ),
        LOGTO_SECTION: (LogtoTarget | None, Field(None, description=LOGTO_DESCRIPTION)),
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


class LogtoTarget(BaseModel):
    """Where `smtp-connector deploy` sends an environment: a Logto endpoint and an M2M app."""

    model_config = ConfigDict(strict=True, extra="forbid", title="LogtoTarget")
    endpoint: str | None = Field(
        None,
        description="Logto's address (https://; http only on loopback), e.g. https://auth.acme.example.",
        examples=["https://auth.acme.example", "https://${LOGTO_TENANT}.logto.app"],
    )
    resource: str | None = Field(
        None,
        description="The Management API's resource indicator: https://default.logto.app/api for a "
        "self-hosted Logto (the default), https://TENANT-ID.logto.app/api on Logto Cloud.",
        examples=["https://default.logto.app/api"],
    )
    appId: str | None = Field(
        None,
        description="The machine-to-machine app's id, usually a reference such as ${LOGTO_PROD_APP_ID}.",
        examples=["${LOGTO_M2M_APP_ID}"],
    )
    appSecret: str | None = Field(
        None,
        description="The app's secret: a ${VAR} reference only (lint rejects a literal secret).",
        examples=["${LOGTO_M2M_APP_SECRET}"],
    )


class FileSource(BaseModel):
    """A Jinja2 template file, rendered at build time with the build variables."""

    model_config = ConfigDict(strict=True, extra="forbid", title="FileSource")
    file: str = Field(
        min_length=1,
        description="The template file, its path written from the project folder: templates/sign-in.html.j2.",
    )


class TextSource(BaseModel):
    """A file taken as written: never rendered, Logto's placeholders and any braces left as they are."""

    model_config = ConfigDict(strict=True, extra="forbid", title="TextSource")
    text: str = Field(
        min_length=1,
        description="The file, its path written from the project folder: templates/sign-in.html. "
        "Its text is the field's value, byte for byte (UTF-8, a BOM dropped).",
    )


class JinjaSource(BaseModel):
    """A short Jinja2 template written inline, rendered at build time with the build variables."""

    model_config = ConfigDict(strict=True, extra="forbid", title="JinjaSource")
    jinja: str = Field(description='Jinja2 text, e.g. "{{ brand }} sign-in code: {{ code }}".')


FieldSource = str | TextSource | FileSource | JinjaSource


@cache
def _locale_model() -> type[BaseModel]:
    template = Template.model_fields
    fields: dict[str, Any] = {
        "contentType": (
            typing.cast(Any, template["contentType"].annotation) | None,
            Field(None, description="Inherited from the template unless set here."),
        )
    }
    for name in TEMPLATE_TEXT_FIELDS:
        info = template[name]
        inherited = " Inherited from the template unless set here." if name in ("replyTo", "sendFrom") else ""
        fields[name] = (
            FieldSource | None,
            Field(None, description=(info.description or "") + inherited + FORMS_NOTE),
        )
    fields["omit"] = (
        list[typing.Literal["contentType", "replyTo", "sendFrom"]] | None,
        Field(
            None,
            description="Keys the store entry leaves out instead of inheriting them from the template. "
            "Without contentType Logto sends the content as HTML; without replyTo or sendFrom, the config's "
            'replyTo and fromEmail (as `replyTo: ""` says).',
        ),
    )
    fields["empty"] = (
        list[typing.Literal["replyTo", "sendFrom"]] | None,
        Field(
            None,
            description='Keys the store entry holds as the empty string "" (Logto keeps it, and sends as if '
            "there were none). `pull` writes this to give back such a store template exactly.",
        ),
    )
    model: type[BaseModel] = create_model(
        "LocaleSource",
        __config__=ConfigDict(strict=True, extra="forbid", title="LocaleSource"),
        __doc__="One template in another language: subject and content, and optionally the rest.",
        **fields,
    )
    return model


@cache
def _partial(model: type[BaseModel]) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        annotation = _partial_annotation(info.annotation)
        description = info.description
        if model is Template and name in TEMPLATE_TEXT_FIELDS:
            annotation, description = FieldSource, (description or "") + FORMS_NOTE
        # The usage type is how overlays find the template they change, so it stays required.
        required = model is Template and name == "usageType"
        if info.metadata:
            annotation = _annotated((annotation, *info.metadata))
        field = Field(
            ... if required else None,
            alias=info.alias,
            description=description,
            examples=info.examples,
        )
        fields[name] = (annotation if required else annotation | None, field)
    if model is Template:
        locales: Any = dict[str, _locale_model()]  # type: ignore[misc]
        fields["locales"] = (locales | None, Field(None, description=LOCALES_DESCRIPTION))
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
