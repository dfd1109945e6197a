package mongo

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/page"
)

// The reads of the adapter. Every read of one document or of a list goes
// through these helpers, so that all reads retry transient failures (retry) and
// map their errors alike (wrapErr): no document is apperr.ErrNotFound, named by
// the what the caller passes. A caller that treats a missing document as an
// answer (not an error) tests errors.Is(err, apperr.ErrNotFound). The journal of
// units (units.go) reads through retry on its own, as its reads are part of a
// unit's protocol.

// byID is the filter {_id: id}.
func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

// findOne decodes the document of col that filter matches (the first one, in
// the order opts give); none is ErrNotFound ("what: not found").
func findOne[D any](ctx context.Context, col *mongodrv.Collection, filter bson.D, what string, opts ...options.Lister[options.FindOneOptions]) (*D, error) {
	var doc D
	err := retry(ctx, func() error {
		var zero D
		doc = zero
		return col.FindOne(ctx, filter, opts...).Decode(&doc)
	})
	if err != nil {
		return nil, wrapErr(err, what)
	}
	return &doc, nil
}

// findByID decodes the document of col with _id id; none is ErrNotFound
// ("what: not found").
func findByID[D any](ctx context.Context, col *mongodrv.Collection, id, what string, opts ...options.Lister[options.FindOneOptions]) (*D, error) {
	return findOne[D](ctx, col, byID(id), what, opts...)
}

// findDocs decodes every document of col that filter matches, as o sorts,
// limits and projects them.
func findDocs[D any](ctx context.Context, col *mongodrv.Collection, filter bson.D, o *options.FindOptionsBuilder, what string) ([]D, error) {
	var docs []D
	err := retry(ctx, func() error {
		cur, err := col.Find(ctx, filter, o)
		if err != nil {
			return err
		}
		docs = nil
		return cur.All(ctx, &docs)
	})
	if err != nil {
		return nil, wrapErr(err, what)
	}
	return docs, nil
}

// find runs a find on col and converts every document with conv.
func find[D, T any](ctx context.Context, col *mongodrv.Collection, filter bson.D, o *options.FindOptionsBuilder, what string, conv func(*D) *T) ([]*T, error) {
	docs, err := findDocs[D](ctx, col, filter, o, what)
	if err != nil {
		return nil, err
	}
	out := make([]*T, 0, len(docs))
	for i := range docs {
		out = append(out, conv(&docs[i]))
	}
	return out, nil
}

// pageFind returns the options and the key condition of a page request: documents
// whose key is strictly after p.After, sorted by key, p.Limit+1 of them (all when
// p.Limit is 0). It appends the key condition to filter.
func pageFind(filter bson.D, key string, p page.Request) (bson.D, *options.FindOptionsBuilder) {
	if p.After != "" {
		filter = append(filter, bson.E{Key: key, Value: bson.D{{Key: "$gt", Value: p.After}}})
	}
	o := options.Find().SetSort(bson.D{{Key: key, Value: 1}})
	if p.Limit > 0 {
		o.SetLimit(int64(p.Limit) + 1)
	}
	return filter, o
}

// findAll runs a paged find on col and decodes every document with conv.
func findAll[D, T any](ctx context.Context, col *mongodrv.Collection, filter bson.D, key string, p page.Request, what string, conv func(*D) *T) ([]*T, error) {
	filter, o := pageFind(filter, key, p)
	return find(ctx, col, filter, o, what, conv)
}

// findIn returns the documents whose _id is in ids, in batches of inBatch.
func findIn[D, T any](ctx context.Context, col *mongodrv.Collection, ids []string, what string, conv func(*D) *T) ([]*T, error) {
	var out []*T
	for start := 0; start < len(ids); start += inBatch {
		batch := ids[start:min(start+inBatch, len(ids))]
		got, err := find(ctx, col, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: batch}}}}, options.Find(), what, conv)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// factDocs decodes every document of col matching filter, with projection (nil:
// whole documents), for the facts of coverage (coverage.go); a findDocs like the
// others, so these reads retry and map their errors alike too.
func factDocs[T any](ctx context.Context, col *mongodrv.Collection, filter bson.D, projection bson.D, what string) ([]T, error) {
	o := options.Find()
	if projection != nil {
		o.SetProjection(projection)
	}
	return findDocs[T](ctx, col, filter, o, what)
}

// exists reports whether col holds a document with _id id. It is a find by _id
// (the one filter FerretDB answers without a full scan), returning only the _id.
// A failure is returned as the driver's error, for the caller to name.
func exists(ctx context.Context, col *mongodrv.Collection, id string) (bool, error) {
	var doc struct {
		ID string `bson:"_id"`
	}
	err := retry(ctx, func() error {
		return col.FindOne(ctx, byID(id), options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Decode(&doc)
	})
	switch {
	case errors.Is(err, mongodrv.ErrNoDocuments):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// mustExist returns ErrNotFound (as "kind id: not found") when col has no document id.
func mustExist(ctx context.Context, col *mongodrv.Collection, kind, id string) error {
	ok, err := exists(ctx, col, id)
	if err != nil {
		return wrapErr(err, kind+" "+id)
	}
	if !ok {
		return notFound(kind + " " + id)
	}
	return nil
}
