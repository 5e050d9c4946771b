"""Page-number pagination that never errors on a bad ?page= value."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def paginate(request: HttpRequest, items: Any, *, per_page: int = 24) -> Page[Any]:
    paginator = Paginator(items, per_page)
    return paginator.get_page(request.GET.get("page"))
