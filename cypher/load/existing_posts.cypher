// name: load/existing_posts
// description: Which of a batch's post ids the database holds already (the rest are new).
// mode: read
// param: ids: list -- post ids
UNWIND $ids AS id
MATCH (p:Post {id: id})
RETURN collect(id) AS ids
