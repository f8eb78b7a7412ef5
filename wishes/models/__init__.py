from .handover import EventAttendance, EventPhoto, HandoverEvent
from .held import HeldPhoto
from .records import Claim, FollowUp, WishEvent, WishPhoto, photo_path
from .staff import DEFAULT_REJECTION_REASONS, RejectionReason
from .tally import WishTally
from .wish import Category, Wish, WishQuerySet

__all__ = [
    "DEFAULT_REJECTION_REASONS",
    "Category",
    "Claim",
    "EventAttendance",
    "EventPhoto",
    "FollowUp",
    "HandoverEvent",
    "HeldPhoto",
    "RejectionReason",
    "Wish",
    "WishEvent",
    "WishPhoto",
    "WishQuerySet",
    "WishTally",
    "photo_path",
]
