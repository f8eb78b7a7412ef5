"""The outcomes' pages: statistics (urls_stats), service hours (urls_hours), the 圆梦墙
(urls_wall). Each topic keeps its own list; all share the "outcomes" namespace."""

from .urls_hours import urlpatterns as hours
from .urls_stats import urlpatterns as stats
from .urls_wall import urlpatterns as wall

app_name = "outcomes"

urlpatterns = [*stats, *hours, *wall]
