// name: detect/post_hours
// description: How many dated posts each hour holds, first hour first, as one row of columns: where to cut the posts into slices of a bounded size.
// mode: read
// Hours are counted from the Unix epoch (integer division: a post before 1970 counts in the
// hour after its own, which moves a cut, never loses a post). first and last bound the cuts.
MATCH (p:Post)
WHERE p.created_at IS NOT NULL
WITH p.created_at.epochSeconds AS t
WITH t / 3600 AS hour, count(*) AS posts, min(t) AS first, max(t) AS last
ORDER BY hour
RETURN collect(hour) AS hour, collect(posts) AS posts, min(first) AS first, max(last) AS last
