package storetest

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"ecitizen/internal/directory"
	"ecitizen/internal/page"
	"ecitizen/internal/resident"
	"ecitizen/internal/vntext"
)

// Names of the district's residents: a few very common family and middle names
// (most residents are Nguyễn, Trần or Lê; most middle names Văn or Thị) and
// many given names, so that the searches below range from a prefix most of a
// ward shares to a name few hold.
var (
	benchFamily = []string{"Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng", "Huỳnh",
		"Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"}
	benchMiddle = []string{"Văn", "Văn", "Thị", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc"}
	benchGiven  = []string{"An", "Anh", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng",
		"Hương", "Khoa", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Ngọc", "Phúc", "Phương", "Quân",
		"Sơn", "Tâm", "Thảo", "Thắng", "Trang", "Trung", "Tuấn", "Vân", "Việt", "Xuân", "Yến"}
)

// BenchmarkResidentSearch searches a ward's residents by name (GET
// /api/v1/wards/{id}/residents?q=…, first page of 20) on a store of 40,000
// residents in 18 wards, the seeded district. SQLite only: FerretDB v1 scans a
// collection for every filter but _id, which says nothing of MongoDB.
func BenchmarkResidentSearch(b *testing.B) {
	const wards, residents = 18, 40000
	for _, ad := range []Adapter{SQLite()} {
		b.Run(ad.Name, func(b *testing.B) {
			st := ad.Open(b)
			ctx := b.Context()
			var ws []*directory.Ward
			for i := range wards {
				ws = append(ws, mkWard(b, st, fmt.Sprintf("B%02d", i)))
			}
			rnd := rand.New(rand.NewPCG(16, 16))
			for i := range residents {
				name := benchFamily[rnd.IntN(len(benchFamily))] + " " + benchMiddle[rnd.IntN(len(benchMiddle))] + " " +
					benchGiven[rnd.IntN(len(benchGiven))]
				r, keys := newResident(b, ws[i%wards].ID, name, 1940+rnd.IntN(60), "", "")
				if err := st.CreateResident(ctx, r, keys); err != nil {
					b.Fatal(err)
				}
			}
			for _, q := range []string{"nguyễn văn", "ng", "thị hương", "khoa", "lý quốc yến", "zz"} {
				f := resident.Filter{WardID: ws[3].ID, Terms: vntext.Terms(q)}
				b.Run(q, func(b *testing.B) {
					for b.Loop() {
						if _, err := st.ListResidents(ctx, f, page.Request{Limit: 20}); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
