package main

import (
	"io"
	"testing"
	"time"

	"ecitizen/internal/config"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/logging"
)

// TestServiceLinesCarryTheRequestID: a line a service logs while serving a
// request carries the request's id, through the logger run builds and the
// services open wires. The line is identity's: a registration for an address
// that already has an account changes nothing and is logged.
func TestServiceLinesCarryTheRequestID(t *testing.T) {
	env := map[string]string{"ECITIZEN_DATA_DIR": t.TempDir()}
	cfg, err := config.Load(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.EnsureKeys(); err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	ctx := t.Context()
	st, svc, err := open(ctx, cfg, logging.New(logs, cfg.LogLevel))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	admin := identity.Caller{UserID: "admin", Role: identity.RoleAdmin}
	org, err := svc.Directory.CreateOrganisation(ctx, admin, directory.Organisation{Kind: directory.KindUniversity, Name: "Đại học Xây dựng"})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := svc.Identity.CreateInvite(ctx, admin, org.ID, "K66", time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	reg := identity.Registration{Code: inv.Code, Email: "an@example.vn", DisplayName: "Nguyễn Văn An", Password: "a-long-password-1"}
	if err := svc.Identity.Register(ctx, reg, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if err := svc.Identity.Register(logging.WithRequestID(ctx, "req-42"), reg, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}

	const msg = "registration for an address that has an account: nothing changed"
	var found []map[string]any
	for _, l := range logs.lines() {
		if l["msg"] == msg {
			found = append(found, l)
		}
	}
	if len(found) != 1 || found[0]["request_id"] != "req-42" {
		t.Fatalf("lines %q: %v; want one with request_id req-42; the log:\n%s", msg, found, logs)
	}
}
