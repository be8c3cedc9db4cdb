// name: report/members
// description: The strongest accounts of each tier of some communities, with their scores: principals by retweets received from the community, core by synchrony, amplifiers by retweets given to it.
// mode: read
// param: run: string -- a detection run id
// param: communities: list -- community ids of the run
// param: per_tier: int = 150 -- accounts kept per community and tier
UNWIND $communities AS cid
MATCH (c:Community {run: $run, id: cid})<-[m:IN_COMMUNITY {run: $run}]-(a:Account)
WITH c, m, a,
     CASE m.tier
       WHEN 'principal' THEN m.in_strength
       WHEN 'core' THEN m.synchrony
       ELSE m.out_strength
     END AS strength
ORDER BY c.id, m.tier, strength DESC, m.in_strength + m.out_strength DESC, a.id
WITH c, m.tier AS tier,
     collect(a {
       .id, .screen_name, .followers,
       flagged: m.flagged, internal_share: m.internal_share, synchrony: m.synchrony,
       in_strength: m.in_strength, out_strength: m.out_strength
     })[..$per_tier] AS accounts
RETURN c.id AS community, tier, accounts
ORDER BY community, tier
