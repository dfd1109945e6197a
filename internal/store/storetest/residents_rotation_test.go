package storetest

import (
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"ecitizen/internal/page"
	"ecitizen/internal/resident"
	"ecitizen/internal/store"
)

// Rotating the data key: residents sealed under key A are found and opened with
// the ring {B current, A old}, moved to B by resident.Rotation, and then found
// and opened with B alone; registrations racing the rotation never leave two
// residents with one number.

func dataKey(t testing.TB) []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}

func ring(t testing.TB, keys ...[]byte) *resident.Crypter {
	t.Helper()
	c, err := resident.NewCrypter(keys[0], keys[1:]...)
	must(t, err)
	return c
}

// register stores a resident with numbers sealed and claimed as the resident
// service does: sealed under the ring's current key, indexed under it, and
// claimed under every key of the ring (transiently under the older ones).
func register(t testing.TB, st store.Store, c *resident.Crypter, wardID, name, phone, national string) (*resident.Resident, error) {
	r, _ := newResident(t, wardID, name, 1960, "", "")
	var transient []resident.Key
	var err error
	if phone != "" {
		if r.Phone, err = c.Seal(r.ID, resident.KindPhone, phone); err != nil {
			return nil, err
		}
		cl := c.Claims(r.ID, resident.KindPhone, phone)
		r.PhoneIndex, transient = cl[0].Index, append(transient, cl[1:]...)
	}
	if national != "" {
		if r.NationalID, err = c.Seal(r.ID, resident.KindNationalID, national); err != nil {
			return nil, err
		}
		cl := c.Claims(r.ID, resident.KindNationalID, national)
		r.NationalIndex, transient = cl[0].Index, append(transient, cl[1:]...)
	}
	return r, st.CreateResident(t.Context(), r, append(resident.ClaimsOf(r), transient...))
}

func mustRegister(t testing.TB, st store.Store, c *resident.Crypter, wardID, name, phone, national string) *resident.Resident {
	t.Helper()
	r, err := register(t, st, c, wardID, name, phone, national)
	must(t, err)
	return r
}

// byPhone lists a ward's residents with a phone, looked up under every key of c.
func byPhone(t testing.TB, st store.Store, c *resident.Crypter, wardID, phone string) []string {
	t.Helper()
	rs, err := st.ListResidents(t.Context(), resident.Filter{WardID: wardID, PhoneIndexes: c.Indexes(resident.KindPhone, phone)}, page.Request{})
	must(t, err)
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

func open(t testing.TB, c *resident.Crypter, r *resident.Resident) (string, string) {
	t.Helper()
	var phone, national string
	var err error
	if r.Phone != nil {
		phone, err = c.Open(r.ID, resident.KindPhone, r.Phone)
		must(t, err)
	}
	if r.NationalID != nil {
		national, err = c.Open(r.ID, resident.KindNationalID, r.NationalID)
		must(t, err)
	}
	return phone, national
}

// erase erases r as the resident service does: its fields and claims, with
// the audit record.
func erase(t testing.TB, st store.Store, r *resident.Resident) {
	t.Helper()
	ts := now()
	must(t, st.EraseResident(t.Context(), &resident.Resident{ID: r.ID, WardID: r.WardID, Consent: r.Consent, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, UpdatedAt: ts, ErasedAt: &ts, ErasedBy: "staff-1"}, resident.ClaimsOf(r),
		&resident.Audit{ID: newID(t), ResidentID: r.ID, WardID: r.WardID, Action: resident.ActionErase,
			Fields: resident.ErasedFields, Reason: "Yêu cầu xoá", By: "staff-1", At: ts}))
}

func reload(t testing.TB, st store.Store, id string) *resident.Resident {
	t.Helper()
	r, err := st.ResidentByID(t.Context(), id)
	must(t, err)
	return r
}

// wantClaims checks who holds the claims of a phone: under c's current index
// (holder, or free when holder is ""), and under the older index old (free).
// It takes free claims for a probe resident of another ward and keeps them.
func wantClaims(t testing.TB, st store.Store, c, old *resident.Crypter, phone, holder string) {
	t.Helper()
	probeWard := mkWard(t, st, "P"+newID(t)[24:])
	probe, _ := newResident(t, probeWard.ID, "Thử", 1990, "", "")
	k := resident.Key{Kind: resident.KindPhone, Index: old.Index(resident.KindPhone, phone), ResidentID: probe.ID}
	must(t, st.CreateResident(t.Context(), probe, []resident.Key{k}))
	probe2, _ := newResident(t, probeWard.ID, "Thử hai", 1991, "", "")
	k = resident.Key{Kind: resident.KindPhone, Index: c.Index(resident.KindPhone, phone), ResidentID: probe2.ID}
	err := st.CreateResident(t.Context(), probe2, []resident.Key{k})
	if holder == "" {
		must(t, err)
		return
	}
	wantTaken(t, err, resident.KindPhone, holder)
}

func TestResidentKeyRotation(t *testing.T) {
	runCases(t, []storeCase{
		{"MovesNumbersToCurrentKey", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			a, b := dataKey(t), dataKey(t)
			ringA, ringBA, ringB := ring(t, a), ring(t, b, a), ring(t, b)
			w := mkWard(t, st, "K01")
			var rs []*resident.Resident
			for i := range 5 {
				rs = append(rs, mustRegister(t, st, ringA, w.ID, fmt.Sprintf("Người %d", i), fmt.Sprintf("+8491234500%d", i), fmt.Sprintf("00120000000%d", i)))
			}
			onlyPhone := mustRegister(t, st, ringA, w.ID, "Chỉ số điện thoại", "+84912345099", "")
			none := mustRegister(t, st, ringA, w.ID, "Không số", "", "")
			gone := mustRegister(t, st, ringA, w.ID, "Đã xoá", "+84912345098", "001200000098")
			erase(t, st, gone)

			// With B current and A old: found under A's index and opened with A.
			same(t, "found under the old key", byPhone(t, st, ringBA, w.ID, "+84912345002"), []string{rs[2].ID})
			p, n := open(t, ringBA, reload(t, st, rs[2].ID))
			same(t, "opened with the old key", []string{p, n}, []string{"+84912345002", "001200000002"})
			// B alone knows nothing of A: not found, and not opened.
			same(t, "not found without the old key", len(byPhone(t, st, ringB, w.ID, "+84912345002")), 0)
			if _, err := ringB.Open(rs[2].ID, resident.KindPhone, reload(t, st, rs[2].ID).Phone); !errors.Is(err, resident.ErrUnknownKey) {
				t.Fatalf("open without the old key: %v", err)
			}
			// A new registration of a number held under A is refused; a new number
			// is sealed and claimed under B only.
			_, err := register(t, st, ringBA, w.ID, "Trùng", "+84912345003", "")
			wantTaken(t, err, resident.KindPhone, rs[3].ID)
			fresh := mustRegister(t, st, ringBA, w.ID, "Mới", "+84912345077", "")
			same(t, "new value's key", fresh.Phone.KeyID, ringB.KeyID())
			wantClaims(t, st, ringB, ringA, "+84912345077", fresh.ID)

			rep, err := resident.NewRotation(resident.RotationDeps{Store: st, Keys: ringBA}).Run(ctx)
			must(t, err)
			same(t, "first run", rep, resident.RotationReport{CurrentKeyID: ringB.KeyID(), Resealed: 6})
			rep, err = resident.NewRotation(resident.RotationDeps{Store: st, Keys: ringBA}).Run(ctx)
			must(t, err)
			same(t, "second run", rep, resident.RotationReport{CurrentKeyID: ringB.KeyID()})

			for i, r := range append(rs, onlyPhone) {
				got := reload(t, st, r.ID)
				if got.Phone.KeyID != ringB.KeyID() || got.PhoneIndex != ringB.Index(resident.KindPhone, fmt.Sprintf("+8491234500%d", i)) && r != onlyPhone {
					t.Fatalf("resident %d not moved to B: %+v", i, got)
				}
				if r != onlyPhone && (got.NationalID.KeyID != ringB.KeyID() || got.NationalIndex != ringB.Index(resident.KindNationalID, fmt.Sprintf("00120000000%d", i))) {
					t.Fatalf("resident %d national id not moved to B", i)
				}
				if r == onlyPhone && got.NationalID != nil {
					t.Fatal("a national id appeared")
				}
				// Everything else is unchanged.
				got.Phone, got.PhoneIndex, got.NationalID, got.NationalIndex = r.Phone, r.PhoneIndex, r.NationalID, r.NationalIndex
				same(t, "other fields", got, r)
			}
			same(t, "numberless resident", reload(t, st, none.ID), none)
			if g := reload(t, st, gone.ID); g.Phone != nil || g.NationalID != nil || g.PhoneIndex != "" {
				t.Fatalf("erased resident got numbers back: %+v", g)
			}
			// With A removed: found and opened with B alone; claims under B only.
			same(t, "found with B alone", byPhone(t, st, ringB, w.ID, "+84912345002"), []string{rs[2].ID})
			p, n = open(t, ringB, reload(t, st, rs[2].ID))
			same(t, "opened with B alone", []string{p, n}, []string{"+84912345002", "001200000002"})
			for i, r := range rs {
				wantClaims(t, st, ringB, ringA, fmt.Sprintf("+8491234500%d", i), r.ID)
			}
			same(t, "residents", count(t, st, w.ID), 9)
		}},
		{"ConcurrentRunsDoNotCorrupt", func(t *testing.T, st store.Store) {
			const n, runs = 30, 4
			a, b := dataKey(t), dataKey(t)
			ringA, ringBA, ringB := ring(t, a), ring(t, b, a), ring(t, b)
			w := mkWard(t, st, "K02")
			rs := make([]*resident.Resident, n)
			for i := range rs {
				rs[i] = mustRegister(t, st, ringA, w.ID, fmt.Sprintf("Người %d", i), fmt.Sprintf("+849123451%02d", i), "")
			}
			reps := make([]resident.RotationReport, runs)
			errs := make([]error, runs)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range runs {
				wg.Go(func() {
					<-start
					rot := resident.NewRotation(resident.RotationDeps{Store: st, Keys: ringBA})
					reps[i], errs[i] = rot.Run(t.Context())
				})
			}
			close(start)
			wg.Wait()
			resealed := 0
			for i := range runs {
				must(t, errs[i])
				resealed += reps[i].Resealed
			}
			same(t, "resealed once each", resealed, n)
			rep, err := resident.NewRotation(resident.RotationDeps{Store: st, Keys: ringBA}).Run(t.Context())
			must(t, err)
			same(t, "nothing left", rep, resident.RotationReport{CurrentKeyID: ringB.KeyID()})
			same(t, "residents", count(t, st, w.ID), n)
			for i, r := range rs {
				got := reload(t, st, r.ID)
				p, _ := open(t, ringB, got)
				same(t, "phone", p, fmt.Sprintf("+849123451%02d", i))
				wantClaims(t, st, ringB, ringA, p, r.ID)
			}
		}},
		{"RegistrationsRacingRotationKeepOneHolder", func(t *testing.T, st store.Store) {
			const n = 50
			a, b := dataKey(t), dataKey(t)
			ringA, ringBA, ringB := ring(t, a), ring(t, b, a), ring(t, b)
			w := mkWard(t, st, "K03")
			const phone = "+84987654321"
			x := mustRegister(t, st, ringA, w.ID, "Người giữ số", phone, "")
			errs := make([]error, n)
			var rotErr error
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					<-start
					_, errs[i] = register(t, st, ringBA, w.ID, fmt.Sprintf("Người đăng ký %d", i), phone, "")
				})
			}
			wg.Go(func() {
				<-start
				rot := resident.NewRotation(resident.RotationDeps{Store: st, Keys: ringBA})
				// Busy while a registration holds a claim it also takes.
				for range 1000 {
					rep, err := rot.Run(t.Context())
					if err != nil || rep.Remaining() == 0 {
						rotErr = err
						return
					}
				}
				rotErr = errors.New("the holder was never moved to the current key")
			})
			close(start)
			wg.Wait()
			must(t, rotErr)
			for i, err := range errs {
				var taken *resident.KeyTakenError
				if !errors.As(err, &taken) {
					t.Fatalf("registration %d: %v, want the number taken", i, err)
				}
			}
			same(t, "residents", count(t, st, w.ID), 1)
			same(t, "holders with B alone", byPhone(t, st, ringB, w.ID, phone), []string{x.ID})
			same(t, "holder's key", reload(t, st, x.ID).Phone.KeyID, ringB.KeyID())
			wantClaims(t, st, ringB, ringA, phone, x.ID)
			_, err := register(t, st, ringB, w.ID, "Sau khi xoay khoá", phone, "")
			wantTaken(t, err, resident.KindPhone, x.ID)
		}},
	})
}

// TestResidentSealingKeys: the store names the data keys that seal residents'
// numbers beyond those the ring knows (phone or national ID, erased residents
// holding none), and resident.Rotation.CheckRing refuses a ring without them.
func TestResidentSealingKeys(t *testing.T) {
	runCases(t, []storeCase{
		{"UnknownKeysFound", func(t *testing.T, st store.Store) {
			ctx := t.Context()
			a, b, c := dataKey(t), dataKey(t), dataKey(t)
			ringA, ringB, ringC := ring(t, a), ring(t, b), ring(t, c)
			w := mkWard(t, st, "S01")
			got, err := st.SealingKeyIDs(ctx, nil)
			must(t, err)
			if len(got) != 0 {
				t.Fatalf("an empty store: %v", got)
			}
			must(t, resident.NewRotation(resident.RotationDeps{Store: st, Keys: ringA}).CheckRing(ctx))

			mustRegister(t, st, ringA, w.ID, "Chỉ số điện thoại", "+84912345001", "")
			mustRegister(t, st, ringB, w.ID, "Chỉ số căn cước", "", "001200000002")
			mustRegister(t, st, ringC, w.ID, "Không số", "", "")
			gone := mustRegister(t, st, ringC, w.ID, "Đã xoá", "+84912345003", "001200000003")
			erase(t, st, gone)

			got, err = st.SealingKeyIDs(ctx, nil)
			must(t, err)
			slices.Sort(got)
			want := []string{ringA.KeyID(), ringB.KeyID()}
			slices.Sort(want)
			same(t, "every sealing key", got, want)
			got, err = st.SealingKeyIDs(ctx, []string{ringA.KeyID(), ringC.KeyID()})
			must(t, err)
			same(t, "beyond A and C", got, []string{ringB.KeyID()})

			must(t, resident.NewRotation(resident.RotationDeps{Store: st, Keys: ring(t, b, a)}).CheckRing(ctx))
			var unknown *resident.UnknownKeysError
			if err := resident.NewRotation(resident.RotationDeps{Store: st, Keys: ringC}).CheckRing(ctx); !errors.As(err, &unknown) || len(unknown.KeyIDs) != 2 {
				t.Fatalf("CheckRing with a ring of C only: %v", err)
			}
		}},
	})
}
