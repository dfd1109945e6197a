package mongo_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"ecitizen/internal/directory"
	"ecitizen/internal/page"
	"ecitizen/internal/resident"
	"ecitizen/internal/store/mongo"
)

// Writes of residents that stopped half-way (no transactions on MongoDB): a
// claim without its resident, a claim its resident no longer holds, an erasure
// with its audit record but not its effect.

func halfWard(t *testing.T, db *mongo.DB) string {
	t.Helper()
	ts := now()
	w := &directory.Ward{ID: uuid.NewString(), Code: "H" + uuid.NewString()[:6], NameVi: "Phường Hà Cầu", NameEn: "Ha Cau Ward",
		Status: directory.WardActive, CreatedAt: ts, UpdatedAt: ts}
	if err := db.CreateWard(t.Context(), w); err != nil {
		t.Fatal(err)
	}
	return w.ID
}

func halfResident(wardID, phone string) (*resident.Resident, []resident.Key) {
	ts := now()
	r := &resident.Resident{ID: uuid.Must(uuid.NewV7()).String(), WardID: wardID, FullName: "Ngô Thị Hà", NameKey: "ngo thi ha",
		BirthYear: 1966, Group: "Tổ 2", DupKey: "ngo thi ha|1966|to 2",
		Phone: &resident.Sealed{KeyID: "k1", Box: []byte("box")}, PhoneIndex: phone,
		Consent:   resident.Consent{Version: "2026-11", GivenAt: ts, RecordedBy: "staff-1"},
		CreatedBy: "staff-1", CreatedAt: ts, UpdatedAt: ts}
	return r, []resident.Key{{Kind: resident.KindPhone, Index: phone, ResidentID: r.ID}}
}

func TestResidentClaimsLeftHalfWay(t *testing.T) {
	ctx := t.Context()
	db := open(t, dbName())
	ward := halfWard(t, db)
	ghost := uuid.NewString()

	// A fresh claim without its resident may be a registration in progress: kept.
	if err := db.ClaimForTest(ctx, resident.Key{Kind: resident.KindPhone, Index: "fresh", ResidentID: ghost}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	r, keys := halfResident(ward, "fresh")
	var taken *resident.KeyTakenError
	if err := db.CreateResident(ctx, r, keys); !errors.As(err, &taken) || taken.ResidentID != ghost {
		t.Fatalf("over a fresh claim: %v", err)
	}
	// An old claim without its resident is taken over.
	if err := db.ClaimForTest(ctx, resident.Key{Kind: resident.KindPhone, Index: "old", ResidentID: ghost}, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	r, keys = halfResident(ward, "old")
	if err := db.CreateResident(ctx, r, keys); err != nil {
		t.Fatalf("over an old claim of no resident: %v", err)
	}
	// An old claim of a resident that holds another number now is taken over;
	// one of a resident that still holds it is not.
	if err := db.ClaimForTest(ctx, resident.Key{Kind: resident.KindPhone, Index: "moved", ResidentID: r.ID}, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	other, keys := halfResident(ward, "moved")
	if err := db.CreateResident(ctx, other, keys); err != nil {
		t.Fatalf("over an old claim its resident no longer holds: %v", err)
	}
	third, keys := halfResident(ward, "old")
	if err := db.CreateResident(ctx, third, keys); !errors.As(err, &taken) || taken.ResidentID != r.ID {
		t.Fatalf("over a live claim: %v", err)
	}
}

func TestResidentErasureFinishedAfterStoppingHalfWay(t *testing.T) {
	ctx := t.Context()
	db := open(t, dbName())
	ward := halfWard(t, db)
	r, keys := halfResident(ward, "p-half")
	if err := db.CreateResident(ctx, r, keys); err != nil {
		t.Fatal(err)
	}
	ts := now()
	a := &resident.Audit{ID: uuid.Must(uuid.NewV7()).String(), ResidentID: r.ID, WardID: ward, Action: resident.ActionErase,
		Fields: resident.ErasedFields, Reason: "Yêu cầu xoá", By: "staff-1", At: ts}
	if err := db.ErasureAuditForTest(ctx, a); err != nil {
		t.Fatal(err)
	}
	erased := &resident.Resident{ID: r.ID, WardID: ward, Consent: r.Consent, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
		UpdatedAt: ts, ErasedAt: &ts, ErasedBy: "staff-1"}
	retry := *a
	retry.ID = uuid.Must(uuid.NewV7()).String()
	if err := db.EraseResident(ctx, erased, keys, &retry); err != nil {
		t.Fatalf("finishing the erasure: %v", err)
	}
	got, err := db.ResidentByID(ctx, r.ID)
	if err != nil || !got.Erased() || got.Phone != nil || got.FullName != "" {
		t.Fatalf("after finishing: %+v, %v", got, err)
	}
	trail, err := db.ListAudit(ctx, ward, page.Request{})
	if err != nil || len(trail) != 1 || trail[0].ID != a.ID {
		t.Fatalf("audit after finishing: %+v, %v", trail, err)
	}
	if err := db.EraseResident(ctx, erased, nil, &retry); !errors.Is(err, resident.ErrErased) {
		t.Fatalf("erasing again: %v", err)
	}
	again, keys := halfResident(ward, "p-half")
	if err := db.CreateResident(ctx, again, keys); err != nil {
		t.Fatalf("the number after the erasure: %v", err)
	}
}
