package resident

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"ecitizen/internal/apperr"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/logging"
	"ecitizen/internal/page"
	"ecitizen/internal/roster"
	"ecitizen/internal/throttle"
	"ecitizen/internal/vntext"
)

// Error codes of residents.
const (
	CodeDuplicateResident apperr.Code = "duplicate_resident"
	CodePossibleDuplicate apperr.Code = "possible_duplicate"
	CodeResidentErased    apperr.Code = "resident_erased"
	CodeDataKeyUnknown    apperr.Code = "data_key_unknown"
)

var errErased = &apperr.Error{Code: CodeResidentErased,
	Vi: "Dữ liệu cá nhân của người dân này đã bị xoá.", En: "This resident's personal data has been erased."}

// errDataKeyUnknown refuses to reveal a number sealed under a data key this
// instance does not hold (another instance, configured with another key, wrote
// it): an operator's error, said as such, and nothing is revealed.
var errDataKeyUnknown = &apperr.Error{Code: CodeDataKeyUnknown,
	Vi: "Không đọc được số của người dân này: khoá dữ liệu đã mã hoá số không được cấu hình trên máy chủ. Hãy báo quản trị viên.",
	En: "This resident's numbers cannot be read: the data key that encrypted them is not configured on the server. Tell the administrator."}

// NumberChecks bounds how many personal numbers (phones and national IDs, in
// registrations and imports, dry runs included) one user may have checked
// against the district's residents: NumberCheckBurst, then one every
// NumberCheckEvery. An import is counted whole before it starts, so the burst
// lets one import of the most rows, each with both numbers, through.
const (
	NumberCheckBurst = 2 * MaxImportRows
	NumberCheckEvery = 2 * time.Second
)

// duplicateOf is the refusal of a number held by holder, as c may learn it: the
// holder's id when c reaches the holder's ward; otherwise only that the number
// is taken outside c's wards, and the probe is audited on the holder's record.
func (s *Service) duplicateOf(ctx context.Context, c identity.Caller, kind KeyKind, holder *Resident) error {
	if holder.WardID != "" && c.HasWard(holder.WardID) {
		return duplicate(kind, holder.ID)
	}
	if holder.WardID == "" {
		return duplicateElsewhere(kind) // a claim whose record is not (yet) stored
	}
	a := &Audit{ID: uuid.Must(uuid.NewV7()).String(), ResidentID: holder.ID, WardID: holder.WardID, Action: ActionNumberCheck,
		Fields: []string{string(kind)}, Reason: "Số đã được ghi nhận ở phường này được nhập lại từ phường khác.", By: c.UserID, At: s.timestamp()}
	if err := s.store.AddAudit(ctx, a); err != nil {
		return fmt.Errorf("audit a number check: %w", err)
	}
	return duplicateElsewhere(kind)
}

// duplicateElsewhere is the refusal of a number held outside the caller's
// wards: taken, and nothing more.
func duplicateElsewhere(kind KeyKind) error {
	what := [2]string{"số điện thoại", "phone number"}
	if kind == KindNationalID {
		what = [2]string{"số căn cước công dân", "national ID number"}
	}
	return &apperr.Error{Code: CodeDuplicateResident,
		Vi: "Đã có người dân ở phường khác được ghi nhận với " + what[0] + " này. Hãy hỏi lại người dân hoặc liên hệ cán bộ quận.",
		En: "A resident of another ward is already recorded with this " + what[1] + ". Check with the resident or ask the district's staff."}
}

// checkNumbers takes n number checks from c's allowance.
func (s *Service) checkNumbers(c identity.Caller, n int) error {
	if ok, wait := s.numbers.AllowN(c.UserID, n, s.now()); !ok {
		e := apperr.New(apperr.CodeRateLimited, "Bạn đã kiểm tra quá nhiều số điện thoại và số căn cước trong thời gian ngắn. Vui lòng thử lại sau.",
			"You have checked too many phone and national ID numbers in a short time. Please try again later.")
		e.RetryAfter = wait
		return e
	}
	return nil
}

// duplicate is the refusal of a number another resident holds; it names the
// holder, never the number.
func duplicate(kind KeyKind, holder string) error {
	what := [2]string{"số điện thoại", "phone number"}
	if kind == KindNationalID {
		what = [2]string{"số căn cước công dân", "national ID number"}
	}
	return &apperr.Error{Code: CodeDuplicateResident, Existing: holder,
		Vi: "Đã có người dân được ghi nhận với " + what[0] + " này (mã " + holder + ").",
		En: "A resident with this " + what[1] + " is already recorded (id " + holder + ")."}
}

// Directory is what residents need of the directory.
type Directory interface {
	// Ward returns a ward (ErrNotFound otherwise).
	Ward(ctx context.Context, id string) (*directory.Ward, error)
	// ActiveCentre returns an active centre (ErrNotFound otherwise).
	ActiveCentre(ctx context.Context, id string) (*directory.Centre, error)
}

// Duty tells whether a volunteer is on duty at a centre, or at any centre of a
// ward (roster.Service.OnDuty, OnDutyInWard).
type Duty interface {
	OnDuty(ctx context.Context, volunteerID, centreID string, at time.Time) (*roster.Shift, error)
	OnDutyInWard(ctx context.Context, volunteerID, wardID, centreID string, at time.Time, margin time.Duration) (*roster.Shift, error)
}

// Service holds the rules of residents. Who may do what:
//   - admins, and ward staff for their wards, register residents, read and
//     search them, change them, reveal their numbers (audited), erase them and
//     read their ward's audit trail;
//   - a volunteer on duty at a centre registers residents of that centre's ward,
//     and reads and searches the residents of a ward where they are on duty at
//     one of its centres (never their numbers);
//   - ward staff of other wards find nothing (404); other roles are forbidden.
type Service struct {
	store    Store
	dir      Directory
	duty     Duty
	crypt    *Crypter
	consents *Consents
	now      func() time.Time
	log      *slog.Logger
	// numbers throttles number checks per user.
	numbers *throttle.Limiter
	// forget deletes the other copies of a resident's data the service keeps
	// (stored responses of retried requests); nil keeps none.
	forget func(ctx context.Context, residentID string) error
}

// Deps are what the resident service is built from.
type Deps struct {
	// Store keeps residents, their numbers' claims and the audit trail.
	Store Store
	// Directory finds wards and centres (directory.Service).
	Directory Directory
	// Duty tells whether a volunteer is on duty (roster.Service).
	Duty Duty
	// Keys is the ring of data keys (required): its current key seals and
	// indexes new numbers, its older keys still open and find the numbers
	// sealed under them (see Rotation).
	Keys *Crypter
	// Consents are the consent texts (required, with at least one version).
	Consents *Consents
	// NumberCheckBurst and NumberCheckEvery are the allowance of number checks
	// per user: NumberCheckBurst at once, then one more every NumberCheckEvery;
	// zero: the package's NumberCheckBurst and NumberCheckEvery.
	NumberCheckBurst int
	NumberCheckEvery time.Duration
	// Forget is called by every erasure with the resident's id, to delete the
	// copies of their data kept outside the resident record (idempotency's
	// stored responses); nil: there are none.
	Forget func(ctx context.Context, residentID string) error
	// Now is the clock; nil: time.Now.
	Now func() time.Time
	// Logger takes what the service logs (refused reveals, failed erasures of
	// copies), never a number; nil: logs nothing.
	Logger *slog.Logger
}

// NewService returns the resident service; a missing key ring or consent text
// is an error.
func NewService(d Deps) (*Service, error) {
	if d.Keys == nil {
		return nil, errors.New("resident: no data key")
	}
	if d.Consents == nil || len(d.Consents.Versions) == 0 {
		return nil, fmt.Errorf("%w: no version", ErrConsentFile)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.NumberCheckBurst == 0 {
		d.NumberCheckBurst = NumberCheckBurst
	}
	if d.NumberCheckEvery == 0 {
		d.NumberCheckEvery = NumberCheckEvery
	}
	return &Service{store: d.Store, dir: d.Directory, duty: d.Duty, crypt: d.Keys, consents: d.Consents, now: d.Now,
		log: logging.OrDiscard(d.Logger), numbers: throttle.New(d.NumberCheckBurst, d.NumberCheckEvery), forget: d.Forget}, nil
}

func (s *Service) timestamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Consent returns the consent text in force now.
func (s *Service) Consent() *ConsentVersion { return s.consents.Current(s.now()) }

// reach checks that the caller may act on a ward's residents: its staff and
// admins; volunteers (when volunteers is true) on duty at one of its centres;
// other ward staff find nothing, other roles are forbidden.
func (s *Service) reach(ctx context.Context, c identity.Caller, wardID string, volunteers bool) error {
	switch {
	case c.HasWard(wardID):
		return nil
	case c.Role == identity.RoleVolunteer && volunteers:
		_, err := s.duty.OnDutyInWard(ctx, c.UserID, wardID, "", s.now(), roster.OnDutyMargin)
		return err
	case c.Role == identity.RoleWardStaff:
		return fmt.Errorf("ward %s: %w", wardID, apperr.ErrNotFound)
	}
	return apperr.ErrForbidden
}

// resident reads a resident the caller may reach (see reach).
func (s *Service) resident(ctx context.Context, c identity.Caller, id string, volunteers bool) (*Resident, error) {
	if !c.IsStaff() && !(volunteers && c.Role == identity.RoleVolunteer) {
		return nil, apperr.ErrForbidden
	}
	r, err := s.store.ResidentByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.reach(ctx, c, r.WardID, volunteers); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return nil, fmt.Errorf("resident %s: %w", id, apperr.ErrNotFound)
		}
		return nil, err
	}
	return r, nil
}

// open refuses new residents in a ward that is merged or being merged
// (directory.ErrWardMerged).
func (s *Service) open(ctx context.Context, wardID string) error {
	w, err := s.dir.Ward(ctx, wardID)
	if err != nil {
		return err
	}
	if w.Status != directory.WardActive {
		return directory.ErrWardMerged
	}
	return nil
}

// NewResident is what staff or a volunteer give to register a resident. Staff
// name the ward (or a centre of it); a volunteer names the centre where they are
// on duty, and the ward is the centre's.
type NewResident struct {
	WardID, CentreID  string
	FullName          string
	BirthYear         int
	Gender            Gender
	Phone, NationalID string // optional, as written
	Group, Notes      string
	ConsentVersion    string
	ConsentGivenAt    time.Time // zero: now
	DuplicateOverride string    // the reason to register despite a possible duplicate
}

// Register records a resident with their consent. Phone and national ID numbers
// held by another resident are refused (duplicate_resident, naming it); a resident
// of the same ward with the same folded name, birth year and group is a
// possible_duplicate unless DuplicateOverride gives a reason.
func (s *Service) Register(ctx context.Context, c identity.Caller, n NewResident) (*Resident, error) {
	r, keys, err := s.Prepare(ctx, c, n)
	if err != nil {
		return nil, err
	}
	if err := s.store.CreateResident(ctx, r, keys); err != nil {
		return nil, s.keyErr(ctx, c, err, "register resident")
	}
	return r, nil
}

// Prepare decides a registration as Register does — who may register in the
// ward, validation, consent, sealed and indexed numbers, numbers held by
// another resident, possible duplicates among the stored residents — and
// returns the resident with the claims its numbers need, without storing it:
// for a tool that stores many at once (store.Bulk's InsertResidents, with
// Prepared), which then answers for duplicates among the residents it has
// prepared but not stored yet.
func (s *Service) Prepare(ctx context.Context, c identity.Caller, n NewResident) (*Resident, []Key, error) {
	now := s.timestamp()
	wardID := n.WardID
	switch {
	case n.CentreID != "":
		centre, err := s.dir.ActiveCentre(ctx, n.CentreID)
		if err != nil {
			return nil, nil, err
		}
		if wardID != "" && wardID != centre.WardID {
			return nil, nil, apperr.Invalid("centre_id", "ward", "Nhà sinh hoạt cộng đồng không thuộc phường đã chọn.", "The centre is not in the given ward.")
		}
		wardID = centre.WardID
		if !c.HasWard(wardID) && c.Role == identity.RoleVolunteer {
			if _, err := s.duty.OnDuty(ctx, c.UserID, centre.ID, now); err != nil {
				return nil, nil, err
			}
		} else if err := s.reach(ctx, c, wardID, false); err != nil {
			return nil, nil, err
		}
	case wardID == "":
		return nil, nil, apperr.Invalid("ward_id", "required", "Cần chọn phường (cán bộ) hoặc nhà sinh hoạt cộng đồng đang trực (tình nguyện viên).",
			"Give the ward (staff) or the centre where you are on duty (volunteers).")
	default:
		if _, err := s.dir.Ward(ctx, wardID); err != nil {
			return nil, nil, err
		}
		if c.Role == identity.RoleVolunteer {
			return nil, nil, apperr.Invalid("centre_id", "required", "Tình nguyện viên cần chọn nhà sinh hoạt cộng đồng nơi đang trực.",
				"A volunteer gives the centre where they are on duty.")
		}
		if err := s.reach(ctx, c, wardID, false); err != nil {
			return nil, nil, err
		}
	}
	if err := s.open(ctx, wardID); err != nil {
		return nil, nil, err
	}
	r, keys, err := s.build(c, wardID, n, now, consentWindow)
	if err != nil {
		return nil, nil, err
	}
	// Exact duplicates first (a look-up by blind index; the claims decide races),
	// then possible ones.
	if err := s.checkNumbers(c, len(keys)); err != nil {
		return nil, nil, err
	}
	for _, k := range keys {
		if err := s.holder(ctx, c, k); err != nil {
			return nil, nil, err
		}
	}
	if r.DuplicateOverride == "" {
		same, err := s.store.ListResidents(ctx, Filter{WardID: wardID, DupKey: r.DupKey}, page.Request{Limit: 1})
		if err != nil {
			return nil, nil, fmt.Errorf("possible duplicates: %w", err)
		}
		if len(same) > 0 {
			return nil, nil, possibleDuplicate(same[0].ID)
		}
	}
	return r, keys, nil
}

// possibleDuplicate is the refusal of a resident like another (same folded
// name, birth year and group) of the same ward.
func possibleDuplicate(id string) error {
	return &apperr.Error{Code: CodePossibleDuplicate, Existing: id,
		Vi: "Có thể người dân này đã được ghi nhận (cùng họ tên, năm sinh và tổ dân phố; mã " + id + "). Nếu đúng là người khác, gửi lại kèm lý do trong duplicate_override_reason.",
		En: "This resident may already be recorded (same name, birth year and residential group; id " + id + "). If it is another person, send again with a reason in duplicate_override_reason."}
}

// consentWindow is how long before its registration a resident's consent may
// have been given (an import of paper forms allows importConsentWindow).
const consentWindow = 24 * time.Hour

// build makes a new resident of wardID from n, recorded by c at now: consent
// (given at most window before now), validated fields, sealed and indexed
// numbers; it returns the claims the numbers need. Register and Import share it.
func (s *Service) build(c identity.Caller, wardID string, n NewResident, now time.Time, window time.Duration) (*Resident, []Key, error) {
	r := &Resident{ID: uuid.Must(uuid.NewV7()).String(), WardID: wardID, OriginWardID: wardID, FullName: n.FullName, BirthYear: n.BirthYear,
		Gender: n.Gender, Group: n.Group, Notes: n.Notes, DuplicateOverride: strings.TrimSpace(n.DuplicateOverride),
		CreatedBy: c.UserID, CreatedAt: now, UpdatedAt: now}
	if err := s.consent(r, n, now, window); err != nil {
		return nil, nil, err
	}
	if err := r.validate(now.In(hanoi).Year()); err != nil {
		return nil, nil, err
	}
	if utf8.RuneCountInString(r.DuplicateOverride) > MaxReason {
		return nil, nil, apperr.Invalid("duplicate_override_reason", "max", "Lý do tối đa 500 ký tự.", "A reason has 500 characters at most.")
	}
	keys, err := s.setNumbers(r, &n.Phone, &n.NationalID)
	if err != nil {
		return nil, nil, err
	}
	return r, keys, nil
}

// consent checks and sets the consent of a new resident.
func (s *Service) consent(r *Resident, n NewResident, now time.Time, window time.Duration) error {
	switch {
	case n.ConsentVersion == "":
		return apperr.Invalid("consent", "required", "Cần ghi nhận sự đồng ý của người dân (phiên bản văn bản đồng ý) trước khi lưu thông tin.",
			"The resident's consent (the version of the consent text) must be recorded before their details are stored.")
	case !s.consents.Known(n.ConsentVersion):
		return apperr.Invalid("consent.version", "unknown", "Phiên bản văn bản đồng ý không tồn tại.", "There is no such version of the consent text.")
	}
	given := n.ConsentGivenAt.UTC().Truncate(time.Millisecond)
	if n.ConsentGivenAt.IsZero() {
		given = now
	}
	if given.After(now.Add(5*time.Minute)) || given.Before(now.Add(-window)) {
		if window != consentWindow {
			return apperr.Invalid("consent.given_at", "range", "Ngày đồng ý phải trong vòng một năm qua và không ở tương lai.", "Consent must have been given within the last year, not in the future.")
		}
		return apperr.Invalid("consent.given_at", "range", "Thời điểm đồng ý phải trong vòng 24 giờ qua.", "Consent must have been given within the last 24 hours.")
	}
	r.Consent = Consent{Version: n.ConsentVersion, GivenAt: given, RecordedBy: r.CreatedBy}
	return nil
}

// setNumbers normalises, seals and indexes the numbers given (nil: unchanged,
// "": none) and returns the claims r needs for them: those of keysOf(r), and a
// transient claim under each older key of the ring for each number given.
func (s *Service) setNumbers(r *Resident, phone, nationalID *string) ([]Key, error) {
	var transient []Key
	for _, n := range []struct {
		given     *string
		kind      KeyKind
		normalise func(string) (string, error)
		box       **Sealed
		index     *string
	}{
		{phone, KindPhone, NormalisePhone, &r.Phone, &r.PhoneIndex},
		{nationalID, KindNationalID, NormaliseNationalID, &r.NationalID, &r.NationalIndex},
	} {
		if n.given == nil {
			continue
		}
		*n.box, *n.index = nil, ""
		if strings.TrimSpace(*n.given) == "" {
			continue
		}
		v, err := n.normalise(*n.given)
		if err != nil {
			return nil, err
		}
		if *n.box, err = s.crypt.Seal(r.ID, n.kind, v); err != nil {
			return nil, err
		}
		claims := s.crypt.Claims(r.ID, n.kind, v)
		*n.index, transient = claims[0].Index, append(transient, claims[1:]...)
	}
	return append(keysOf(r), transient...), nil
}

// keysOf returns the claims of r's numbers.
func keysOf(r *Resident) []Key {
	var keys []Key
	if r.PhoneIndex != "" {
		keys = append(keys, Key{Kind: KindPhone, Index: r.PhoneIndex, ResidentID: r.ID})
	}
	if r.NationalIndex != "" {
		keys = append(keys, Key{Kind: KindNationalID, Index: r.NationalIndex, ResidentID: r.ID})
	}
	return keys
}

// holder refuses a claim another (not erased) resident holds, as c may learn it.
func (s *Service) holder(ctx context.Context, c identity.Caller, k Key) error {
	f := Filter{PhoneIndexes: []string{k.Index}}
	if k.Kind == KindNationalID {
		f = Filter{NationalIndexes: []string{k.Index}}
	}
	rs, err := s.store.ListResidents(ctx, f, page.Request{Limit: 1})
	if err != nil {
		return fmt.Errorf("duplicates: %w", err)
	}
	if len(rs) > 0 && rs[0].ID != k.ResidentID {
		return s.duplicateOf(ctx, c, k.Kind, rs[0])
	}
	return nil
}

// keyErr maps a store's *KeyTakenError to duplicate_resident, as c may learn it.
func (s *Service) keyErr(ctx context.Context, c identity.Caller, err error, what string) error {
	var taken *KeyTakenError
	if errors.As(err, &taken) {
		// The holder's claim may be stored a moment before its record (the
		// MongoDB adapter claims first): wait a little for the record.
		for try := 0; ; try++ {
			holder, herr := s.store.ResidentByID(ctx, taken.ResidentID)
			switch {
			case herr == nil:
				return s.duplicateOf(ctx, c, taken.Kind, holder)
			case !errors.Is(herr, apperr.ErrNotFound):
				return fmt.Errorf("%s: holder of a number: %w", what, herr)
			case try == 20:
				// Still no record: the number is taken, whose is not known.
				return s.duplicateOf(ctx, c, taken.Kind, &Resident{ID: taken.ResidentID})
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// Lookup returns a resident by id, erased or not, for other domains (progress
// records, certificates) that apply their own scope with its WardID. Its numbers
// stay sealed: only Reveal opens them.
func (s *Service) Lookup(ctx context.Context, id string) (*Resident, error) {
	return s.store.ResidentByID(ctx, id)
}

// Get returns a resident the caller may reach (volunteers on duty in its ward too).
func (s *Service) Get(ctx context.Context, c identity.Caller, id string) (*Resident, error) {
	return s.resident(ctx, c, id, true)
}

// Query is a search of a ward's residents: words of the name (diacritics and case
// ignored, each the start of a word of the name) and exact numbers.
type Query struct {
	Q, Phone, NationalID string
}

// Search lists a ward's residents (erased ones excluded) matching q, for its
// staff, admins, and volunteers on duty at one of its centres.
func (s *Service) Search(ctx context.Context, c identity.Caller, wardID string, q Query, p page.Request) ([]*Resident, string, error) {
	if _, err := s.dir.Ward(ctx, wardID); err != nil {
		return nil, "", err
	}
	if err := s.reach(ctx, c, wardID, true); err != nil {
		return nil, "", err
	}
	f := Filter{WardID: wardID, Terms: vntext.Terms(q.Q)}
	if strings.TrimSpace(q.Phone) != "" {
		v, err := NormalisePhone(q.Phone)
		if err != nil {
			return nil, "", err
		}
		f.PhoneIndexes = s.crypt.Indexes(KindPhone, v)
	}
	if strings.TrimSpace(q.NationalID) != "" {
		v, err := NormaliseNationalID(q.NationalID)
		if err != nil {
			return nil, "", err
		}
		f.NationalIndexes = s.crypt.Indexes(KindNationalID, v)
	}
	rs, err := s.store.ListResidents(ctx, f, p)
	if err != nil {
		return nil, "", fmt.Errorf("search residents: %w", err)
	}
	rs, next := page.Cut(rs, p, func(r *Resident) string { return r.ID })
	return rs, next, nil
}

// Patch changes a resident; nil fields stay. An empty Gender, Phone or
// NationalID removes it.
type Patch struct {
	FullName          *string
	BirthYear         *int
	Gender            *Gender
	Group, Notes      *string
	Phone, NationalID *string
}

// Update changes a resident of the caller's wards (staff and admins). A number
// another resident holds is duplicate_resident; an erased resident is refused.
func (s *Service) Update(ctx context.Context, c identity.Caller, id string, p Patch) (*Resident, error) {
	r, err := s.resident(ctx, c, id, false)
	if err != nil {
		return nil, err
	}
	if r.Erased() {
		return nil, errErased
	}
	if p.FullName != nil {
		r.FullName = *p.FullName
	}
	if p.BirthYear != nil {
		r.BirthYear = *p.BirthYear
	}
	if p.Gender != nil {
		r.Gender = *p.Gender
	}
	if p.Group != nil {
		r.Group = *p.Group
	}
	if p.Notes != nil {
		r.Notes = *p.Notes
	}
	now := s.timestamp()
	oldImport := s.importKey(r) // import.go
	if err := r.validate(now.In(hanoi).Year()); err != nil {
		return nil, err
	}
	before := keysOf(r)
	oldPhone, oldNational := r.Phone, r.NationalID
	after, err := s.setNumbers(r, p.Phone, p.NationalID)
	if err != nil {
		return nil, err
	}
	// An unchanged number keeps its ciphertext and claim.
	if p.Phone != nil && r.PhoneIndex != "" && keyIn(before, KindPhone, r.PhoneIndex) {
		r.Phone = oldPhone
	}
	if p.NationalID != nil && r.NationalIndex != "" && keyIn(before, KindNationalID, r.NationalIndex) {
		r.NationalID = oldNational
	}
	// A claim held already (a number kept, or sealed under an older key and
	// now moved to the current one) is not taken again; a transient one is
	// never kept.
	var add, drop []Key
	for _, k := range after {
		if !keyIn(before, k.Kind, k.Index) {
			add = append(add, k)
		}
	}
	kept := keysOf(r)
	for _, k := range before {
		if !keyIn(kept, k.Kind, k.Index) {
			drop = append(drop, k)
		}
	}
	if err := s.checkNumbers(c, len(add)); err != nil {
		return nil, err
	}
	for _, k := range add {
		if err := s.holder(ctx, c, k); err != nil {
			return nil, err
		}
	}
	if s.importKey(r) != oldImport {
		drop = append(drop, oldImport) // the row imported no longer describes r
	}
	r.UpdatedAt = now
	if err := s.store.UpdateResident(ctx, r, add, drop); err != nil {
		return nil, s.keyErr(ctx, c, err, "update resident")
	}
	return r, nil
}

func keyIn(keys []Key, kind KeyKind, index string) bool {
	for _, k := range keys {
		if k.Kind == kind && k.Index == index {
			return true
		}
	}
	return false
}

// Revealed is a resident's decrypted numbers ("" when not recorded).
type Revealed struct {
	ResidentID string
	Phone      string
	NationalID string
	Audit      *Audit
}

// checkReason trims and checks the stated reason of a reveal or an erasure.
func checkReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxReason {
		return "", apperr.Invalid("reason", "length", "Lý do từ 1 đến 500 ký tự.", "A reason has 1 to 500 characters.")
	}
	return reason, nil
}

// Reveal decrypts a resident's numbers for the staff of its ward or an admin,
// after writing exactly one audit record (who, whose, when, why, which fields):
// without the record, nothing is revealed.
func (s *Service) Reveal(ctx context.Context, c identity.Caller, id, reason string) (*Revealed, error) {
	reason, err := checkReason(reason)
	if err != nil {
		return nil, err
	}
	r, err := s.resident(ctx, c, id, false)
	if err != nil {
		return nil, err
	}
	if r.Erased() {
		return nil, errErased
	}
	out := &Revealed{ResidentID: r.ID}
	fields := []string{}
	if r.Phone != nil {
		if out.Phone, err = s.crypt.Open(r.ID, KindPhone, r.Phone); errors.Is(err, ErrUnknownKey) {
			s.log.WarnContext(ctx, "reveal refused: a number is sealed under a data key not in the ring", "resident_id", r.ID, "err", err)
			return nil, fmt.Errorf("reveal resident %s phone (%v): %w", r.ID, err, errDataKeyUnknown)
		} else if err != nil {
			return nil, fmt.Errorf("reveal resident %s phone: %w", r.ID, err)
		}
		fields = append(fields, FieldPhone)
	}
	if r.NationalID != nil {
		if out.NationalID, err = s.crypt.Open(r.ID, KindNationalID, r.NationalID); errors.Is(err, ErrUnknownKey) {
			s.log.WarnContext(ctx, "reveal refused: a number is sealed under a data key not in the ring", "resident_id", r.ID, "err", err)
			return nil, fmt.Errorf("reveal resident %s national id (%v): %w", r.ID, err, errDataKeyUnknown)
		} else if err != nil {
			return nil, fmt.Errorf("reveal resident %s national id: %w", r.ID, err)
		}
		fields = append(fields, FieldNationalID)
	}
	out.Audit = &Audit{ID: uuid.Must(uuid.NewV7()).String(), ResidentID: r.ID, WardID: r.WardID, Action: ActionReveal,
		Fields: fields, Reason: reason, By: c.UserID, At: s.timestamp()}
	if err := s.store.AddAudit(ctx, out.Audit); err != nil {
		return nil, fmt.Errorf("audit reveal: %w", err)
	}
	return out, nil
}

// ErasedFields are the fields an erasure destroys.
var ErasedFields = []string{"full_name", "birth_year", "gender", "residential_group", "notes", FieldPhone, FieldNationalID}

// Erase destroys a resident's personal data for the staff of its ward or an
// admin: name, birth year, gender, group, notes, the numbers and their claims
// (so the numbers are free again). The anonymous record keeps its id, ward,
// consent record and creation, so counts and later records stay. An audit record
// is written; erasing again is resident_erased.
func (s *Service) Erase(ctx context.Context, c identity.Caller, id, reason string) (*Resident, error) {
	reason, err := checkReason(reason)
	if err != nil {
		return nil, err
	}
	r, err := s.resident(ctx, c, id, false)
	if err != nil {
		return nil, err
	}
	if r.Erased() {
		return nil, errErased
	}
	drop := append(keysOf(r), s.importKey(r)) // import.go
	now := s.timestamp()
	e := &Resident{ID: r.ID, WardID: r.WardID, OriginWardID: r.OriginWardID, Consent: r.Consent, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
		UpdatedAt: now, ErasedAt: &now, ErasedBy: c.UserID}
	a := &Audit{ID: uuid.Must(uuid.NewV7()).String(), ResidentID: r.ID, WardID: r.WardID, Action: ActionErase,
		Fields: ErasedFields, Reason: reason, By: c.UserID, At: now}
	// The copies go first (a failure erases nothing, and a retry does it all),
	// and again after, for a copy a request racing the erasure kept meanwhile.
	if s.forget != nil {
		if err := s.forget(ctx, r.ID); err != nil {
			return nil, fmt.Errorf("erase resident: %w", err)
		}
	}
	if err := s.store.EraseResident(ctx, e, drop, a); err != nil {
		if errors.Is(err, errErased) {
			return nil, errErased
		}
		return nil, fmt.Errorf("erase resident: %w", err)
	}
	if s.forget != nil {
		if err := s.forget(ctx, r.ID); err != nil {
			s.log.ErrorContext(ctx, "erase resident: forget the copies after the erasure", "resident_id", r.ID, "err", err)
		}
	}
	return e, nil
}

// AuditTrail lists the audit records of a ward's residents, newest first, for
// the ward's staff and admins.
func (s *Service) AuditTrail(ctx context.Context, c identity.Caller, wardID string, p page.Request) ([]*Audit, string, error) {
	if _, err := s.dir.Ward(ctx, wardID); err != nil {
		return nil, "", err
	}
	if err := s.reach(ctx, c, wardID, false); err != nil {
		return nil, "", err
	}
	as, err := s.store.ListAudit(ctx, wardID, p)
	if err != nil {
		return nil, "", fmt.Errorf("audit trail: %w", err)
	}
	as, next := page.Cut(as, p, func(a *Audit) string { return a.ID })
	return as, next, nil
}
