// Package app wires ecitizen's domain services on one store: what the program
// (api/run.go) starts and what tests of the web pages build, so both run the same
// graph. It knows no HTTP; httpapi and web are built from its Services.
package app

import (
	"context"
	"fmt"
	"log/slog"

	"ecitizen/content"
	"ecitizen/internal/certificate"
	"ecitizen/internal/course"
	"ecitizen/internal/coverage"
	"ecitizen/internal/directory"
	"ecitizen/internal/equipment"
	"ecitizen/internal/idempotency"
	"ecitizen/internal/identity"
	"ecitizen/internal/logging"
	"ecitizen/internal/notify"
	"ecitizen/internal/partner"
	"ecitizen/internal/progress"
	"ecitizen/internal/resident"
	"ecitizen/internal/roster"
	"ecitizen/internal/skills"
	"ecitizen/internal/store"
	"ecitizen/internal/training"
)

// Options are the keys and settings the services need (from config.Config).
type Options struct {
	JWTKey      []byte // signs access tokens, check-in codes, certificates and web sessions
	DataKey     []byte // AES-256 key of residents' personal numbers
	DataKeysOld [][]byte
	PublicURL   string
	LoginLimits identity.LoginLimits
	// PasswordCost is the argon2id work of new password hashes; the zero value is
	// identity.DefaultPasswordCost, what a running service uses.
	PasswordCost identity.PasswordCost
	// NoShowRule suspends self-booking after confirmed no-shows; the zero value
	// suspends nobody.
	NoShowRule roster.NoShowRule
	// Logger takes what the services log (every service that logs is given
	// it); a line logged while serving a request carries the request's id
	// (logging.WithRequestIDs). nil: logs nothing.
	Logger *slog.Logger
}

// Services are every domain service of one running ecitizen.
type Services struct {
	Store        store.Store
	Framework    *skills.Framework
	Directory    *directory.Service
	Identity     *identity.Service
	Courses      *course.Service
	Training     *training.Service
	Notify       *notify.Service
	Roster       *roster.Service
	Idempotency  *idempotency.Service
	Equipment    *equipment.Service
	Residents    *resident.Service
	Rotation     *resident.Rotation
	KeyRing      *resident.Crypter
	Certificates *certificate.Service
	Progress     *progress.Service
	Coverage     *coverage.Service
	Partner      *partner.Service
}

// Build builds the services on st and imports the built-in catalogue (idempotent).
func Build(ctx context.Context, st store.Store, o Options) (*Services, error) {
	log := logging.WithRequestIDs(o.Logger)
	s := &Services{Store: st}
	var err error
	if s.Framework, err = skills.Load(content.FS, "skills.yaml"); err != nil {
		return nil, fmt.Errorf("skills framework: %w", err)
	}
	s.Directory = directory.NewService(directory.Deps{Store: st})
	tokens, err := identity.NewTokens(o.JWTKey, nil)
	if err != nil {
		return nil, fmt.Errorf("config: ECITIZEN_JWT_KEY: %w", err)
	}
	if s.Identity, err = identity.NewService(identity.Deps{Store: st, Directory: s.Directory, Tokens: tokens,
		Limits: o.LoginLimits, PasswordCost: o.PasswordCost, Logger: log}); err != nil {
		return nil, err
	}
	s.Courses = course.NewService(course.Deps{Store: st, KnownSkill: s.Framework.Known})
	builtins, err := course.LoadBuiltins(content.FS)
	if err != nil {
		return nil, fmt.Errorf("built-in catalogue: %w", err)
	}
	if err := s.Directory.EnsureBuiltinOrganisation(ctx); err != nil {
		return nil, err
	}
	res, err := s.Courses.ImportBuiltins(ctx, directory.BuiltinOrganisationID, builtins)
	if err != nil {
		return nil, fmt.Errorf("built-in catalogue: %w", err)
	}
	log.InfoContext(ctx, "built-in catalogue imported", "created", res.Created, "updated", res.Updated, "unchanged", res.Unchanged,
		"skills_framework_version", s.Framework.Version)

	s.Training = training.NewService(training.Deps{Store: st, Courses: s.Courses, Places: s.Directory})
	s.Notify = notify.NewService(notify.Deps{Store: st})
	s.Roster = roster.NewService(roster.Deps{Store: st, Centres: s.Directory, Qualifications: s.Courses, People: s.Identity,
		Notifier: s.Notify, JWTKey: o.JWTKey, NoShowRule: o.NoShowRule, Logger: log})
	s.Idempotency = idempotency.NewService(idempotency.Deps{Store: st, DataKey: o.DataKey})
	s.Equipment = equipment.NewService(equipment.Deps{Store: st, Centres: s.Directory, Duty: s.Roster})
	consents, err := resident.LoadConsents(content.FS, "consent.yaml")
	if err != nil {
		return nil, err
	}
	if s.KeyRing, err = resident.NewCrypter(o.DataKey, o.DataKeysOld...); err != nil {
		return nil, fmt.Errorf("config: ECITIZEN_DATA_KEY, ECITIZEN_DATA_KEYS_OLD: %w", err)
	}
	if s.Residents, err = resident.NewService(resident.Deps{Store: st, Directory: s.Directory, Duty: s.Roster, Keys: s.KeyRing,
		Consents: consents, Forget: s.Idempotency.Forget, Logger: log}); err != nil {
		return nil, err
	}
	s.Rotation = resident.NewRotation(resident.RotationDeps{Store: st, Keys: s.KeyRing})
	if err := s.Rotation.CheckRing(ctx); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	s.Certificates = certificate.NewService(certificate.Deps{Store: st, Ledger: s.Roster, JWTKey: o.JWTKey,
		PublicURL: o.PublicURL})
	s.Progress = progress.NewService(progress.Deps{Store: st, Residents: s.Residents, Duty: s.Roster, Centres: s.Directory,
		Certificates: s.Certificates, Framework: s.Framework, Grader: s.Courses, PersonalLinks: st})
	s.Coverage = coverage.NewService(coverage.Deps{Store: st, Directory: s.Directory, Targets: s.Directory, Framework: s.Framework})
	s.Partner = partner.NewService(partner.Deps{Store: st, Organisations: s.Directory, Hours: s.Roster})
	return s, nil
}
