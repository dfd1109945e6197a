package course

import (
	"strings"
	"testing"

	"ecitizen/internal/vntext"
)

func TestRankPrefersExactAccentedMatches(t *testing.T) {
	rank := func(v *Version, q string) int { return rank(CardOf(v), q, vntext.Fold) }
	accented := &Version{Title: Text{Vi: "Đăng ký khai sinh trực tuyến", En: "Online birth registration"}}
	plain := &Version{Title: Text{Vi: "Dang ky tai khoan", En: "Sign up"}}
	summary := &Version{Title: Text{Vi: "Thủ tục", En: "Procedures"}, Summary: Text{Vi: "Cách đăng ký", En: "How to register"}}
	q := "đăng ký"
	if !(rank(accented, q) > rank(plain, q) && rank(plain, q) > 0) {
		t.Fatalf("accented %d, plain %d", rank(accented, q), rank(plain, q))
	}
	if !(rank(accented, q) > rank(summary, q)) {
		t.Fatalf("title %d should outrank summary %d", rank(accented, q), rank(summary, q))
	}
	// An unaccented query matches both titles; the one that has it as typed comes first.
	if !(rank(plain, "dang ky") > rank(accented, "dang ky") && rank(accented, "dang ky") > 0) {
		t.Fatalf("unaccented query: plain %d, accented %d", rank(plain, "dang ky"), rank(accented, "dang ky"))
	}
	if rank(accented, "thanh toán") != 0 {
		t.Fatal("a version without the phrase ranks above 0")
	}
}

func TestRenderMarkdownSanitises(t *testing.T) {
	attacks := map[string]string{
		"Script":        "Xin chào <script>alert(1)</script>",
		"Onerror":       `<img src=x onerror="alert(1)">`,
		"JavascriptURL": "[bấm vào đây](javascript:alert(1))",
		"JavascriptRef": "[x][1]\n\n[1]: javascript:alert(1)",
		"DataURL":       "![ảnh](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
		"DataLink":      "[tải](data:text/html,<script>alert(1)</script>)",
		"RawIframe":     "<iframe src=\"https://evil.example\"></iframe>",
		"AutolinkJS":    "<javascript:alert(1)>",
		"EncodedJS":     "[x](jav&#x61;script:alert(1))",
		"StyleAttr":     `<p style="background:url(javascript:alert(1))">x</p>`,
	}
	for name, src := range attacks {
		t.Run(name, func(t *testing.T) {
			html, err := RenderMarkdown(src)
			if err != nil {
				t.Fatal(err)
			}
			lower := strings.ToLower(html)
			for _, bad := range []string{"<script", "onerror=", `="javascript:`, `='javascript:`, `="data:`, "<iframe", "style="} {
				if strings.Contains(lower, bad) {
					t.Fatalf("rendered %q contains %q", html, bad)
				}
			}
		})
	}
	t.Run("KeepsSafeMarkdown", func(t *testing.T) {
		html, _ := RenderMarkdown("## Bước 1\n\n**Mở** ứng dụng [VNeID](https://dichvucong.gov.vn)\n\n1. Một\n2. Hai")
		for _, want := range []string{"<h2", "<strong>Mở</strong>", `href="https://dichvucong.gov.vn"`, `rel="nofollow noreferrer noopener"`, "<ol>"} {
			if !strings.Contains(html, want) {
				t.Fatalf("rendered %q lacks %q", html, want)
			}
		}
	})
}
