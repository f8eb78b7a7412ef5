"""Pages of a list without a COUNT(*) when one page holds the whole list, as most people's own
lists do (my wishes, my claims, a community's review queue on most days)."""

from __future__ import annotations

from django.core.paginator import Paginator


class CheapCountPaginator(Paginator):
    """Asks for one row more than the first page: if it does not come, the rows fetched are the
    count. Other pages, and a first page with more behind it, count as Paginator does."""

    def get_page(self, number):
        if self._is_first(number):
            return self.page(1)
        return super().get_page(number)

    def page(self, number):
        if self._is_first(number) and "count" not in self.__dict__:
            rows = list(self.object_list[: self.per_page + 1])
            if len(rows) <= self.per_page:
                self.__dict__["count"] = len(rows)  # Paginator.count is a cached_property
            return self._get_page(rows[: self.per_page], 1, self)
        return super().page(number)

    @staticmethod
    def _is_first(number) -> bool:
        try:
            return int(number) == 1
        except (TypeError, ValueError):
            return number is None or number == ""
