// Package coverage answers how far each ward and centre, and the district, have
// come: residents reached and certified against the population, volunteer
// hours, shifts filled and open, training and equipment use, weekly trends, and
// their tables for exports.
//
// Summaries are computed from a snapshot of each ward's facts that the service
// keeps while the ward's stamp is unchanged (Store says how both adapters keep
// the stamps exact, under concurrent writes and after a crash); when a resident
// part's stamp moves, its snapshot is patched with the residents the store logs
// as changed since (CoverageChanges), so a recorded skill reads one resident
// again, not its part. The district's figures are the sums of its wards'. No
// figure is a counter, so nothing drifts.
//
// A resident part's snapshot is compact (compact.go): per resident its ID and
// what its status says, per record its time and centre as an index into the
// part's table, no string per record; the summaries computed from it are those
// Summarize, Lacking and Trend compute from the same facts.
//
// Files: doc.go (this overview), store.go (the storage port, stamps and facts), summary.go (the pure
// computations: summaries, unfilled shifts, skills lacking, trends), compact.go
// (resident parts as snapshots keep them, and the same computations over them),
// service.go (scope, snapshots and memoised results), tables.go (the export tables).
package coverage
