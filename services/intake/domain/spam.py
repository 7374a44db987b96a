"""Link-stuffed text is suspect: the community's web page was once flooded with injected links.

Such a submission is kept, but held for a committee's review instead of being published.
"""

from __future__ import annotations

import re

_LINK = re.compile(
    r"(?:https?://|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|cn|top|xyz|info|biz|cc|io|vip|shop|site|online)\b"
)


def link_count(*texts: str | None) -> int:
    # One scan of the lowered texts (a newline apart, which no link crosses): matching case
    # blindly costs a third more per position, and every new issue is scanned.
    return len(_LINK.findall("\n".join(t for t in texts if t).lower()))


def looks_like_spam(*texts: str | None, max_links: int = 2) -> bool:
    """More than `max_links` links in the submitted text: hold for review."""
    return link_count(*texts) > max_links
