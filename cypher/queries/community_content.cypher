// name: community_content
// description: The hashtags and URLs a community pushes: posted or retweeted by its core and amplifier accounts, by how many of them.
// mode: read
// param: run: string = "latest" -- a detection run id, or latest
// param: community: int = 1 -- a community id of the run
// param: limit: int = 50 -- at most this many hashtags and URLs
// example: tierscope query community_content -p community=1
WITH CASE $run WHEN 'latest'
       THEN head(COLLECT { MATCH (r:DetectionRun) WHERE r.finished_at IS NOT NULL
                           RETURN r.id ORDER BY r.started_at DESC })
       ELSE $run END AS run
MATCH (c:Community {run: run, id: $community})
MATCH (a:Account)-[m:IN_COMMUNITY {run: run}]->(c)
WHERE m.tier <> 'principal'
WITH c, collect(a) AS members
UNWIND members AS a
// A retweet pushes what its original carries.
CALL (a) {
  MATCH (a)-[:POSTED]->(p:Post)-[:RETWEET_OF*0..1]->(:Post)-[:TAGS]->(h:Hashtag)
  RETURN 'hashtag' AS kind, '#' + h.tag AS value, p
  UNION ALL
  MATCH (a)-[:POSTED]->(p:Post)-[:RETWEET_OF*0..1]->(:Post)-[:LINKS]->(u:Url)
  RETURN 'url' AS kind, u.url AS value, p
}
WITH size(members) AS members, kind, value, count(DISTINCT p) AS posts,
     count(DISTINCT a) AS accounts
RETURN kind,
       value,
       posts,
       accounts,
       toFloat(accounts) / members AS share_of_accounts
ORDER BY accounts DESC, posts DESC, kind, value
LIMIT $limit
