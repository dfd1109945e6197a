package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/resident"
)

// Migrations of documents written by older releases, run by Open after the
// indexes, each recorded in migrations (_id = its name) once done. Each is
// idempotent: one stopped half-way runs again whole at the next start.
const colMigrations = "migrations"

// migrate runs the migrations not yet recorded.
func (d *DB) migrate(ctx context.Context) error {
	for _, m := range []struct {
		name string
		run  func(context.Context) error
	}{
		{"units-v1", d.numberHistories},
		{"resident-name-words-v1", d.residentNameWords},
		{"catalogue-cards-v1", d.fillCards},
	} {
		done, err := exists(ctx, d.db.Collection(colMigrations), m.name)
		if err != nil {
			return wrapErr(err, "mongo: migration "+m.name)
		}
		if done {
			continue
		}
		if err := m.run(ctx); err != nil {
			return wrapErr(err, "mongo: migration "+m.name)
		}
		_, err = d.db.Collection(colMigrations).InsertOne(ctx, bson.D{{Key: "_id", Value: m.name}, {Key: "at", Value: time.Now().UTC()}})
		if err != nil && !duplicateKey(err) {
			return wrapErr(err, "mongo: migration "+m.name)
		}
	}
	return nil
}

// numberHistories numbers the history events of shifts and sessions written
// before units of change (no seq) 1, 2, 3… per owner in the order they were read
// then, (at, _id), and sets each owner's watermark; then it puts each waiter in
// line by their last "waiting" event (0 when an older release left none: such
// waiters go first, by when they joined, and the check reports the shift).
func (d *DB) numberHistories(ctx context.Context) error {
	for _, j := range journals {
		events := d.db.Collection(j.events)
		// FerretDB's distinct refuses the maxTimeMS the driver sends under a
		// deadline: read the owners instead.
		var legacy []bson.M
		cur, err := events.Find(ctx, bson.D{{Key: "seq", Value: bson.D{{Key: "$exists", Value: false}}}},
			options.Find().SetProjection(bson.D{{Key: j.owner, Value: 1}}))
		if err != nil {
			return err
		}
		if err := cur.All(ctx, &legacy); err != nil {
			return err
		}
		owners := map[string]bool{}
		for _, doc := range legacy {
			if o, ok := doc[j.owner].(string); ok {
				owners[o] = true
			}
		}
		for owner := range owners {
			var docs []struct {
				Key string `bson:"_id"`
			}
			cur, err := events.Find(ctx, bson.D{{Key: j.owner, Value: owner}},
				options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}).SetProjection(bson.D{{Key: "_id", Value: 1}}))
			if err != nil {
				return err
			}
			if err := cur.All(ctx, &docs); err != nil {
				return err
			}
			for i, doc := range docs {
				if _, err := events.UpdateOne(ctx, byID(doc.Key), bson.D{{Key: "$set", Value: bson.D{{Key: "seq", Value: int64(i + 1)}}}}); err != nil {
					return err
				}
			}
			if _, err := d.db.Collection(j.anchors).UpdateOne(ctx, byID(owner),
				bson.D{{Key: "$set", Value: bson.D{{Key: "seq", Value: int64(len(docs))}}}}); err != nil {
				return err
			}
		}
	}
	var ws []struct {
		Key         string `bson:"_id"`
		ShiftID     string `bson:"shift_id"`
		VolunteerID string `bson:"volunteer_id"`
	}
	cur, err := d.waiters().Find(ctx, bson.D{{Key: "seq", Value: bson.D{{Key: "$exists", Value: false}}}})
	if err != nil {
		return err
	}
	if err := cur.All(ctx, &ws); err != nil {
		return err
	}
	for _, w := range ws {
		var last []struct {
			Seq int64 `bson:"seq"`
		}
		cur, err := d.shiftEvents().Find(ctx, bson.D{{Key: "shift_id", Value: w.ShiftID}, {Key: "volunteer_id", Value: w.VolunteerID},
			{Key: "kind", Value: "waiting"}}, options.Find().SetSort(bson.D{{Key: "seq", Value: -1}}).SetLimit(1))
		if err != nil {
			return err
		}
		if err := cur.All(ctx, &last); err != nil {
			return err
		}
		var seq int64
		if len(last) > 0 {
			seq = last[0].Seq
		}
		if _, err := d.waiters().UpdateOne(ctx, byID(w.Key), bson.D{{Key: "$set", Value: bson.D{{Key: "seq", Value: seq}}}}); err != nil {
			return err
		}
	}
	return nil
}

// residentNameWords gives residents written before name_words (residents.go)
// the words of their name_key. Each document is set only if its name_key is
// still the one read, so a rename meanwhile (which writes its own words) is not
// overwritten with the old name's words.
func (d *DB) residentNameWords(ctx context.Context) error {
	var docs []struct {
		ID      string `bson:"_id"`
		NameKey string `bson:"name_key"`
	}
	cur, err := d.residents().Find(ctx, bson.D{{Key: "name_words", Value: bson.D{{Key: "$exists", Value: false}}}},
		options.Find().SetProjection(bson.D{{Key: "name_key", Value: 1}}))
	if err != nil {
		return err
	}
	if err := cur.All(ctx, &docs); err != nil {
		return err
	}
	for _, doc := range docs {
		if _, err := d.residents().UpdateOne(ctx, bson.D{{Key: "_id", Value: doc.ID}, {Key: "name_key", Value: doc.NameKey}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "name_words", Value: resident.NameWords(doc.NameKey)}}}}); err != nil {
			return err
		}
	}
	return nil
}
