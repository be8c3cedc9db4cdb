// name: load/hashtags
// description: Tag posts with hashtags, stored lower-case because hashtags ignore case.
// mode: write
// param: rows: list -- [{post, tag}]
UNWIND $rows AS r
MATCH (p:Post {id: r.post})
MERGE (h:Hashtag {tag: r.tag})
MERGE (p)-[:TAGS]->(h)
