package identity

import "testing"

func TestCallerIsStaff(t *testing.T) {
	for _, c := range []struct {
		caller Caller
		want   bool
	}{
		{Caller{Role: RoleAdmin}, true},
		{Caller{Role: RoleWardStaff, Scope: Scope{WardIDs: []string{"w1"}}}, true},
		{Caller{Role: RoleWardStaff}, true}, // staff without a ward still are staff; HasWard scopes objects
		{Caller{Role: RolePartner, Scope: Scope{OrganisationID: "o1"}}, false},
		{Caller{Role: RoleVolunteer, Scope: Scope{OrganisationID: "o1"}}, false},
		{Caller{}, false},
		{Caller{Role: "ADMIN"}, false},
	} {
		if got := c.caller.IsStaff(); got != c.want {
			t.Errorf("%+v.IsStaff() = %v, want %v", c.caller, got, c.want)
		}
	}
}
