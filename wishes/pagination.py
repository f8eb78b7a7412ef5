"""Pages of a list without a COUNT(*) when one page holds the whole list, as most people's own
lists do (my wishes, my claims, a community's review queue on most days)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import BooleanField, Count, F, Func, Q, QuerySet
from django.utils.functional import cached_property


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


class KnownCountPaginator(Paginator):
    """A Paginator told how many rows there are (from the wish tally, say) rather than asking
    the database with a COUNT(*) over all of them."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.__dict__["count"] = count  # Paginator.count is a cached_property


class Chain:
    """The rows of a queryset matching `first`, then those matching `second` (and not `first`),
        read as one list by a Paginator. Each part keeps the queryset's order and can be read
        along its own index, where one ORDER BY putting the first part first could only sort every
        row: my own claims, then my branch's, say. Both parts are counted in one query, unless
    `counts` (rows in the first part, rows in all) were had already.

    A page of a part is read as its ids, from the filtered table alone, and then the rows
    (`queryset` with its joins) with those ids (`by_ids`): among the joins the planner may join
    all of a busy branch's claims before it sorts them; alone, the ids are read along the index
    that matches filter and order, and the reading stops at the page's end."""

    def __init__(
        self,
        queryset: QuerySet,
        *,
        first: Q,
        second: Q,
        counts: tuple[int, int] | None = None,
    ):
        self.rows = queryset
        self.first = queryset.filter(first)
        self.second = queryset.filter(second).exclude(first)
        self._both = queryset.filter(first | second)
        self._first_q = first
        if counts is not None:
            self.__dict__["_counts"] = counts

    @cached_property
    def _counts(self) -> tuple[int, int]:
        counts = self._both.aggregate(first=Count("pk", filter=self._first_q), all=Count("pk"))
        return counts["first"], counts["all"]

    def count(self) -> int:
        return self._counts[1]

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("Chain supports plain slices only")
        start, stop = index.start or 0, index.stop
        if start < 0 or stop is None or stop < 0:
            raise TypeError("Chain supports plain slices only")
        split = self._counts[0]
        rows = list(self._read(self.first, start, min(stop, split))) if start < split else []
        if stop > split:
            rows += list(self._read(self.second, max(start - split, 0), stop - split))
        return rows

    def _read(self, part: QuerySet, start: int, stop: int) -> QuerySet:
        return by_ids(self.rows, part.values("pk")[start:stop])


def by_ids(rows: QuerySet, ids: QuerySet) -> QuerySet:
    """The rows whose primary key `ids` (a one-column queryset) selects, in one query. On
    PostgreSQL the ids are gathered into an array first (ARRAY(subquery): run once, before the
    rows are read by primary key); as `IN (subquery)` among many joins the planner keeps the
    joins' order, joins every row and only then keeps the few asked for."""
    if connections[rows.db].vendor != "postgresql":
        return rows.filter(pk__in=ids)
    from django.contrib.postgres.expressions import ArraySubquery

    # pk = ANY(ARRAY(…)): as `pk=Func(…)` Django would put the ANY in brackets, which is no SQL.
    among = Func(
        F("pk"),
        ArraySubquery(ids),
        arg_joiner=" = ANY(",
        template="%(expressions)s)",
        output_field=BooleanField(),
    )
    return rows.filter(among)


class LookaheadPaginator(Paginator):
    """Counts only a few pages past the one asked for: enough for its links, never the whole
    list (overdue claims of a busy street, say). When more lie beyond, `more` is True and the
    pages show as "1 / 6+"; the next page moves the horizon on. Every page stays reachable."""

    ahead = 5

    def __init__(self, object_list, per_page, *, number=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        try:
            asked = max(int(number), 1)
        except (TypeError, ValueError):
            asked = 1
        self.horizon = min(asked, 10**6) * per_page + self.ahead * per_page
        self.more = False

    @cached_property
    def count(self) -> int:
        seen = self.object_list[: self.horizon + 1].count()
        self.more = seen > self.horizon
        return min(seen, self.horizon)
