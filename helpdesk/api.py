"""API wiring shared by every app: domain errors and validation errors become 4xx bodies,
and the HTTP side of optimistic concurrency (ETag out, If-Match in).

The contract: a record's ETag is its version as a strong entity tag (``"7"``). A write
that overwrites needs ``If-Match`` naming it: 428 without one, 412 (with who changed what)
when the record changed since. A weak tag (``W/"7"``, as a compressing proxy may rewrite
the ETag) and a bare number (``7``) are read as the same version, since the tag means
nothing else; anything else in ``If-Match`` (``*``, a list, text) is refused.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from helpdesk.exceptions import DomainError, PolicyViolation, StaleUpdate


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Field errors → 400 {field: [messages]}; policy → 403; stale update → 412."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, StaleUpdate):
        return Response(
            {"detail": exc.message, "changes": exc.changes},
            status=status.HTTP_412_PRECONDITION_FAILED,
        )
    if isinstance(exc, PolicyViolation):
        return Response({"detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


# --- optimistic concurrency: ETag and If-Match ----------------------------------------------

_ENTITY_TAG = re.compile(r'(?:W/)?"([0-9]{1,18})"|([0-9]{1,18})')


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _(
        'Send the ETag you last read as If-Match (for example If-Match: "3"), so that '
        "you cannot overwrite a change you have not seen."
    )
    default_code = "precondition_required"


def etag(version: int) -> str:
    """The ETag of a record at `version`: a strong entity tag, quoted as RFC 9110 says."""
    return f'"{version}"'


def with_etag(response: Response, version: int) -> Response:
    response["ETag"] = etag(version)
    return response


def if_match_version(request: Request, *, required: bool = True) -> int | None:
    """The version the caller's ``If-Match`` names: the one it read and means to change.

    Missing (or ``*``, which names no version): 428 when `required`, else None. Not one
    entity tag of a version: 400.
    """
    value = request.headers.get("If-Match", "").strip()
    if not value or value == "*":
        if required:
            raise PreconditionRequired()
        return None
    match = _ENTITY_TAG.fullmatch(value)
    if match is None:
        raise DRFValidationError(
            {"If-Match": [_('Give one ETag of the ticket, as it was sent (for example "3").')]}
        )
    return int(match.group(1) or match.group(2))


class ErrorOutput(serializers.Serializer):
    detail = serializers.CharField()


class StaleOutput(ErrorOutput):
    changes = serializers.ListField(child=serializers.CharField())


ETAG_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description='The ticket\'s version as a strong entity tag (e.g. "3"): send it back as '
    "If-Match to change the ticket.",
)


def if_match_parameter(*, required: bool) -> OpenApiParameter:
    if required:
        description = (
            'The ETag of the ticket as last read (e.g. "3"). Required: without it 428; if '
            'the ticket changed since, 412 and nothing is saved. W/"3" and 3 are read '
            'as "3".'
        )
    else:
        description = (
            'Optional: the ETag of the ticket as last read (e.g. "3"). A reply adds and '
            "overwrites nothing, so it needs none; sent, it makes the reply conditional: "
            "412 and nothing added if the ticket changed since."
        )
    return OpenApiParameter(
        "If-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        required=required,
        description=description,
    )


PRECONDITION_FAILED = OpenApiResponse(
    StaleOutput,
    description="The ticket changed since the ETag in If-Match: who changed what; "
    "nothing was saved.",
)
PRECONDITION_REQUIRED = OpenApiResponse(
    ErrorOutput, description="No If-Match: a write that overwrites must name the version seen."
)
