// name: explain/shares
// description: Every dated share by the given accounts of the objects the given kinds pair on: retweets (with the original, its author and text), hashtags, URLs and original texts.
// mode: read
// param: ids: list -- account ids
// param: kinds: list -- co-retweet, co-hashtag, co-url, co-text
// The pairing is done by tierscope.graphdb.explain.pair_shares, with detection's own text
// normalisation; a share is a post with a time, as detection reads them (detect/posts).
UNWIND $ids AS id
MATCH (acc:Account {id: id})-[:POSTED]->(s:Post)
WHERE s.created_at IS NOT NULL
CALL (s) {
  MATCH (s)-[:RETWEET_OF]->(o:Post)
  WHERE 'co-retweet' IN $kinds
  OPTIONAL MATCH (au:Account)-[:POSTED]->(o)
  RETURN 'co-retweet' AS kind, o.id AS object, o.id AS original, au.id AS author,
         au.screen_name AS author_name, o.text AS original_text
  UNION ALL
  MATCH (s)-[:TAGS]->(h:Hashtag)
  WHERE 'co-hashtag' IN $kinds
  RETURN 'co-hashtag' AS kind, h.tag AS object, null AS original, null AS author,
         null AS author_name, null AS original_text
  UNION ALL
  MATCH (s)-[:LINKS]->(u:Url)
  WHERE 'co-url' IN $kinds
  RETURN 'co-url' AS kind, u.url AS object, null AS original, null AS author,
         null AS author_name, null AS original_text
  UNION ALL
  WITH s
  WHERE 'co-text' IN $kinds AND s.text IS NOT NULL AND NOT EXISTS { (s)-[:RETWEET_OF]->() }
  RETURN 'co-text' AS kind, s.text AS object, null AS original, null AS author,
         null AS author_name, null AS original_text
}
RETURN acc.id AS account, kind, object, s.id AS post, s.created_at.epochSeconds AS time,
       original, author, author_name, original_text
