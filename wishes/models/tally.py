"""How many wishes each community and grid holds in each status, kept by the database itself.

The workbench's counters and the staff list's page count read these rows instead of counting
wishes: a city's years of wishes (a million rows, tens of thousands open) would otherwise be
scanned on every visit to /staff/.

Triggers on the wish table (migration 0015; PostgreSQL and SQLite alike) add a row of +1 for
each wish that appears in a (community, grid, status, urgent, escalated) and -1 for each that
leaves one: on INSERT, on DELETE, and on UPDATE of those columns. So every write counts —
the life-cycle methods, a queryset's update(), bulk_create, the admin, raw SQL — and no
transaction waits for another: rows are only ever added, never updated in place. `wishes.tallies`
installs the triggers, reads the counts and folds the rows (hourly, from the sweep).
"""

from __future__ import annotations

from django.db import models

from ..lifecycle import Status


class WishTally(models.Model):
    # Plain numbers rather than foreign keys: the rows are derived from wishes (which protect
    # their community and grid) and are written by triggers, never through the ORM. The names
    # match Wish's fields, so the access policy's filters apply to both.
    community = models.IntegerField()
    grid = models.IntegerField(null=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    urgent = models.BooleanField()
    escalated = models.BooleanField()
    wishes = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["community", "status"], name="tally_community_idx")]

    def __str__(self):
        return f"{self.community}/{self.grid}/{self.status}: {self.wishes:+d}"
