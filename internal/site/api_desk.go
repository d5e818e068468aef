package site

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"plenary/internal/domain"
	"plenary/internal/service"
)

// The scanner device API (/api/desk/...): JSON for scanners that are not browsers. A device
// presents its bearer token (Authorization: Bearer pldev_...) on every request; there is no
// session and no cookie, so no cross-site request can carry the device's authority and the
// browser's cross-origin protection does not stand in the way. Messages are in the device's
// language (Accept-Language). Errors are {"error": code, "message": text}, with "fields" for a
// request's wrong fields.

const (
	// apiMaxBody bounds a request's body: a sync of apiMaxSync scans fits.
	apiMaxBody = 1 << 20
	// apiMaxSync is the most scans one sync may bring.
	apiMaxSync = 1000
	// apiMaxNonce is the longest nonce, in bytes.
	apiMaxNonce = 128
)

// The headers of a signed list: the key's id and the Ed25519 signature (standard base64) of
// the body as sent.
const (
	headerSignature    = "Plenary-Signature"
	headerSignatureKey = "Plenary-Signature-Key"
	headerReplayed     = "Plenary-Replayed"
)

type ctxDevice struct{}

// apiLocale picks the device's language from Accept-Language.
func (s *Server) apiLocale(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := s.cat.Match("", r.Header.Get("Accept-Language"))
		w.Header().Add("Vary", "Accept-Language")
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyLang, lang)))
	})
}

// deviceAuth admits a request that carries a registered device's token, as that device.
func (s *Server) deviceAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			s.apiFail(w, r, domain.ErrDeviceToken)
			return
		}
		d, actor, err := s.svc.Devices.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		ctx := context.WithValue(r.Context(), ctxDevice{}, d)
		ctx = context.WithValue(ctx, keyActor, actor)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func deviceOf(r *http.Request) domain.Device {
	d, _ := r.Context().Value(ctxDevice{}).(domain.Device)
	return d
}

// apiError is the body of an error answer.
type apiError struct {
	Error   domain.Code       `json:"error"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// apiFail answers err as JSON: its code, its message in the device's language. Only internal
// errors are logged with detail, and their detail never reaches the device.
func (s *Server) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	t := s.translator(r)
	e, ok := domain.AsError(err)
	if !ok && s.svc.Health.BadText(err) {
		e, ok = domain.Errorf(domain.Invalid, "error.bad_form"), true
	}
	if !ok && s.svc.Health.Unavailable(err) {
		w.Header().Set("Retry-After", "5")
		s.writeJSON(w, http.StatusServiceUnavailable, apiError{Error: "unavailable", Message: t.T("error.unavailable")})
		return
	}
	if !ok || e.Code == domain.Internal {
		s.log.Error("internal error", "id", requestIDOf(r), "path", r.URL.Path, "err", err)
		s.writeJSON(w, http.StatusInternalServerError, apiError{Error: domain.Internal, Message: t.T("error.internal")})
		return
	}
	body := apiError{Error: e.Code, Message: message(t, e)}
	for f, key := range e.Fields {
		if body.Fields == nil {
			body.Fields = map[string]string{}
		}
		body.Fields[f] = t.T(key)
	}
	if e.Code == domain.Unauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="plenary"`)
	}
	s.writeJSON(w, statusOf(e.Code), body)
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.log.Error("json", "err", err)
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal","message":""}`)
	}
	writeJSONBytes(w, status, b)
}

func writeJSONBytes(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	h.Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// readJSON decodes the request's body into v: one JSON value, no unknown field.
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, apiMaxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return domain.Errorf(domain.Invalid, "api.bad_json")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return domain.Errorf(domain.Invalid, "api.bad_json")
	}
	return nil
}

func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	s.apiFail(w, r, domain.Errorf(domain.NotFound, "api.not_found"))
}

func (s *Server) apiMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	s.apiFail(w, r, &domain.Error{Code: domain.Invalid, Key: "api.method"})
}

// POST /api/desk/register {code, name}: a device exchanges its one-time code for its token.
func (s *Server) apiRegister(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Code string `json:"code"`
		Name string `json:"name"`
	}
	if err := readJSON(w, r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	if strings.TrimSpace(in.Code) == "" {
		s.apiFail(w, r, domain.FieldErrors(map[string]string{"code": "device.code_required"}))
		return
	}
	d, token, err := s.svc.Devices.Register(r.Context(), auditOf(r), in.Code, cleanText(in.Name))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, struct {
		Token   string `json:"token"`
		Device  int64  `json:"device"`
		Name    string `json:"name"`
		Meeting int64  `json:"meeting"`
	}{token, d.ID, d.Name, d.MeetingID})
}

// apiMeetingBody is what GET /api/desk/meeting answers.
type apiMeetingBody struct {
	ID         int64     `json:"id"`
	Slug       string    `json:"slug"`
	Title      string    `json:"title"`
	TimeZone   string    `json:"time_zone"`
	FirstDay   string    `json:"first_day"`
	LastDay    string    `json:"last_day"`
	Device     apiDevice `json:"device"`
	Lists      []apiList `json:"lists"`
	CurrentKey uint16    `json:"current_key"`
	Keys       []apiKey  `json:"keys"`
}

type apiDevice struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type apiList struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	MultiEntry bool   `json:"multi_entry"`
	// Exits says the list scans exits (a scanner offers "out" only then); Event is the
	// co-located event an event list admits the attendees of.
	Exits bool  `json:"exits"`
	Event int64 `json:"colocated_event,omitempty"`
}

type apiKey struct {
	ID uint16 `json:"id"`
	// Ed25519 is the public key, standard base64.
	Ed25519 string `json:"ed25519"`
}

// GET /api/desk/meeting: the device's meeting, its check-in lists and the public keys that
// verify its codes and lists.
func (s *Server) apiMeeting(w http.ResponseWriter, r *http.Request) {
	d := deviceOf(r)
	m, lists, err := s.svc.Devices.Meeting(r.Context(), actorOf(r), d.MeetingID)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	keys, err := s.svc.Desk.Keys(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	t := s.translator(r)
	body := apiMeetingBody{ID: m.ID, Slug: m.Slug, Title: m.Title.In(t.Lang.Tag), TimeZone: m.TimeZone,
		FirstDay: m.FirstDay.Format(time.DateOnly), LastDay: m.LastDay.Format(time.DateOnly),
		Device: apiDevice{ID: d.ID, Name: d.Name}, CurrentKey: keys.Current, Lists: []apiList{}}
	for _, l := range lists {
		name := l.Name.In(t.Lang.Tag)
		if name == "" && l.Kind == domain.EntryList {
			name = t.T("api.entry_list")
		}
		body.Lists = append(body.Lists, apiList{ID: l.ID, Kind: string(l.Kind), Name: name, MultiEntry: l.MultiEntry,
			Exits: l.Exits, Event: l.EventID})
	}
	ids := make([]uint16, 0, len(keys.Public))
	for id := range keys.Public {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		body.Keys = append(body.Keys, apiKey{ID: id, Ed25519: base64.StdEncoding.EncodeToString(keys.Public[id])})
	}
	s.writeJSON(w, http.StatusOK, body)
}

// apiScanIn is one scan a device sends.
type apiScanIn struct {
	Nonce     string  `json:"nonce"`
	Code      string  `json:"code"`
	ScannedAt *string `json:"scanned_at"`
	List      int64   `json:"list"`
	Direction string  `json:"direction"`
}

// apiScanOut is what became of a scan. It is made from the scan's result alone, so that the same
// nonce sent again (its first result replayed) gets the same bytes.
type apiScanOut struct {
	Nonce        string              `json:"nonce"`
	Outcome      domain.ScanOutcome  `json:"outcome,omitempty"`
	Refusal      string              `json:"refusal,omitempty"`
	Message      string              `json:"message"`
	Person       *service.ScanPerson `json:"person,omitempty"`
	First        *apiFirst           `json:"first_check_in,omitempty"`
	Registration int64               `json:"registration,omitempty"`
	Token        int64               `json:"token,omitempty"`
	List         int64               `json:"list,omitempty"`
	Scan         int64               `json:"scan,omitempty"`
	ScannedAt    *time.Time          `json:"scanned_at,omitempty"`
	// Error and Fields say why a scan of a sync was not taken (no outcome then).
	Error  domain.Code       `json:"error,omitempty"`
	Fields map[string]string `json:"fields,omitempty"`
}

// apiFirst is when and where a person was first checked in, for a duplicate.
type apiFirst struct {
	At   time.Time `json:"at"`
	Desk string    `json:"desk"`
}

// scanOf reads one scan of a device: the fields' refusals are in the device's language.
func (s *Server) scanOf(d domain.Device, in apiScanIn) (service.Scan, map[string]string) {
	bad := map[string]string{}
	if in.Nonce == "" {
		bad["nonce"] = "api.nonce_required"
	} else if len(in.Nonce) > apiMaxNonce || !printableASCII(in.Nonce) {
		bad["nonce"] = "api.nonce_invalid"
	}
	if strings.TrimSpace(in.Code) == "" {
		bad["code"] = "api.code_required"
	}
	sc := service.Scan{MeetingID: d.MeetingID, ListID: in.List, Code: cleanText(in.Code), Desk: d.Name, Nonce: in.Nonce}
	if in.ScannedAt != nil && *in.ScannedAt != "" {
		at, err := time.Parse(time.RFC3339Nano, *in.ScannedAt)
		if err != nil {
			bad["scanned_at"] = "api.scanned_at_invalid"
		}
		sc.At = at
	}
	switch in.Direction {
	case "", string(domain.Entry):
		sc.Direction = domain.Entry
	case string(domain.Exit):
		sc.Direction = domain.Exit
	default:
		bad["direction"] = "api.direction_invalid"
	}
	if in.List < 0 {
		bad["list"] = "api.list_invalid"
	}
	return sc, bad
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// scanOut is a scan's result as the device reads it.
func (s *Server) scanOut(r *http.Request, loc *time.Location, nonce string, dir domain.Direction, res service.ScanResult) apiScanOut {
	t := s.translator(r)
	at := res.At.UTC()
	out := apiScanOut{Nonce: nonce, Outcome: res.Outcome, Refusal: res.Refusal, Person: res.Person, Registration: res.Registration,
		Token: res.Token, List: res.List, Scan: res.ScanID, ScannedAt: &at}
	if err := res.Err(); err != nil {
		out.Message = deskMessage(t, err, loc)
		if res.Refusal == domain.RefuseAlready {
			f := &apiFirst{}
			switch v := res.Args["At"].(type) {
			case time.Time:
				f.At = v.UTC()
			case string:
				f.At, _ = time.Parse(time.RFC3339Nano, v)
				f.At = f.At.UTC()
			}
			f.Desk, _ = res.Args["Desk"].(string)
			out.First = f
		}
	} else if dir == domain.Exit {
		out.Message = t.T("api.exit_recorded")
	} else {
		out.Message = t.T("desk.checked_in")
	}
	return out
}

// redeem records one scan of the device and returns what the device reads of it.
func (s *Server) redeem(r *http.Request, loc *time.Location, in apiScanIn) (apiScanOut, bool, error) {
	sc, bad := s.scanOf(deviceOf(r), in)
	if len(bad) > 0 {
		return apiScanOut{}, false, domain.FieldErrors(bad)
	}
	res, err := s.svc.Desk.Redeem(r.Context(), auditOf(r), actorOf(r), sc)
	if err != nil {
		return apiScanOut{}, false, err
	}
	return s.scanOut(r, loc, in.Nonce, sc.Direction, res), res.Replayed, nil
}

func (s *Server) deviceLocation(r *http.Request) (*time.Location, error) {
	m, err := s.svc.Devices.MeetingOf(r.Context(), actorOf(r), deviceOf(r).MeetingID)
	if err != nil {
		return nil, err
	}
	return m.Location(), nil
}

// POST /api/desk/redeem {nonce, code, scanned_at?, list?, direction?}: one scan. A refusal or a
// duplicate is an outcome (200), recorded like a check-in; the same nonce again gets the first
// answer, byte for byte, with Plenary-Replayed: true.
func (s *Server) apiRedeem(w http.ResponseWriter, r *http.Request) {
	var in apiScanIn
	if err := readJSON(w, r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	loc, err := s.deviceLocation(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out, replayed, err := s.redeem(r, loc, in)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if replayed {
		w.Header().Set(headerReplayed, "true")
	}
	s.writeJSON(w, http.StatusOK, out)
}

// POST /api/desk/sync {scans: [...]}: the scans a device made offline, recorded in the order
// they were made (by scanned_at), answered in the order sent. A scan that cannot be read is
// answered with its error and the others are still recorded.
func (s *Server) apiSync(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Scans []apiScanIn `json:"scans"`
	}
	if err := readJSON(w, r, &in); err != nil {
		s.apiFail(w, r, err)
		return
	}
	if len(in.Scans) > apiMaxSync {
		s.apiFail(w, r, &domain.Error{Code: domain.Invalid, Key: "api.sync_too_many", Args: map[string]any{"Max": apiMaxSync}})
		return
	}
	loc, err := s.deviceLocation(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	order := make([]int, len(in.Scans))
	when := make([]time.Time, len(in.Scans))
	for i, sc := range in.Scans {
		order[i] = i
		if sc.ScannedAt != nil {
			when[i], _ = time.Parse(time.RFC3339Nano, *sc.ScannedAt)
		}
	}
	// Scans without a time (made now) come after those made offline.
	slices.SortStableFunc(order, func(a, b int) int {
		wa, wb := when[a], when[b]
		switch {
		case wa.IsZero() && wb.IsZero():
			return 0
		case wa.IsZero():
			return 1
		case wb.IsZero():
			return -1
		}
		return wa.Compare(wb)
	})
	t := s.translator(r)
	results := make([]apiScanOut, len(in.Scans))
	for _, i := range order {
		out, _, err := s.redeem(r, loc, in.Scans[i])
		if err != nil {
			e, ok := domain.AsError(err)
			if !ok || e.Code == domain.Internal {
				s.apiFail(w, r, err)
				return
			}
			out = apiScanOut{Nonce: in.Scans[i].Nonce, Error: e.Code, Message: message(t, e)}
			for f, key := range e.Fields {
				if out.Fields == nil {
					out.Fields = map[string]string{}
				}
				out.Fields[f] = t.T(key)
			}
		}
		results[i] = out
	}
	s.writeJSON(w, http.StatusOK, struct {
		Results []apiScanOut `json:"results"`
	}{results})
}

// GET /api/desk/valid: the meeting's valid tokens, signed, for a device that works offline.
func (s *Server) apiValid(w http.ResponseWriter, r *http.Request) {
	d := deviceOf(r)
	tokens, err := s.svc.Devices.ValidTokens(r.Context(), actorOf(r), d.MeetingID)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeSigned(w, r, struct {
		Meeting int64                `json:"meeting"`
		Tokens  []service.ValidToken `json:"tokens"`
	}{d.MeetingID, tokens})
}

// GET /api/desk/revoked: the meeting's revocation list, signed.
func (s *Server) apiRevoked(w http.ResponseWriter, r *http.Request) {
	d := deviceOf(r)
	revoked, err := s.svc.Devices.RevokedTokens(r.Context(), actorOf(r), d.MeetingID)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeSigned(w, r, struct {
		Meeting int64                  `json:"meeting"`
		Revoked []service.RevokedToken `json:"revoked"`
	}{d.MeetingID, revoked})
}

// writeSigned answers a list signed by the portal's key over its body exactly as sent (no
// newline added), with an ETag: the same list is the same bytes, so If-None-Match answers 304.
func (s *Server) writeSigned(w http.ResponseWriter, r *http.Request, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	keys, err := s.svc.Desk.Keys(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, no-cache")
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatches(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	key, sig := keys.SignList(body)
	h.Set(headerSignatureKey, strconv.Itoa(int(key)))
	h.Set(headerSignature, base64.StdEncoding.EncodeToString(sig))
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = io.Copy(w, bytes.NewReader(body))
}

// etagMatches reports whether an If-None-Match header names etag (or is *).
func etagMatches(header, etag string) bool {
	for _, part := range strings.Split(header, ",") {
		part = strings.TrimSpace(part)
		part = strings.TrimPrefix(part, "W/")
		if part == "*" || part == etag {
			return true
		}
	}
	return false
}
