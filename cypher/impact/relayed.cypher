// name: impact/relayed
// description: For each given core account, its own original posts (not retweets) and the retweets they drew, by the run's amplifiers and by everyone else (self-retweets left out).
// mode: read
// param: run: string -- a detection run id
// param: ids: list -- core account ids
UNWIND $ids AS id
MATCH (c:Account {id: id})
CALL (c) {
  MATCH (c)-[:POSTED]->(o:Post)
  WHERE NOT EXISTS { (o)-[:RETWEET_OF]->() }
  RETURN count(o) AS posts
}
CALL (c) {
  MATCH (c)-[:POSTED]->(o:Post)<-[:RETWEET_OF]-(rt:Post)<-[:POSTED]-(r:Account)
  WHERE r <> c AND rt.created_at IS NOT NULL AND NOT EXISTS { (o)-[:RETWEET_OF]->() }
  WITH r, count(rt) AS n
  WITH n, EXISTS { (r)-[:IN_COMMUNITY {run: $run, tier: 'amplifier'}]->() } AS amplifier
  RETURN sum(CASE WHEN amplifier THEN n ELSE 0 END) AS by_amplifiers,
         sum(CASE WHEN amplifier THEN 0 ELSE n END) AS by_others
}
RETURN c.id AS core, posts, by_amplifiers, by_others
