package httpapi

import (
	"testing"
)

// progressFixture records a skill of residentA, for the matrix to revoke.
func (f *matrixFixture) progressFixture(t *testing.T) {
	t.Helper()
	f.progressA = f.env.created(f.tokens[admin], "/api/v1/residents/"+f.residentA+"/progress", progressBody("use_local_platform"))
}

// progressBody records a skill as observed.
func progressBody(skill string) map[string]any {
	return map[string]any{"skill_code": skill, "method": "observed", "evidence": "Tự thực hiện trước mặt tình nguyện viên"}
}
