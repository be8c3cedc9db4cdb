// name: detect/accounts
// description: Every account with its creation time, language, follower count and screen name, as one row of columns.
// mode: read
// Parallel lists, with '' or -1 standing for a missing value (collect() skips nulls). `node`
// is the internal id that detect/posted names an author by.
MATCH (a:Account)
RETURN collect(id(a)) AS node,
       collect(a.id) AS account,
       collect(coalesce(a.created_at.epochSeconds, -1)) AS created_at,
       collect(coalesce(a.lang, '')) AS lang,
       collect(coalesce(a.followers, -1)) AS followers,
       collect(coalesce(a.screen_name, '')) AS screen_name
