// name: detect/originals
// description: The ids of retweeted posts named by internal id, as one row of columns: the originals that no time slice holds (stubs of posts outside the archive, posts without a time).
// mode: read
// param: nodes: list -- internal ids of posts, from detect/retweets
UNWIND $nodes AS node
MATCH (o:Post)
WHERE id(o) = node
RETURN collect(id(o)) AS node, collect(o.id) AS original
