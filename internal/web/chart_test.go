package web

import "testing"

func TestChartsScale(t *testing.T) {
	c := newBarChart("x", 0, []bar{{Label: "a", Value: 5}, {Label: "b", Value: 10}, {Label: "c", Value: 0}})
	if c.Bars[0].Width != 50 || c.Bars[1].Width != 100 || c.Bars[2].Width != 0 || c.Bars[2].Y != 2*barHeight {
		t.Fatalf("bars %+v", c.Bars)
	}
	p := newBarChart("pct", 100, []bar{{Value: 25}})
	if p.Bars[0].Width != 25 {
		t.Fatalf("a percentage bar on a 100 scale: %v", p.Bars[0].Width)
	}
	cc := newColumnChart("w", "none", []column{{Value: 2}, {Value: 4}}, func(f float64) string { return "4" })
	if cc.Columns[1].H != 180 || cc.Columns[0].H != 90 || cc.Columns[1].X != 300 || cc.Max != "4" {
		t.Fatalf("columns %+v", cc)
	}
	if z := newColumnChart("z", "none", []column{{Value: 0}}, func(float64) string { return "0" }); z.Columns[0].H != 0 || z.Empty != "none" {
		t.Fatal("an all-zero series has bars or is not empty")
	}
	if cc.Empty != "" {
		t.Fatal("a series with values is empty")
	}
}
