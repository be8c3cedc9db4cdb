// name: impact/received
// description: Retweets each given principal's posts received, per retweeting account (self-retweets and undated retweets left out, as in the report).
// mode: read
// param: ids: list -- principal account ids
UNWIND $ids AS id
MATCH (p:Account {id: id})-[:POSTED]->(:Post)<-[:RETWEET_OF]-(rt:Post)<-[:POSTED]-(r:Account)
WHERE r <> p AND rt.created_at IS NOT NULL
RETURN p.id AS principal, r.id AS retweeter, count(rt) AS retweets
