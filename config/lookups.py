"""`pk__in=[…]` leaves out numbers no integer column can hold, as `pk=…` has done since
Django 5.0 (IntegerFieldOverflow).

A crafted form (a category ticked as 99999999999999999999) reached the database through
ModelMultipleChoiceField's `pk__in`, and SQLite — `make run` and `make test` without
DATABASE_URL — raised OverflowError: a 500. Such a number matches no row, so it is dropped,
and an `in` left with nothing matches nothing. PostgreSQL answered correctly, by a full scan.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            internal_type = self.lhs.output_field.get_internal_type()
            low, high = connection.ops.integer_field_range(internal_type)
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
            if not self.rhs:
                raise EmptyResultSet
        return super().process_rhs(compiler, connection)


def apply() -> None:
    IntegerField.register_lookup(IntegerIn)
