package skills_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"ecitizen/content"
	"ecitizen/internal/skills"
)

const base = `version: 1
basic_skills:
  - code: public_services
    name: {vi: "Sử dụng dịch vụ công trực tuyến", en: "Using online public services"}
  - code: online_safety
    name: {vi: "Bảo vệ bản thân trên môi trường mạng", en: "Protecting oneself online"}
skills:
  - code: vneid_level2
    name: {vi: "Kích hoạt VNeID mức độ 2", en: "Activate VNeID level 2"}
    description: {vi: "Tự kích hoạt tài khoản.", en: "Activates the account."}
    basic_skill: public_services
    digcomp: ["2.6", "2.3"]
    evidence: [observed]
    required: true
  - code: recognise_scam
    name: {vi: "Nhận biết lừa đảo", en: "Recognise scams"}
    description: {vi: "Chỉ ra dấu hiệu lừa đảo.", en: "Points out the signs of a scam."}
    basic_skill: online_safety
    digcomp: ["4.2"]
    evidence: [observed, quiz]
    required: false
history:
  - version: 1
    effective: 2026-11-01
    required: [vneid_level2]
`

// v2 is base with recognise_scam made required in version 2.
var v2 = []string{"version: 1\n", "version: 2\n",
	"    required: false\n", "    required: true\n",
	"    required: [vneid_level2]\n", "    required: [vneid_level2]\n  - version: 2\n    effective: 2027-01-01\n    required: [vneid_level2, recognise_scam]\n"}

// load loads base with the first occurrence of each old string replaced by the new one.
func load(t *testing.T, replace ...string) (*skills.Framework, error) {
	t.Helper()
	src := base
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(src, replace[i]) {
			t.Fatalf("test bug: %q not in base", replace[i])
		}
		src = strings.Replace(src, replace[i], replace[i+1], 1)
	}
	return skills.Load(fstest.MapFS{"skills.yaml": {Data: []byte(src)}}, "skills.yaml")
}

func TestLoad(t *testing.T) {
	t.Run("Valid", func(t *testing.T) {
		f, err := load(t)
		if err != nil {
			t.Fatal(err)
		}
		if f.Version != 1 || len(f.BasicSkills) != 2 || len(f.Skills) != 2 {
			t.Fatalf("decoded %+v", f)
		}
		s, ok := f.Skill("recognise_scam")
		if !ok || s.Name.En != "Recognise scams" || s.Name.In("vi") != "Nhận biết lừa đảo" ||
			!s.Accepts(skills.EvidenceQuiz) || s.Required || !slices.Equal(s.DigComp, []string{"4.2"}) {
			t.Fatalf("recognise_scam = %+v, %v", s, ok)
		}
		if !f.Known("vneid_level2") || f.Known("public_services") || f.Known("nope") {
			t.Fatal("Known is wrong")
		}
		if _, ok := f.Skill("nope"); ok {
			t.Fatal("Skill found an unknown code")
		}
		if got := f.Required(); !slices.Equal(got, []string{"vneid_level2"}) {
			t.Fatalf("Required() = %v", got)
		}
	})
	t.Run("History", func(t *testing.T) {
		f, err := load(t, v2...)
		if err != nil {
			t.Fatal(err)
		}
		if a := f.Active(); a.Version != 2 || a.Effective != "2027-01-01" || !slices.Equal(a.Required, []string{"vneid_level2", "recognise_scam"}) {
			t.Fatalf("Active() = %+v", a)
		}
		if got, ok := f.RequiredIn(1); !ok || !slices.Equal(got, []string{"vneid_level2"}) {
			t.Fatalf("RequiredIn(1) = %v, %v: a new version must not rewrite the old one", got, ok)
		}
		if got, ok := f.RequiredIn(2); !ok || !slices.Equal(got, []string{"vneid_level2", "recognise_scam"}) {
			t.Fatalf("RequiredIn(2) = %v, %v", got, ok)
		}
		for _, v := range []int{0, 3, -1} {
			if got, ok := f.RequiredIn(v); ok || got != nil {
				t.Errorf("RequiredIn(%d) = %v, %v; want none", v, got, ok)
			}
		}
		got, _ := f.RequiredIn(2)
		got[0] = "changed"
		if again, _ := f.RequiredIn(2); again[0] != "vneid_level2" {
			t.Fatal("RequiredIn returns the framework's own slice")
		}
	})
	t.Run("ErrUnknownKey", func(t *testing.T) {
		if _, err := load(t, "    required: true\n", "    required: true\n    colour: red\n"); err == nil || !strings.Contains(err.Error(), "colour") {
			t.Fatalf("err = %v, want an unknown-key error", err)
		}
	})
	t.Run("ErrEmpty", func(t *testing.T) {
		fsys := fstest.MapFS{"skills.yaml": {Data: []byte("version: 1\nbasic_skills: []\nskills: []\n")}}
		if _, err := skills.Load(fsys, "skills.yaml"); !errors.Is(err, skills.ErrEmpty) {
			t.Fatalf("err = %v, want %v", err, skills.ErrEmpty)
		}
	})
	t.Run("ErrMissingFile", func(t *testing.T) {
		if _, err := skills.Load(fstest.MapFS{}, "skills.yaml"); err == nil {
			t.Fatal("no error for a missing file")
		}
	})

	cases := []struct {
		name    string
		want    error
		replace []string
	}{
		{"ErrVersion", skills.ErrVersion, []string{"version: 1", "version: 0"}},
		{"ErrCode/UpperCase", skills.ErrCode, []string{"code: recognise_scam", "code: Recognise_scam"}},
		{"ErrCode/Hyphen", skills.ErrCode, []string{"code: recognise_scam", "code: recognise-scam"}},
		{"ErrCode/TooShort", skills.ErrCode, []string{"code: online_safety", "code: o"}},
		{"ErrCode/Empty", skills.ErrCode, []string{"code: online_safety", "code: ''"}},
		{"ErrDuplicateCode/Skill", skills.ErrDuplicateCode, []string{"code: recognise_scam", "code: vneid_level2"}},
		{"ErrDuplicateCode/BasicSkill", skills.ErrDuplicateCode, []string{"code: online_safety", "code: public_services"}},
		{"ErrDuplicateCode/Across", skills.ErrDuplicateCode, []string{"code: recognise_scam", "code: online_safety"}},
		{"ErrText/BasicSkillName", skills.ErrText, []string{`en: "Protecting oneself online"`, `en: ""`}},
		{"ErrText/SkillName", skills.ErrText, []string{`vi: "Nhận biết lừa đảo"`, `vi: "  "`}},
		{"ErrText/Description", skills.ErrText, []string{`en: "Points out the signs of a scam."`, `en: ""`}},
		{"ErrUnknownBasicSkill", skills.ErrUnknownBasicSkill, []string{"basic_skill: online_safety", "basic_skill: online_shopping"}},
		{"ErrBasicSkillWithoutSkill", skills.ErrBasicSkillWithoutSkill, []string{"\nskills:\n", "\n  - code: local_platforms\n    name: {vi: \"Nền tảng số địa phương\", en: \"Local platforms\"}\nskills:\n"}},
		{"ErrEvidence/NoObserved", skills.ErrEvidence, []string{"[observed, quiz]", "[quiz]"}},
		{"ErrEvidence/Empty", skills.ErrEvidence, []string{"[observed]", "[]"}},
		{"ErrEvidence/Unknown", skills.ErrEvidence, []string{"[observed]", "[observed, certificate]"}},
		{"ErrEvidence/Repeated", skills.ErrEvidence, []string{"[observed]", "[observed, observed]"}},
		{"ErrDigComp/NoArea6", skills.ErrDigComp, []string{`["4.2"]`, `["6.1"]`}},
		{"ErrDigComp/Area4HasFour", skills.ErrDigComp, []string{`["4.2"]`, `["4.5"]`}},
		{"ErrDigComp/Area2HasSix", skills.ErrDigComp, []string{`["4.2"]`, `["2.7"]`}},
		{"ErrDigComp/Format", skills.ErrDigComp, []string{`["4.2"]`, `["4.2.1"]`}},
		{"ErrDigComp/Repeated", skills.ErrDigComp, []string{`["4.2"]`, `["4.2", "4.2"]`}},
		{"ErrNoRequiredSkill", skills.ErrNoRequiredSkill, []string{"required: true", "required: false"}},
		{"ErrHistory/RequiredChangedWithoutNewVersion", skills.ErrHistory, []string{"    required: false\n", "    required: true\n"}},
		{"ErrHistory/VersionBumpedWithoutHistory", skills.ErrHistory, []string{"version: 1\n", "version: 2\n", "    required: false\n", "    required: true\n"}},
		{"ErrHistory/NewVersionSameOldHistory", skills.ErrHistory, append(slices.Clone(v2[:4]), "    required: [vneid_level2]\n", "    required: [vneid_level2]\n  - version: 2\n    effective: 2027-01-01\n    required: [vneid_level2]\n")},
		{"ErrHistory/Missing", skills.ErrHistory, []string{"history:\n  - version: 1\n    effective: 2026-11-01\n    required: [vneid_level2]\n", ""}},
		{"ErrHistory/WrongNumber", skills.ErrHistory, []string{"  - version: 1\n", "  - version: 3\n"}},
		{"ErrHistory/BadDate", skills.ErrHistory, []string{"effective: 2026-11-01", "effective: 01/11/2026"}},
		{"ErrHistory/UnknownSkill", skills.ErrHistory, []string{"required: [vneid_level2]", "required: [vneid_level2, gone_skill]"}},
		{"ErrHistory/RepeatedSkill", skills.ErrHistory, []string{"required: [vneid_level2]", "required: [vneid_level2, vneid_level2]"}},
		{"ErrHistory/Empty", skills.ErrHistory, append(slices.Clone(v2[:4]), "    required: [vneid_level2]\n", "    required: []\n  - version: 2\n    effective: 2027-01-01\n    required: [vneid_level2, recognise_scam]\n")},
		{"ErrHistory/DatesGoBack", skills.ErrHistory, append(slices.Clone(v2[:4]), "    required: [vneid_level2]\n", "    required: [vneid_level2]\n  - version: 2\n    effective: 2026-10-01\n    required: [vneid_level2, recognise_scam]\n")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := load(t, c.replace...)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

// TestBuiltinFramework loads the real content/skills.yaml.
func TestBuiltinFramework(t *testing.T) {
	f, err := skills.Load(content.FS, "skills.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var basic []string
	for _, b := range f.BasicSkills {
		basic = append(basic, b.Code)
	}
	slices.Sort(basic)
	if want := []string{"local_platforms", "online_payment", "online_safety", "online_shopping", "public_services"}; !slices.Equal(basic, want) {
		t.Errorf("basic skills = %v, want the five basic digital skills %v", basic, want)
	}
	req := f.Required()
	for _, code := range []string{"vneid_level2", "portal_account", "submit_application", "pay_fee_online", "recognise_scam"} {
		if !slices.Contains(req, code) {
			t.Errorf("%s is not required", code)
		}
	}
	for _, code := range []string{"track_application", "shop_online_safely", "use_local_platform"} {
		if s, ok := f.Skill(code); !ok || s.Required {
			t.Errorf("%s: want a known, optional skill (found %v)", code, ok)
		}
	}
	// Hands-on tasks are proven by watching the resident, never by a quiz.
	for _, code := range []string{"vneid_level2", "portal_account", "submit_application", "pay_fee_online"} {
		if s, _ := f.Skill(code); s.Accepts(skills.EvidenceQuiz) || !s.Accepts(skills.EvidenceObserved) {
			t.Errorf("%s: evidence %v, want [observed]", code, s.Evidence)
		}
	}
	if s, _ := f.Skill("recognise_scam"); !s.Accepts(skills.EvidenceQuiz) {
		t.Errorf("recognise_scam: a quiz can show it, evidence %v", s.Evidence)
	}
}

// TestBuiltinHistory: the active version's required set is the newest history
// entry of content/skills.yaml (Load refuses otherwise), and every version is
// answerable.
func TestBuiltinHistory(t *testing.T) {
	f, err := skills.Load(content.FS, "skills.yaml")
	if err != nil {
		t.Fatalf("%v (changed the required skills? bump version and append to history)", err)
	}
	if a := f.Active(); a.Version != f.Version {
		t.Fatalf("active definition %d, version %d", a.Version, f.Version)
	}
	for v := 1; v <= f.Version; v++ {
		if req, ok := f.RequiredIn(v); !ok || len(req) == 0 {
			t.Errorf("version %d: required %v, %v", v, req, ok)
		}
	}
	req, _ := f.RequiredIn(f.Version)
	slices.Sort(req)
	active := f.Required()
	slices.Sort(active)
	if !slices.Equal(req, active) {
		t.Fatalf("newest history %v, required skills %v", req, active)
	}
}
