package web

// Charts are inline SVG drawn by the "bars" and "columns" templates of
// partials.html from the geometry computed here: no script, readable at 360 px
// (the SVG scales), and each chart has a text alternative (its title and a
// table or list of the same figures next to it).

// bar is one labelled value of a horizontal bar chart.
type bar struct {
	Label   string
	Value   float64
	Display string  // the value as shown, formatted for the reader
	Width   float64 // 0..100, share of the chart's width
	Y       int     // top of the bar in SVG units
}

// barChart lays out horizontal bars scaled to the largest value (or to max
// when above zero, e.g. 100 for percentages).
type barChart struct {
	Title  string
	Bars   []bar
	Height int
}

const barHeight = 28

// newBarChart lays out bars; labels and displays are already translated.
func newBarChart(title string, max float64, bars []bar) barChart {
	for _, b := range bars {
		if b.Value > max {
			max = b.Value
		}
	}
	for i := range bars {
		if max > 0 {
			bars[i].Width = 100 * bars[i].Value / max
		}
		bars[i].Y = i * barHeight
	}
	return barChart{Title: title, Bars: bars, Height: len(bars)*barHeight + 4}
}

// column is one period of a column chart (weekly trends).
type column struct {
	Label   string // e.g. the week's Monday
	Value   float64
	Display string
	X, Y, H float64 // geometry in SVG units
}

// columnChart is a series of columns over time, 600×200 SVG units.
type columnChart struct {
	Title   string
	Columns []column
	Width   float64 // of one column
	Max     string  // the top of the scale, formatted
	Empty   string  // when every value is zero, what the partial says instead of drawing
}

// newColumnChart lays out values left to right in a 600×180 plot area; empty is
// shown instead when every value is zero.
func newColumnChart(title, empty string, cols []column, format func(float64) string) columnChart {
	max := 0.0
	for _, c := range cols {
		if c.Value > max {
			max = c.Value
		}
	}
	w := 600.0
	if len(cols) > 0 {
		w = 600.0 / float64(len(cols))
	}
	for i := range cols {
		h := 0.0
		if max > 0 {
			h = 180 * cols[i].Value / max
		}
		cols[i].X, cols[i].H, cols[i].Y = float64(i)*w, h, 180-h
	}
	c := columnChart{Title: title, Columns: cols, Width: w * 0.8, Max: format(max)}
	if max == 0 {
		c.Empty = empty
	}
	return c
}
