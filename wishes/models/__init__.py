from .records import Claim, WishEvent, WishPhoto, photo_path
from .wish import Category, Wish, WishQuerySet

__all__ = ["Category", "Claim", "Wish", "WishEvent", "WishPhoto", "WishQuerySet", "photo_path"]
