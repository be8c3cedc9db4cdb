// name: load/new_post_links
// description: Create every relationship of posts this batch created: none can exist yet, so nothing is merged.
// mode: write
// param: rows: list -- [{id, authors, retweet_of, reply_to, quotes, tags, urls, mentions}], each a list of ids, tags or URLs
UNWIND $rows AS r
MATCH (p:Post {id: r.id})
CALL (p, r) { UNWIND r.authors AS x MATCH (a:Account {id: x}) CREATE (a)-[:POSTED]->(p) }
CALL (p, r) { UNWIND r.retweet_of AS x MATCH (o:Post {id: x}) CREATE (p)-[:RETWEET_OF]->(o) }
CALL (p, r) { UNWIND r.reply_to AS x MATCH (o:Post {id: x}) CREATE (p)-[:REPLY_TO]->(o) }
CALL (p, r) { UNWIND r.quotes AS x MATCH (o:Post {id: x}) CREATE (p)-[:QUOTES]->(o) }
CALL (p, r) { UNWIND r.tags AS x MERGE (h:Hashtag {tag: x}) CREATE (p)-[:TAGS]->(h) }
CALL (p, r) { UNWIND r.urls AS x MERGE (u:Url {url: x}) CREATE (p)-[:LINKS]->(u) }
CALL (p, r) { UNWIND r.mentions AS x MATCH (a:Account {id: x}) CREATE (p)-[:MENTIONS]->(a) }
