// name: schema
// description: Unique constraints on every id and an index on Post.created_at; safe to re-run.
// mode: write
CREATE CONSTRAINT account_id IF NOT EXISTS FOR (a:Account) REQUIRE a.id IS UNIQUE;
CREATE CONSTRAINT post_id IF NOT EXISTS FOR (p:Post) REQUIRE p.id IS UNIQUE;
CREATE CONSTRAINT hashtag_tag IF NOT EXISTS FOR (h:Hashtag) REQUIRE h.tag IS UNIQUE;
CREATE CONSTRAINT url_url IF NOT EXISTS FOR (u:Url) REQUIRE u.url IS UNIQUE;
CREATE INDEX post_created_at IF NOT EXISTS FOR (p:Post) ON (p.created_at);
CREATE INDEX account_created_at IF NOT EXISTS FOR (a:Account) ON (a.created_at);
CREATE CONSTRAINT detection_run_id IF NOT EXISTS FOR (r:DetectionRun) REQUIRE r.id IS UNIQUE;
CREATE INDEX community_run_id IF NOT EXISTS FOR (c:Community) ON (c.run, c.id);
CREATE INDEX in_community_run IF NOT EXISTS FOR ()-[m:IN_COMMUNITY]-() ON (m.run);
CREATE INDEX coordinated_with_run IF NOT EXISTS FOR ()-[e:COORDINATED_WITH]-() ON (e.run, e.kind);
