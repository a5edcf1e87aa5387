-- family: Building blocks
-- order: 1
-- stage: _account_urls
-- about: >
--   Where each registered account lives on the web, to recognise cross-links: the account's
--   registered URL, and the profile address its platform gives its handle (Mastodon
--   host/@user, Bluesky bsky.app/profile/handle, X x.com/handle and twitter.com/handle,
--   Instagram, Facebook, YouTube youtube.com/@handle or /channel/ID, a feed's own address).
--   Addresses are compared without scheme, "www." or trailing "/", in lower case; a link
--   points to an account when it is that address or lies under it (address/… or address?…).
CREATE OR REPLACE TEMP TABLE _account_urls AS
WITH handles AS (
    SELECT institution_id, account_id, platform, handle, url,
           split_part(ltrim(handle, '@'), '@', 1) AS handle_user,
           split_part(ltrim(handle, '@'), '@', 2) AS handle_host
    FROM accounts
), keys AS (
    SELECT institution_id, account_id, url_key(url) AS url_key FROM handles WHERE url IS NOT NULL
    UNION
    SELECT institution_id, account_id, url_key(CASE platform
        WHEN 'mastodon' THEN CASE WHEN handle_host <> '' THEN handle_host || '/@' || handle_user END
        WHEN 'bluesky' THEN 'bsky.app/profile/' || ltrim(handle, '@')
        WHEN 'x' THEN 'x.com/' || ltrim(handle, '@')
        WHEN 'instagram' THEN 'instagram.com/' || ltrim(handle, '@')
        WHEN 'facebook' THEN 'facebook.com/' || ltrim(handle, '@')
        WHEN 'youtube' THEN CASE WHEN starts_with(handle, '@') THEN 'youtube.com/' || handle
                                 ELSE 'youtube.com/channel/' || handle END
        WHEN 'feed' THEN handle
    END) FROM handles
    UNION
    SELECT institution_id, account_id, url_key('twitter.com/' || ltrim(handle, '@'))
    FROM handles WHERE platform = 'x'
)
SELECT * FROM keys WHERE url_key IS NOT NULL AND url_key <> '';
