package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// UnsetOriginForTest removes a resident's origin_ward_id, as in the documents
// stored before ward merges existed.
func (d *DB) UnsetOriginForTest(ctx context.Context, residentID string) error {
	_, err := d.residents().UpdateOne(ctx, byID(residentID), bson.D{{Key: "$unset", Value: bson.D{{Key: "origin_ward_id", Value: ""}}}})
	return err
}
