// name: load/counts
// description: How many accounts, posts and retweets the database holds.
// mode: read
CALL () { MATCH (a:Account) RETURN count(a) AS accounts }
CALL () { MATCH (p:Post) RETURN count(p) AS posts }
CALL () { MATCH ()-[r:RETWEET_OF]->() RETURN count(r) AS retweets }
RETURN accounts, posts, retweets
