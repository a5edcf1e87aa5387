"""Copies: the same text from many authors (campaigns, copy-paste) and re-shares.

Two comments are copies when their words are equal: the spaCy tokens that contain a letter
or digit, lower-cased, without diacritics, punctuation, links, mentions or a re-share
prefix ("RT @x:"), and there are at least MIN_WORDS of them: shorter texts ("Bravo!",
"Mulțumim!") are independent voices that happen to agree, not a campaign. Copies share a
`dup_group` (a hash of the normalised text); within one institution, the earliest copy
carries the group in topic and sentiment shares (`dup_first`), and every copy records how
many there are (`dup_count`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

MIN_WORDS = 5

# Recomputes dup_count and dup_first over the whole table (one window pass: about a tenth
# of a second for 200,000 comments), so groups stay right as copies arrive or change.
RECOUNT_SQL = """
UPDATE comment_analysis AS ca
SET dup_count = g.n, dup_first = g.rn = 1
FROM (
    SELECT ca.platform, ca.comment_id,
           count(*) OVER w AS n,
           row_number() OVER (w ORDER BY c.created_at, ca.platform, ca.comment_id) AS rn
    FROM comment_analysis ca
    JOIN comments c USING (platform, comment_id)
    LEFT JOIN accounts a ON a.account_id = c.account_id
    WHERE ca.dup_group IS NOT NULL
    WINDOW w AS (PARTITION BY a.institution_id, ca.dup_group)
) AS g
WHERE ca.platform = g.platform AND ca.comment_id = g.comment_id
  AND (ca.dup_count IS DISTINCT FROM g.n OR ca.dup_first IS DISTINCT FROM (g.rn = 1))
"""


def duplicate_group(words: Sequence[str]) -> str | None:
    """16-hex-digit key of the comment's normalised words (as the analyser gives them), or
    None when there are fewer than MIN_WORDS: too short to call a copy."""
    if len(words) < MIN_WORDS:
        return None
    return hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=8).hexdigest()
