package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"ecitizen/internal/apperr"
	"ecitizen/internal/page"
)

// pageAll asks a store for every item.
var pageAll = page.Request{}

// decode returns the JSON object of a response.
func decode(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("decode %q: %v", rec.Body.String(), err)
	}
	return m
}

// problemOf decodes a problem+json response.
func problemOf(t *testing.T, rec *httptest.ResponseRecorder) Problem {
	t.Helper()
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("decode problem %q: %v", rec.Body.String(), err)
	}
	return p
}

// assertProblem checks a problem+json response's status and code.
func assertProblem(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != problemJSON {
		t.Fatalf("Content-Type %q, want %s", ct, problemJSON)
	}
	p := problemOf(t, rec)
	if string(p.Code) != code || p.Status != status || p.Detail == "" || p.Title == "" {
		t.Fatalf("problem %+v, want code %s", p, code)
	}
}

// created posts body to path and returns the id of the created object.
func (e *testEnv) created(token, path string, body any) string {
	e.t.Helper()
	rec := e.do("POST", path, token, body)
	if rec.Code != http.StatusCreated {
		e.t.Fatalf("POST %s: %d %s", path, rec.Code, rec.Body)
	}
	return decode(e.t, rec)["id"].(string)
}

func (e *testEnv) createWard(token, code, name string) string {
	return e.created(token, "/api/v1/wards", map[string]string{"code": code, "name_vi": name, "name_en": name + " (EN)"})
}

func (e *testEnv) createCentre(token, ward, name string) string {
	return e.created(token, "/api/v1/wards/"+ward+"/centres", centreBody(name))
}

func (e *testEnv) createOrganisation(token, name string) string {
	return e.created(token, "/api/v1/organisations", map[string]string{"kind": "university", "name": name})
}

func (e *testEnv) createUser(token string, body map[string]any) string {
	return e.created(token, "/api/v1/users", body)
}

// createInvite issues an invite code of org and returns the code.
func (e *testEnv) createInvite(token, org string) string {
	e.t.Helper()
	rec := e.do("POST", "/api/v1/organisations/"+org+"/invites", token, map[string]string{"label": "Khoá 2026"})
	if rec.Code != http.StatusCreated {
		e.t.Fatalf("create invite: %d %s", rec.Code, rec.Body)
	}
	return decode(e.t, rec)["code"].(string)
}

// refresh spends a refresh token and returns the new pair.
func (e *testEnv) refresh(token string) (access, refresh string) {
	e.t.Helper()
	rec := e.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": token})
	if rec.Code != http.StatusOK {
		e.t.Fatalf("refresh: %d %s", rec.Code, rec.Body)
	}
	m := decode(e.t, rec)
	return m["access_token"].(string), m["refresh_token"].(string)
}

// assertNoUser fails when a user with the email is stored.
func (e *testEnv) assertNoUser(email string) {
	e.t.Helper()
	_, err := e.store.UserByEmail(context.Background(), email)
	if !errors.Is(err, apperr.ErrNotFound) {
		e.t.Fatalf("user %s: err %v, want not found", email, err)
	}
}
