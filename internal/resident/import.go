package resident

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"ecitizen/internal/apperr"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
	"ecitizen/internal/vntext"
)

// Bulk import of residents from a CSV file (UTF-8, header row, one resident a
// row). Every row goes through build (consent, fields, numbers), the duplicate
// rules of Register and the same claims; a row with a problem stores nothing and
// is reported. Re-importing a file stores nothing new: each resident created by
// an import also holds a claim of kind KindImport on the blind index of its ward
// and possible-duplicate key (folded name, birth year, folded group), so a row
// imported twice at the same time is stored once, with or without numbers.

// KindImport is the kind of the claim an imported resident holds on its ward and
// possible-duplicate key; it is released when the resident is erased or its
// name, birth year or group change.
const KindImport KeyKind = "import"

// Import limits.
const (
	// MaxImportRows is the largest number of data rows in one import.
	MaxImportRows = 1000
	// importConsentWindow is how old the consent of an imported row may be: the
	// signed paper form is the evidence, and forms are collected over months.
	importConsentWindow = 366 * 24 * time.Hour
)

// Codes of an import report entry (besides the validation codes of a field,
// duplicate_resident and possible_duplicate).
const (
	ImportAlreadyImported = "already_imported"
	ImportEncoding        = "encoding"
	ImportFormula         = "formula"
)

// ImportIssue is one problem of one row: the line in the file (the header is
// line 1), the field (a column's English name, "" for the whole row), a code, a
// message in both languages and, for duplicates, the existing resident. It never
// holds a number.
type ImportIssue struct {
	Row      int
	Field    string
	Code     string
	Vi, En   string
	Existing string
}

// ImportReport is the outcome of an import: data rows read, residents created
// (would be created in a dry run), rows already imported, duplicates, invalid
// rows, and the issues of every row not created.
type ImportReport struct {
	DryRun                                              bool
	Rows, Created, AlreadyImported, Duplicates, Invalid int
	Issues                                              []ImportIssue
}

// importColumns maps every accepted header (folded, spaces as _) to a column's
// English name.
var importColumns = map[string]string{}

// required import columns.
var importRequired = []string{"full_name", "birth_year", "residential_group", "consent"}

func init() {
	for en, aliases := range map[string][]string{
		"full_name":         {"ho_ten", "ho_va_ten"},
		"birth_year":        {"nam_sinh"},
		"gender":            {"gioi_tinh"},
		"phone":             {"so_dien_thoai", "sdt", "dien_thoai"},
		"national_id":       {"cccd", "so_cccd", "can_cuoc"},
		"residential_group": {"to_dan_pho", "to"},
		"notes":             {"ghi_chu"},
		"consent":           {"dong_y"},
		"consent_version":   {"phien_ban_dong_y"},
		"consent_given_at":  {"ngay_dong_y"},
	} {
		importColumns[en] = en
		for _, a := range aliases {
			importColumns[a] = en
		}
	}
}

func headerKey(h string) string { return strings.ReplaceAll(vntext.Fold(h), " ", "_") }

func fileError(field, code, vi, en string) error { return apperr.Invalid(field, code, vi, en) }

// Import reads a CSV file of residents of a ward for its staff or an admin and
// registers every valid row that is not a duplicate; with dryRun nothing is
// stored. A problem with the file itself (no header, unknown, missing or repeated
// columns, too many rows, broken quoting) is a validation error and nothing is
// stored; a problem with a row is an issue of the report.
func (s *Service) Import(ctx context.Context, c identity.Caller, wardID string, file []byte, dryRun bool) (*ImportReport, error) {
	if _, err := s.dir.Ward(ctx, wardID); err != nil {
		return nil, err
	}
	if err := s.reach(ctx, c, wardID, false); err != nil {
		return nil, err
	}
	if err := s.open(ctx, wardID); err != nil {
		return nil, err
	}
	cols, rows, err := readImport(file)
	if err != nil {
		return nil, err
	}
	numbers := 0
	for _, row := range rows {
		for i, col := range cols {
			if (col == "phone" || col == "national_id") && i < len(row.cells) && strings.TrimSpace(row.cells[i]) != "" {
				numbers++
			}
		}
	}
	if err := s.checkNumbers(c, numbers); err != nil {
		return nil, err
	}
	rep := &ImportReport{DryRun: dryRun, Rows: len(rows)}
	now := s.timestamp()
	seen := map[string]bool{} // dry run: keys of the rows that would be created
	for _, row := range rows {
		issues, existing, err := s.importRow(ctx, c, wardID, cols, row, now, dryRun, seen)
		if err != nil {
			return nil, err
		}
		switch {
		case len(issues) == 0:
			rep.Created++
			continue
		case issues[0].Code == ImportAlreadyImported:
			rep.AlreadyImported++
		case existing:
			rep.Duplicates++
		default:
			rep.Invalid++
		}
		rep.Issues = append(rep.Issues, issues...)
	}
	return rep, nil
}

type importRecord struct {
	line  int
	cells []string
}

// readImport parses the file: the header's columns (English names, by position)
// and the data rows.
func readImport(file []byte) ([]string, []importRecord, error) {
	file = bytes.TrimPrefix(file, []byte("\ufeff"))
	rd := csv.NewReader(bytes.NewReader(file))
	rd.FieldsPerRecord = -1
	header, err := rd.Read()
	if err != nil {
		return nil, nil, fileError("file", "header", "Tệp CSV cần một dòng tiêu đề với tên các cột.", "The CSV file needs a header row naming its columns.")
	}
	cols := make([]string, len(header))
	var unknown []string
	for i, h := range header {
		if !utf8.ValidString(h) {
			return nil, nil, fileError("file", ImportEncoding, "Tệp phải được lưu với mã hoá UTF-8.", "The file must be saved as UTF-8.")
		}
		en, ok := importColumns[headerKey(h)]
		switch {
		case !ok:
			unknown = append(unknown, strings.TrimSpace(h))
		case slices.Contains(cols, en):
			return nil, nil, fileError(en, "repeated", "Cột "+en+" xuất hiện hai lần.", "The column "+en+" appears twice.")
		}
		cols[i] = en
	}
	if len(unknown) > 0 {
		list := strings.Join(unknown, ", ")
		return nil, nil, fileError("file", "unknown_column", "Cột không được hỗ trợ: "+list+".", "Unsupported columns: "+list+".")
	}
	for _, r := range importRequired {
		if !slices.Contains(cols, r) {
			return nil, nil, fileError(r, "required", "Thiếu cột bắt buộc "+r+".", "The required column "+r+" is missing.")
		}
	}
	var rows []importRecord
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) && !errors.Is(err, csv.ErrFieldCount) {
			l := strconv.Itoa(pe.StartLine)
			return nil, nil, fileError("file", "csv", "Tệp CSV bị lỗi định dạng (dấu ngoặc kép) ở dòng "+l+".", "The CSV file is malformed (quotes) at line "+l+".")
		}
		if err != nil {
			return nil, nil, fmt.Errorf("read import: %w", err)
		}
		if len(rows) == MaxImportRows {
			n := strconv.Itoa(MaxImportRows)
			return nil, nil, fileError("file", "too_many_rows", "Mỗi lần nhập tối đa "+n+" dòng; hãy chia nhỏ tệp.", "An import has "+n+" rows at most; split the file.")
		}
		line, _ := rd.FieldPos(0)
		rows = append(rows, importRecord{line: line, cells: rec})
	}
	return cols, rows, nil
}

// formulaStart reports whether a spreadsheet would read s as a formula (or
// prefix it with a control character). Such a cell is refused rather than
// escaped: an apostrophe would become part of the name in every other view.
func formulaStart(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

// importRow checks and registers one row. It returns the row's issues (none when
// created) and whether the row is a duplicate of an existing resident; err is a
// storage failure only.
func (s *Service) importRow(ctx context.Context, c identity.Caller, wardID string, cols []string, row importRecord,
	now time.Time, dryRun bool, seen map[string]bool) ([]ImportIssue, bool, error) {
	v, issues := rowValues(cols, row)
	if len(issues) > 0 {
		return issues, false, nil
	}
	n, issues := s.rowResident(wardID, v, row.line)
	if len(issues) > 0 {
		return issues, false, nil
	}
	r, keys, err := s.build(c, wardID, n, now, importConsentWindow)
	if err != nil {
		return issueOf(row.line, err), false, nil
	}
	imp := s.importKey(r)
	if issues, err := s.importDuplicates(ctx, c, wardID, r, keys, row.line); err != nil || len(issues) > 0 {
		return issues, len(issues) > 0, err
	}
	if dryRun {
		issues := repeatedRow(seen, append(keys, imp), row.line)
		return issues, len(issues) > 0, nil
	}
	issues, err = s.createImported(ctx, c, r, imp, keys, row.line)
	return issues, len(issues) > 0, err
}

// rowValues reads a row's cells by column, trimmed. The row is refused when it
// has not as many cells as the header columns; a cell when it is not UTF-8 or,
// in a text column a spreadsheet shows, starts like a formula.
func rowValues(cols []string, row importRecord) (map[string]string, []ImportIssue) {
	var issues []ImportIssue
	add := func(field, code, vi, en string) {
		issues = append(issues, ImportIssue{Row: row.line, Field: field, Code: code, Vi: vi, En: en})
	}
	if len(row.cells) != len(cols) {
		add("", "columns", "Số ô của dòng khác số cột của tiêu đề.", "The row does not have as many cells as the header has columns.")
		return nil, issues
	}
	v := map[string]string{}
	for i, col := range cols {
		cell := row.cells[i]
		if !utf8.ValidString(cell) {
			add(col, ImportEncoding, "Ô không phải văn bản UTF-8 hợp lệ (hãy lưu tệp dạng CSV UTF-8).", "The cell is not valid UTF-8 text (save the file as CSV UTF-8).")
			continue
		}
		if (col == "full_name" || col == "residential_group" || col == "notes") && (formulaStart(cell) || formulaStart(strings.TrimSpace(cell))) {
			add(col, ImportFormula, "Ô bắt đầu bằng = + - @ hoặc ký tự điều khiển, bảng tính sẽ hiểu là công thức: không lưu.",
				"The cell starts with = + - @ or a control character, which a spreadsheet runs as a formula: not stored.")
			continue
		}
		v[col] = strings.TrimSpace(cell)
	}
	return v, issues
}

// rowResident turns a row's values into the resident to register, reading the
// columns that are not plain text: the birth year, the gender and the consent
// (in Vietnamese or English, accents and case ignored) and the consent date. A
// row without consent is refused; one without a consent version takes the
// current one.
func (s *Service) rowResident(wardID string, v map[string]string, line int) (NewResident, []ImportIssue) {
	var issues []ImportIssue
	add := func(field, code, vi, en string) {
		issues = append(issues, ImportIssue{Row: line, Field: field, Code: code, Vi: vi, En: en})
	}
	n := NewResident{WardID: wardID, FullName: v["full_name"], Phone: v["phone"], NationalID: v["national_id"],
		Group: v["residential_group"], Notes: v["notes"], ConsentVersion: v["consent_version"]}
	if y, err := strconv.Atoi(v["birth_year"]); err == nil {
		n.BirthYear = y
	} else {
		add("birth_year", "number", "Năm sinh là một số, ví dụ 1958.", "The birth year is a number, e.g. 1958.")
	}
	switch g := vntext.Fold(v["gender"]); g {
	case "":
	case "nu", "female", "f":
		n.Gender = GenderFemale
	case "nam", "male", "m":
		n.Gender = GenderMale
	case "khac", "other":
		n.Gender = GenderOther
	default:
		add("gender", "oneof", "Giới tính là nam, nữ hoặc khác (hoặc để trống).", "The gender is male, female or other (or left empty).")
	}
	switch vntext.Fold(v["consent"]) {
	case "yes", "y", "x", "co", "dong y", "true", "1":
		if n.ConsentVersion == "" {
			n.ConsentVersion = s.Consent().ID
		}
	default:
		add("consent", "required", "Chưa có sự đồng ý của người dân (cột dong_y: có hoặc x): không lưu.",
			"The resident's consent is missing (column consent: yes or x): not stored.")
	}
	if d := v["consent_given_at"]; d != "" {
		at, ok := parseImportDate(d)
		if ok {
			n.ConsentGivenAt = at
		} else {
			add("consent.given_at", "date", "Ngày đồng ý có dạng 2025-03-15, 15/03/2025 hoặc RFC 3339.",
				"The consent date is written 2025-03-15, 15/03/2025 or RFC 3339.")
		}
	}
	return n, issues
}

// importDuplicates looks for the stored residents the built resident r repeats.
// One with the same name, birth year, group and numbers is this row imported
// before (already_imported); one with the same name only, a possible duplicate;
// a number another resident holds, a duplicate of that field. It returns the
// row's one issue, none when r repeats nobody.
func (s *Service) importDuplicates(ctx context.Context, c identity.Caller, wardID string, r *Resident, keys []Key, line int) ([]ImportIssue, error) {
	same, err := s.store.ListResidents(ctx, Filter{WardID: wardID, DupKey: r.DupKey}, page.Request{Limit: 20})
	if err != nil {
		return nil, fmt.Errorf("import: possible duplicates: %w", err)
	}
	for _, o := range same {
		if o.PhoneIndex == r.PhoneIndex && o.NationalIndex == r.NationalIndex {
			return alreadyImported(line, o.ID), nil
		}
	}
	if len(same) > 0 {
		return duplicateIssue(line, possibleDuplicate(same[0].ID), "full_name")
	}
	for _, k := range keys {
		if err := s.holder(ctx, c, k); err != nil {
			return duplicateIssue(line, err, string(k.Kind))
		}
	}
	return nil, nil
}

// repeatedRow is, in a dry run (where nothing claims the keys), the check that
// the row does not repeat an earlier row of the file: seen holds the keys of the
// rows that would be created, and takes this row's. It returns the row's issue,
// none when the row is new.
func repeatedRow(seen map[string]bool, keys []Key, line int) []ImportIssue {
	for _, k := range keys {
		id := string(k.Kind) + ":" + k.Index
		if seen[id] {
			return []ImportIssue{{Row: line, Field: fieldOfKind(k.Kind), Code: "duplicate_row",
				Vi: "Dòng trùng với một dòng trước trong tệp.", En: "The row repeats an earlier row of the file."}}
		}
		seen[id] = true
	}
	return nil
}

// createImported stores the resident with its import claim imp and its keys. A
// claim taken meanwhile makes the row already imported (the import claim) or a
// duplicate (a number's); it returns the row's issue, none when created.
func (s *Service) createImported(ctx context.Context, c identity.Caller, r *Resident, imp Key, keys []Key, line int) ([]ImportIssue, error) {
	err := s.store.CreateResident(ctx, r, append([]Key{imp}, keys...))
	if err == nil {
		return nil, nil
	}
	var taken *KeyTakenError
	if errors.As(err, &taken) && taken.Kind == KindImport {
		return alreadyImported(line, taken.ResidentID), nil
	}
	field := ""
	if taken != nil {
		field = string(taken.Kind)
	}
	return duplicateIssue(line, s.keyErr(ctx, c, err, "import resident"), field)
}

// duplicateIssue turns a duplicate error (an apperr naming the existing
// resident) into the row's issue on field; any other error is a failure.
func duplicateIssue(line int, err error, field string) ([]ImportIssue, error) {
	e := apperr.As(err)
	if e == nil {
		return nil, err
	}
	return []ImportIssue{{Row: line, Field: field, Code: string(e.Code), Vi: e.Vi, En: e.En, Existing: e.Existing}}, nil
}

// alreadyImported is the issue of a row imported before, as resident id.
func alreadyImported(line int, id string) []ImportIssue {
	return []ImportIssue{{Row: line, Code: ImportAlreadyImported, Existing: id,
		Vi: "Dòng này đã được nhập trước đây (mã " + id + ").", En: "This row was imported before (id " + id + ")."}}
}

func fieldOfKind(k KeyKind) string {
	if k == KindImport {
		return ""
	}
	return string(k)
}

// issueOf turns a validation error of build into issues of a row.
func issueOf(line int, err error) []ImportIssue {
	e := apperr.As(err)
	if e == nil {
		return []ImportIssue{{Row: line, Code: string(apperr.CodeInvalid), Vi: "Dòng không hợp lệ.", En: "The row is not valid."}}
	}
	var out []ImportIssue
	for _, f := range e.Fields {
		out = append(out, ImportIssue{Row: line, Field: f.Field, Code: f.Code, Vi: f.Vi, En: f.En})
	}
	if len(out) == 0 {
		out = append(out, ImportIssue{Row: line, Code: string(e.Code), Vi: e.Vi, En: e.En})
	}
	return out
}

// importKey is the import claim of r: its ward and possible-duplicate key.
func (s *Service) importKey(r *Resident) Key {
	return Key{Kind: KindImport, Index: s.crypt.Index(KindImport, r.WardID+"|"+r.DupKey), ResidentID: r.ID}
}

// parseImportDate reads a consent date: YYYY-MM-DD or DD/MM/YYYY (the start of
// the day in Vietnam) or RFC 3339.
func parseImportDate(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	for _, layout := range []string{time.DateOnly, "02/01/2006", "2/1/2006"} {
		if t, err := time.ParseInLocation(layout, s, hanoi); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
