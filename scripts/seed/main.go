// Command seed fills an ecitizen store with a realistic district for demos, manual
// testing and benchmarks: the 18 wards of Hai Bà Trưng (Hà Nội) with 5 community
// centres each, 6 partner organisations with an invite code and a partner account
// each, a staff account per ward, and 600 volunteers who register with their
// organisation's invite code; then a year of volunteer shifts at the centres (from
// tomorrow, within opening hours) and the volunteers' bookings on them. It needs no
// running server: it opens the store the way the service does and goes through the
// domain services, and writes shifts, bookings, residents, progress records and
// certificates in batches (one transaction a batch on SQLite, InsertMany on MongoDB).
//
// Usage:
//
//	go run ./scripts/seed -data-dir ./data                 # the SQLite store of `go run ./api`
//	go run ./scripts/seed -mongodb-uri mongodb://127.0.0.1:27017 -mongodb-database ecitizen
//
// Flags default to the service's environment (ECITIZEN_DATA_DIR, ECITIZEN_MONGODB_URI,
// ECITIZEN_MONGODB_DATABASE, ECITIZEN_ADMIN_EMAIL). Other flags:
//
//	-password    password of every seeded account (default "matkhau-seed-2026"); also
//	             the admin's when the store is empty and the seeder creates the admin
//	-volunteers  how many volunteers (default 600)
//	-shifts      how many shifts over the year from tomorrow (default 20000; 0: none)
//	-bookings    how many bookings by the volunteers on them (default 60000); the
//	             shifts starting within 14 days (sign-up open) are booked by the
//	             volunteers themselves, later ones assigned by the ward's staff
//	-residents   how many residents over the 18 wards (default 40000; 0: none);
//	             a ward that already has residents gets none
//	-progress    how many progress records of the residents this run registers
//	             (default 200000; 0: none); about 30% of them become e-citizens
//	             and get their certificate
//	-workers     concurrent account creations (argon2id hashing is CPU-heavy)
//	             and preparations of residents and progress (default 4); one
//	             writer stores the batches
//
// Residents are registered through the resident service as their ward's staff,
// so phone and national ID numbers are sealed with the server's data key
// (ECITIZEN_DATA_KEY, else data-dir/data.key) like any registration;
// certificates use the server's JWT key (ECITIZEN_JWT_KEY, else data-dir/jwt.key).
//
// Running it again adds nothing that is already there; when the centres already
// have shifts it adds no shifts and no bookings. The server may keep running
// meanwhile: SQLite in WAL mode lets both use the file. Shifts, bookings,
// residents, progress records and certificates are written in batches
// (store.Bulk). On two shared CPUs (load average 2 to 3 from other jobs) the
// default run takes about 77 s: 19 s for the 600 volunteers' argon2id hashing,
// 1 s for the shifts, 15 s for the bookings with their history, 17 s for the
// residents and 23 s for their records and certificates; several times longer
// when the machine is busy (docs/development.md, "Seed data").
//
// Accounts (all with the one password):
//
//	volunteer001@seed.ecitizen.vn … volunteer600@seed.ecitizen.vn
//	staff-<ward code>@seed.ecitizen.vn, e.g. staff-00286@seed.ecitizen.vn (Bách Khoa)
//	partner-1@seed.ecitizen.vn … partner-6@seed.ecitizen.vn
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"ecitizen/internal/config"
	"ecitizen/scripts/seed/seeding"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func run() error {
	env := func(k, def string) string {
		if v := os.Getenv(k); v != "" {
			return v
		}
		return def
	}
	var (
		dataDir    = flag.String("data-dir", env("ECITIZEN_DATA_DIR", "data"), "data directory of the SQLite store (ECITIZEN_DATA_DIR)")
		mongoURI   = flag.String("mongodb-uri", os.Getenv("ECITIZEN_MONGODB_URI"), "MongoDB URI; set to seed MongoDB instead of SQLite (ECITIZEN_MONGODB_URI)")
		mongoDB    = flag.String("mongodb-database", env("ECITIZEN_MONGODB_DATABASE", "ecitizen"), "MongoDB database (ECITIZEN_MONGODB_DATABASE)")
		adminEmail = flag.String("admin-email", env("ECITIZEN_ADMIN_EMAIL", "admin@localhost"), "admin to act as, created on an empty store (ECITIZEN_ADMIN_EMAIL)")
		password   = flag.String("password", seeding.DefaultPassword, "password of every seeded account")
		volunteers = flag.Int("volunteers", seeding.DefaultVolunteers, "number of volunteers")
		shifts     = flag.Int("shifts", seeding.DefaultShifts, "shifts over the year from tomorrow; 0: none")
		bookings   = flag.Int("bookings", seeding.DefaultBookings, "volunteers' bookings on the new shifts")
		residents  = flag.Int("residents", seeding.DefaultResidents, "residents over the wards; 0: none")
		records    = flag.Int("progress", seeding.DefaultProgress, "progress records of the new residents; 0: none")
		workers    = flag.Int("workers", 4, "concurrent account creations and preparations of residents and progress")
	)
	flag.Parse()
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", flag.Arg(0))
	}
	if *shifts < 0 || *bookings < 0 || *residents < 0 || *records < 0 {
		return fmt.Errorf("-shifts, -bookings, -residents and -progress must not be negative")
	}
	// The server's keys: residents' numbers are sealed with its data key and
	// certificates' codes derive from its JWT key (environment, else the key
	// files of the data directory, created the first time as the server does).
	cfg, err := config.Load([]string{"-data-dir", *dataDir}, os.Getenv, io.Discard)
	if err != nil {
		return err
	}
	if err := cfg.EnsureKeys(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	st, kind, err := seeding.Open(ctx, *dataDir, *mongoURI, *mongoDB)
	if err != nil {
		return err
	}
	defer st.Close()
	where := *dataDir
	if kind == "mongodb" {
		where = *mongoDB
	}
	fmt.Printf("seed: %s store %s\n", kind, where)

	res, err := seeding.Run(ctx, st, seeding.Options{
		Password: *password, AdminEmail: *adminEmail, Volunteers: *volunteers, Workers: *workers,
		Shifts: *shifts, Bookings: *bookings, Log: os.Stdout,
		Residents: *residents, Progress: *records, DataKey: cfg.DataKey, JWTKey: cfg.JWTKey, PublicURL: cfg.PublicURL,
	})
	if err != nil {
		return err
	}
	res.Report(os.Stdout, *password)
	return nil
}
