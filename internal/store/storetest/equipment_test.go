package storetest

import (
	"errors"
	"testing"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/equipment"
	"ecitizen/internal/page"
	"ecitizen/internal/store"
	"ecitizen/internal/vntext"
)

func deviceID(d *equipment.Device) string { return d.ID }
func usageKey(u *equipment.Usage) string  { return equipment.UsageKey(u) }

// newDevice builds a working computer at the world's centre with the given label.
func newDevice(t testing.TB, w *rosterWorld, label string) *equipment.Device {
	ts := now()
	return &equipment.Device{ID: newID(t), CentreID: w.centre.ID, WardID: w.ward.ID, Kind: equipment.KindComputer,
		Label: label, LabelKey: vntext.Key(label), Status: equipment.StatusWorking, Notes: "Phòng máy tầng 1",
		CreatedBy: "staff-1", CreatedAt: ts, UpdatedAt: ts}
}

func mkDevice(t testing.TB, st store.Store, w *rosterWorld, label string) *equipment.Device {
	t.Helper()
	d := newDevice(t, w, label)
	must(t, st.CreateDevice(t.Context(), d))
	return d
}

// newUsage builds a session of procedure use of d over [from, from+d).
func newUsage(t testing.TB, d *equipment.Device, from time.Time, length time.Duration) *equipment.Usage {
	return &equipment.Usage{ID: newID(t), DeviceID: d.ID, CentreID: d.CentreID, WardID: d.WardID, From: from, To: from.Add(length),
		Purpose: equipment.PurposeProcedure, Procedure: "Đăng ký thường trú", Note: "", RecordedBy: "volunteer-1",
		ShiftID: "shift-1", CreatedAt: now()}
}

func TestEquipment(t *testing.T) {
	runCases(t, []storeCase{
		{"DevicesRoundTripAndPages", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w, other := mkRosterWorld(t, st), mkRosterWorld(t, st)
			var want []*equipment.Device
			for _, l := range []string{"Máy tính 1", "Máy tính 2", "Máy in", "Máy quét", "Bộ phát Wi-Fi"} {
				want = append(want, mkDevice(t, st, w, l))
			}
			mkDevice(t, st, other, "Máy tính 1") // the same label at another centre
			got, err := st.DeviceByID(ctx, want[2].ID)
			must(t, err)
			same(t, "device", got, want[2])
			all, pages := allPages(t, 2, deviceID, func(p page.Request) ([]*equipment.Device, error) {
				return st.ListDevices(ctx, w.centre.ID, p)
			})
			same(t, "devices of the centre", all, want)
			same(t, "pages", pages, 3)
			_, err = st.DeviceByID(ctx, newID(t))
			wantErr(t, err, apperr.ErrNotFound)
			// Operator-like strings are data.
			none, err := st.ListDevices(ctx, `{"$ne": ""}`, page.Request{})
			must(t, err)
			same(t, "devices of an operator-like centre id", len(none), 0)
			odd := mkDevice(t, st, w, `{"$ne": ""}`)
			got, err = st.DeviceByID(ctx, odd.ID)
			must(t, err)
			same(t, "device with an operator-like label", got, odd)
			ghost := newDevice(t, w, "Máy ma")
			ghost.CentreID = newID(t)
			wantErr(t, st.CreateDevice(ctx, ghost), apperr.ErrNotFound)
		}},
		{"LabelKeyUniquePerCentre", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			a := mkDevice(t, st, w, "Máy tính 1")
			b := mkDevice(t, st, w, "Máy tính 2")
			wantErr(t, st.CreateDevice(ctx, newDevice(t, w, "  MÁY TÍNH   1 ")), apperr.ErrConflict)
			b.Label, b.LabelKey = "máy tính 1", vntext.Key("máy tính 1")
			wantErr(t, st.UpdateDevice(ctx, b), apperr.ErrConflict)
			got, err := st.DeviceByID(ctx, b.ID)
			must(t, err)
			same(t, "label after a refused rename", got.Label, "Máy tính 2")
			a.Label, a.LabelKey, a.Status, a.Kind, a.Notes = "Máy tính A", "máy tính a", equipment.StatusInRepair, equipment.KindLaptop, "Hỏng bàn phím"
			a.UpdatedAt = now().Add(time.Minute)
			must(t, st.UpdateDevice(ctx, a))
			got, err = st.DeviceByID(ctx, a.ID)
			must(t, err)
			same(t, "updated device", got, a)
			wantErr(t, st.UpdateDevice(ctx, newDevice(t, w, "Không có")), apperr.ErrNotFound)
		}},
		{"UsageOverlapAndRanges", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			d1, d2 := mkDevice(t, st, w, "Máy tính 1"), mkDevice(t, st, w, "Máy tính 2")
			t0 := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
			u1 := newUsage(t, d1, t0, time.Hour)
			must(t, st.AddUsage(ctx, u1))
			for _, c := range []struct {
				name     string
				from     time.Time
				length   time.Duration
				overlaps bool
			}{
				{"same", t0, time.Hour, true},
				{"inside", t0.Add(10 * time.Minute), 10 * time.Minute, true},
				{"around", t0.Add(-time.Hour), 3 * time.Hour, true},
				{"tail", t0.Add(59 * time.Minute), time.Hour, true},
				{"head", t0.Add(-59 * time.Minute), time.Hour, true},
				{"long before, into it", t0.Add(-11 * time.Hour), 11*time.Hour + time.Minute, true},
			} {
				err := st.AddUsage(ctx, newUsage(t, d1, c.from, c.length))
				if c.overlaps && !errors.Is(err, equipment.ErrInUse) {
					t.Fatalf("%s: %v, want ErrInUse", c.name, err)
				}
			}
			// Touching sessions do not overlap; another device is independent.
			before := newUsage(t, d1, t0.Add(-time.Hour), time.Hour)
			after := newUsage(t, d1, t0.Add(time.Hour), 30*time.Minute)
			after.Purpose, after.Procedure, after.ShiftID = equipment.PurposeLearning, "", ""
			other := newUsage(t, d2, t0, time.Hour)
			for _, u := range []*equipment.Usage{after, before, other} {
				must(t, st.AddUsage(ctx, u))
			}
			again := *after // a taken ID, at a free time
			again.From, again.To = t0.Add(5*time.Hour), t0.Add(6*time.Hour)
			wantErr(t, st.AddUsage(ctx, &again), apperr.ErrConflict)
			ghost := newUsage(t, d1, t0.Add(24*time.Hour), time.Hour)
			ghost.DeviceID = newID(t)
			wantErr(t, st.AddUsage(ctx, ghost), apperr.ErrNotFound)

			f := equipment.UsageFilter{CentreID: w.centre.ID, From: t0.Add(-time.Hour), To: t0.Add(2 * time.Hour)}
			all, pages := allPages(t, 1, usageKey, func(p page.Request) ([]*equipment.Usage, error) {
				return st.ListUsage(ctx, f, p)
			})
			want := []*equipment.Usage{before, u1, other, after}
			if other.ID < u1.ID {
				want = []*equipment.Usage{before, other, u1, after}
			}
			same(t, "usage of the centre", all, want)
			same(t, "pages", pages, 4)
			f.From = t0
			got, err := st.ListUsage(ctx, f, page.Request{})
			must(t, err)
			same(t, "usage from t0", len(got), 3)
			f.CentreID = newID(t)
			got, err = st.ListUsage(ctx, f, page.Request{})
			must(t, err)
			same(t, "usage of another centre", len(got), 0)
		}},
		{"VoidsOncePerUsageAndFreeTheDevice", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			w := mkRosterWorld(t, st)
			d := mkDevice(t, st, w, "Máy tính bảng 1")
			t0 := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
			u := newUsage(t, d, t0, time.Hour)
			must(t, st.AddUsage(ctx, u))
			wantErr(t, st.VoidUsage(ctx, &equipment.Void{UsageID: newID(t), Reason: "Nhầm", By: "staff-1", At: now()}), apperr.ErrNotFound)
			v := &equipment.Void{UsageID: u.ID, Reason: "Ghi nhầm thiết bị", By: "staff-1", At: now()}
			raceOne(t, 20, apperr.ErrConflict, func(int) error { return st.VoidUsage(ctx, v) })
			got, err := st.UsageByID(ctx, u.ID)
			must(t, err)
			want := *u
			want.Void = v
			same(t, "voided usage", got, &want)
			// The corrected session takes the same time; the voided one stays listed.
			fixed := newUsage(t, d, t0, time.Hour)
			must(t, st.AddUsage(ctx, fixed))
			list, err := st.ListUsage(ctx, equipment.UsageFilter{CentreID: w.centre.ID, From: t0, To: t0.Add(time.Hour)}, page.Request{})
			must(t, err)
			same(t, "usage listed", list, []*equipment.Usage{&want, fixed})
			_, err = st.UsageByID(ctx, newID(t))
			wantErr(t, err, apperr.ErrNotFound)
		}},
		{"ConcurrentOverlappingUsageOneRow", func(t *testing.T, st store.Store) {
			// 50 overlapping sessions of one device at once: exactly one is stored.
			ctx := t.Context()
			const n = 50
			w := mkRosterWorld(t, st)
			d := mkDevice(t, st, w, "Máy tính dùng chung")
			t0 := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
			raceOne(t, n, equipment.ErrInUse, func(i int) error {
				return st.AddUsage(ctx, newUsage(t, d, t0.Add(time.Duration(i)*time.Minute), time.Hour))
			})
			got, err := st.ListUsage(ctx, equipment.UsageFilter{CentreID: w.centre.ID, From: t0.Add(-time.Hour), To: t0.Add(3 * time.Hour)}, page.Request{})
			must(t, err)
			same(t, "sessions stored after 50 overlapping ones at once", len(got), 1)
		}},
	})
}
