// name: report/edges
// description: Retweets and the run's coordination edges among some accounts, for drawing their network.
// mode: read
// param: run: string -- a detection run id
// param: ids: list -- account ids
UNWIND $ids AS id
MATCH (a:Account {id: id})-[:POSTED]->(:Post)-[:RETWEET_OF]->(:Post)<-[:POSTED]-(b:Account)
WHERE b.id IN $ids AND a <> b
// Retweets, then coordination: both are ties the drawing sums.
RETURN a.id AS source, b.id AS target, count(*) AS weight
UNION ALL
UNWIND $ids AS id
MATCH (a:Account {id: id})-[e:COORDINATED_WITH {run: $run}]->(b:Account)
WHERE b.id IN $ids
RETURN a.id AS source, b.id AS target, sum(e.weight) AS weight
