"""REST API for tickets: one thin view per operation, all through the ticket services."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.api import (
    ETAG_HEADER,
    PRECONDITION_FAILED,
    PRECONDITION_REQUIRED,
    if_match_parameter,
    if_match_version,
    with_etag,
)
from helpdesk.http import AuthenticatedRequest
from sla.models import SLAClock
from tickets import links, macros, merge, selectors, services, tags
from tickets.models import Channel, Macro, Tag, Ticket
from tickets.serializers import (
    TICKET_LIST_FIELDS,
    CommentInput,
    CommentOutput,
    LinkInput,
    LinkOutput,
    MacroOutput,
    MacroRenderOutput,
    MergeInput,
    PriorityInput,
    StatusInput,
    TagOutput,
    TicketCreateInput,
    TicketOutput,
    TicketTagsInput,
    TicketTagsOutput,
    ticket_output,
)


def _output(ticket: Ticket, *, status: int = 200) -> Response:
    """The ticket as the API shows it, with its version as the ETag."""
    ticket = (
        Ticket.objects.select_related("organization", "requester")
        .prefetch_related("clocks")
        .get(pk=ticket.pk)
    )
    data = TicketOutput(ticket, context={"now": timezone.now()}).data
    return with_etag(Response(data, status=status), ticket.version)


# A write that overwrites (status, priority) must name the version it read: If-Match.
_OVERWRITE_RESPONSES = {
    200: OpenApiResponse(TicketOutput, description="Changed; the ETag is the new version."),
    412: PRECONDITION_FAILED,
    428: PRECONDITION_REQUIRED,
}


class TicketCursorPagination(CursorPagination):
    """Pages of tickets by last activity, newest first, reached by `next`/`previous` links.

    A cursor is a position in the index on (last activity, id): no page numbers, so no
    count of the whole table, and a deep page costs what the first one does.
    """

    ordering = ("-last_activity_at", "-id")
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def decode_cursor(self, request: Any) -> Cursor | None:
        cursor = super().decode_cursor(request)
        if cursor is None or cursor.position is None:
            return cursor
        # DRF would hand any text on to the query (a 500): only an instant is a position.
        try:
            position = datetime.datetime.fromisoformat(str(cursor.position))
            if position.tzinfo is None:
                raise ValueError(cursor.position)
            position.astimezone(datetime.UTC)
        except (ValueError, OverflowError):
            raise NotFound(self.invalid_cursor_message) from None
        return cursor


class TicketListCreate(generics.ListAPIView[Ticket]):
    """Tickets the caller may see, newest activity first; POST files a ticket (channel API)."""

    request: AuthenticatedRequest
    serializer_class = TicketOutput
    pagination_class = TicketCursorPagination

    def get_queryset(self) -> QuerySet[Ticket]:
        return (
            selectors.tickets_visible_to(self.request.user)
            .select_related("organization", "requester")
            .only(*TICKET_LIST_FIELDS)
            .prefetch_related(Prefetch("clocks", queryset=SLAClock.objects.order_by("metric")))
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": timezone.now()}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A page of `TicketOutput` rows, built without DRF's per-field serializers (the
        schema still describes them through `serializer_class`)."""
        page = self.paginate_queryset(self.get_queryset()) or []
        now = timezone.now()
        return self.get_paginated_response([ticket_output(ticket, now) for ticket in page])

    @extend_schema(
        request=TicketCreateInput, responses={201: TicketOutput}, parameters=[ETAG_HEADER]
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        data = TicketCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        ticket = services.ticket_create(
            requester=request.user,
            channel=Channel.API,
            subject=values["subject"],
            description=values["description"],
            impact=values["impact"],
            urgency=values["urgency"],
            priority_override=values.get("priority_override") or None,
            override_reason=values["override_reason"],
            component=values["component"],
        )
        return _output(ticket, status=status.HTTP_201_CREATED)


class TicketDetail(APIView):
    # No 304 for If-None-Match: the clocks' states move with time and with the monitor's
    # flags, neither of which changes the version, so the ETag validates writes only.
    @extend_schema(responses=TicketOutput, parameters=[ETAG_HEADER])
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        ticket = selectors.ticket_get_visible(user=request.user, pk=pk)
        return _output(ticket)


class TicketComments(APIView):
    @extend_schema(responses=CommentOutput(many=True))
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        ticket = selectors.ticket_get_visible(user=request.user, pk=pk)
        comments = selectors.ticket_conversation(ticket=ticket, viewer=request.user)
        return Response(CommentOutput(comments, many=True).data)

    @extend_schema(
        request=CommentInput,
        parameters=[if_match_parameter(required=False)],
        responses={201: CommentOutput, 412: PRECONDITION_FAILED},
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        ticket = selectors.ticket_get_visible(user=request.user, pk=pk)
        data = CommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        macro = None
        if data.validated_data.get("macro") is not None:
            macro = macros.macro_for_reply(request.user, data.validated_data["macro"])
            if macro is None:
                raise NotFound("No such macro.")
        if macro is None:
            comment = services.comment_add(
                ticket=ticket,
                author=request.user,
                body=data.validated_data["body"],
                is_public=data.validated_data["is_public"],
                channel=Channel.API,
                expected_version=if_match_version(request, required=False),
            )
        else:
            comment = macros.ticket_reply_with_macro(
                ticket=ticket,
                macro=macro,
                author=request.user,
                body=data.validated_data["body"],
                is_public=data.validated_data["is_public"],
                channel=Channel.API,
            )
        return Response(CommentOutput(comment).data, status=status.HTTP_201_CREATED)


class TicketStatus(APIView):
    @extend_schema(
        request=StatusInput,
        parameters=[if_match_parameter(required=True), ETAG_HEADER],
        responses=_OVERWRITE_RESPONSES,
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        ticket = selectors.ticket_get_visible(user=request.user, pk=pk)
        expected_version = if_match_version(request)
        data = StatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = services.ticket_change_status(
            ticket=ticket,
            actor=request.user,
            status=data.validated_data["status"],
            expected_version=expected_version,
        )
        return _output(ticket)


class TicketPriority(APIView):
    @extend_schema(
        request=PriorityInput,
        parameters=[if_match_parameter(required=True), ETAG_HEADER],
        responses=_OVERWRITE_RESPONSES,
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        ticket = selectors.ticket_get_visible(user=request.user, pk=pk)
        expected_version = if_match_version(request)
        data = PriorityInput(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = services.ticket_change_priority(
            ticket=ticket,
            actor=request.user,
            priority=data.validated_data["priority"],
            reason=data.validated_data["reason"],
            expected_version=expected_version,
        )
        return _output(ticket)


# --- engineers' tools: tags (customers get 403: they never see them) ------------------------


class IsEngineer(BasePermission):
    """Support engineers and managers only."""

    message = "Only support staff can use this."

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_engineer)


class TagList(generics.ListAPIView[Tag]):
    """Every tag with its open and total ticket counts (staff only)."""

    permission_classes = [IsEngineer]
    serializer_class = TagOutput

    def get_queryset(self) -> QuerySet[Tag]:
        return tags.tags_with_counts()


def _tags_output(ticket: Ticket) -> Response:
    data = TicketTagsOutput({"tags": ticket.tag_names, "version": ticket.version}).data
    return with_etag(Response(data), ticket.version)


class TicketTags(APIView):
    """A ticket's tags (staff only). PUT replaces them, so, like every write that
    overwrites, it needs the ticket's ETag as If-Match (428 without, 412 if stale)."""

    permission_classes = [IsEngineer]

    @extend_schema(responses=TicketTagsOutput, parameters=[ETAG_HEADER])
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        return _tags_output(selectors.ticket_get_visible(user=request.user, pk=pk))

    @extend_schema(
        request=TicketTagsInput,
        parameters=[if_match_parameter(required=True), ETAG_HEADER],
        responses={200: TicketTagsOutput, 412: PRECONDITION_FAILED, 428: PRECONDITION_REQUIRED},
    )
    def put(self, request: AuthenticatedRequest, pk: int) -> Response:
        ticket = selectors.ticket_get_visible(user=request.user, pk=pk)
        expected_version = if_match_version(request)
        data = TicketTagsInput(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = tags.ticket_tags_set(
            ticket=ticket,
            actor=request.user,
            names=data.validated_data["tags"],
            expected_version=expected_version,
        )
        return _tags_output(ticket)


class MacroList(generics.ListAPIView[Macro]):
    """The macros the caller may apply: shared ones and their own (staff only)."""

    request: AuthenticatedRequest
    permission_classes = [IsEngineer]
    serializer_class = MacroOutput

    def get_queryset(self) -> QuerySet[Macro]:
        return macros.macros_visible_to(self.request.user)


class MacroRender(APIView):
    """A macro filled in for a ticket, in its customer's language, and what sending it
    with ``macro`` on ``…/comments/`` will do (staff only)."""

    permission_classes = [IsEngineer]

    @extend_schema(responses=MacroRenderOutput)
    def get(self, request: AuthenticatedRequest, pk: int, macro_id: int) -> Response:
        ticket = selectors.ticket_get_visible(user=request.user, pk=pk)
        macro = macros.macro_for_reply(request.user, macro_id)
        if macro is None:
            raise NotFound("No such macro.")
        result = macros.macro_render(macro=macro, ticket=ticket, engineer=request.user)
        data = {
            "macro": macro.pk,
            "language": result.language,
            "body": result.body,
            "actions": result.action_texts(),
        }
        return Response(MacroRenderOutput(data).data)


class TicketMerge(APIView):
    """Merge this ticket (a duplicate) into another of the same organization (staff only).
    The duplicate closes, so this needs its ETag as If-Match; the answer is the surviving
    ticket (another organization's: 403)."""

    permission_classes = [IsEngineer]

    @extend_schema(
        request=MergeInput,
        parameters=[if_match_parameter(required=True), ETAG_HEADER],
        responses={
            200: OpenApiResponse(TicketOutput, description="The surviving ticket."),
            412: PRECONDITION_FAILED,
            428: PRECONDITION_REQUIRED,
        },
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        source = selectors.ticket_get_visible(user=request.user, pk=pk)
        expected_version = if_match_version(request)
        data = MergeInput(data=request.data)
        data.is_valid(raise_exception=True)
        target = selectors.ticket_get_visible(user=request.user, pk=data.validated_data["into"])
        survivor = merge.ticket_merge(
            source=source, target=target, actor=request.user, expected_version=expected_version
        )
        return _output(survivor)


class TicketLinks(APIView):
    """A ticket's links to other tickets, seen from its side (staff only; internal)."""

    permission_classes = [IsEngineer]

    @extend_schema(responses=LinkOutput(many=True))
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        ticket = selectors.ticket_get_visible(user=request.user, pk=pk)
        found = links.ticket_links(ticket=ticket, viewer=request.user)
        return Response(LinkOutput(found, many=True).data)

    @extend_schema(request=LinkInput, responses={201: LinkOutput(many=True)})
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        ticket = selectors.ticket_get_visible(user=request.user, pk=pk)
        data = LinkInput(data=request.data)
        data.is_valid(raise_exception=True)
        other = selectors.ticket_get_visible(user=request.user, pk=data.validated_data["other"])
        links.ticket_link(
            source=ticket, target=other, kind=data.validated_data["kind"], actor=request.user
        )
        found = links.ticket_links(ticket=ticket, viewer=request.user)
        return Response(LinkOutput(found, many=True).data, status=status.HTTP_201_CREATED)
