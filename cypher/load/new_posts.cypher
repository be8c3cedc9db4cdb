// name: load/new_posts
// description: Create one batch's posts that the database does not hold yet, stubs included, with every relationship they own: none can exist yet, so nothing is merged.
// mode: write
// param: rows: list -- [{id, props, created_at, authors, retweet_of, reply_to, quotes, tags, urls, mentions}]: created_at in Unix seconds or null, the rest lists of ids, tags or URLs
UNWIND $rows AS r
CREATE (p:Post {id: r.id})
SET p += r.props,
    p.created_at = CASE WHEN r.created_at IS NULL THEN null
                        ELSE datetime({epochSeconds: r.created_at}) END
// Cypher sees every row's CREATE before a later clause's MATCH: a post may retweet one
// created further down the batch.
WITH p, r
CALL (p, r) { UNWIND r.authors AS x MATCH (a:Account {id: x}) CREATE (a)-[:POSTED]->(p) }
CALL (p, r) { UNWIND r.retweet_of AS x MATCH (o:Post {id: x}) CREATE (p)-[:RETWEET_OF]->(o) }
CALL (p, r) { UNWIND r.reply_to AS x MATCH (o:Post {id: x}) CREATE (p)-[:REPLY_TO]->(o) }
CALL (p, r) { UNWIND r.quotes AS x MATCH (o:Post {id: x}) CREATE (p)-[:QUOTES]->(o) }
CALL (p, r) { UNWIND r.tags AS x MERGE (h:Hashtag {tag: x}) CREATE (p)-[:TAGS]->(h) }
CALL (p, r) { UNWIND r.urls AS x MERGE (u:Url {url: x}) CREATE (p)-[:LINKS]->(u) }
CALL (p, r) { UNWIND r.mentions AS x MATCH (a:Account {id: x}) CREATE (p)-[:MENTIONS]->(a) }
