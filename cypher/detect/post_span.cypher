// name: detect/post_span
// description: The first and last post time and the number of dated posts, to read posts in slices.
// mode: read
MATCH (p:Post)
WHERE p.created_at IS NOT NULL
RETURN min(p.created_at).epochSeconds AS first, max(p.created_at).epochSeconds AS last,
       count(p) AS posts
