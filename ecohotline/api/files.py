"""Files the API hands out (photos, documents, workbooks): a renderer that lets any `Accept` through, and the
common response parts of the schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework.renderers import BaseRenderer, JSONRenderer


class PassthroughRenderer(BaseRenderer):
    """A file response is what it is, whatever the client accepts; errors still come back as JSON."""

    media_type = "*/*"
    format = "file"

    def render(self, data: Any, accepted_media_type: str | None = None,
               renderer_context: Mapping[str, Any] | None = None) -> Any:
        if isinstance(data, dict | list):  # an error body, when the client asked for the file's type
            return JSONRenderer().render(data)
        return data


# JSON first, so that errors (403, 404) are rendered as our `{code, detail}` bodies.
FILE_RENDERERS = [JSONRenderer, PassthroughRenderer]

ERROR = OpenApiResponse(
    description="`{\"code\": ..., \"detail\": ...}` (400 also `errors` by field).",
)


def binary(description: str, content_type: str = "application/octet-stream") -> dict[Any, Any]:
    return {(200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description=description),
            403: ERROR, 404: ERROR}
