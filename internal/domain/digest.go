package domain

import "time"

// A focal point is told of new requests by one mail each, or by a daily digest sent at a time of
// day they choose, read in each meeting's time zone: a digest at 08:00 for a meeting in Geneva
// goes at 08:00 Geneva time, summer or winter.

// DigestAt is a time of day, in minutes after midnight (0–1439).
type DigestAt int

// ParseDigestAt reads "HH:MM" (24-hour), as an <input type="time"> sends it.
func ParseDigestAt(s string) (DigestAt, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, FieldErrors(map[string]string{"digest_at": "error.digest_time"})
	}
	return DigestAt(t.Hour()*60 + t.Minute()), nil
}

// String is the time as "HH:MM".
func (d DigestAt) String() string {
	return time.Date(2000, 1, 1, int(d)/60, int(d)%60, 0, 0, time.UTC).Format("15:04")
}

// DigestDue says, at now, which local day of a meeting in loc the digest is for, and whether
// its time has come on that day. On a day whose clock skips the time (a spring change to summer
// time at 02:00, a digest at 02:30), it is due at the same distance past midnight as time.Date
// gives: 03:30; on a day the clock passes it twice, at its first pass.
func DigestDue(now time.Time, at DigestAt, loc *time.Location) (day time.Time, due bool) {
	local := now.In(loc)
	day = time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	return day, !now.Before(DigestTime(day, at, loc))
}

// DigestTime is the instant of the digest of a local day (a date, its clock ignored) in loc.
func DigestTime(day time.Time, at DigestAt, loc *time.Location) time.Time {
	h, m := int(at)/60, int(at)%60
	t := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc)
	// time.Date does not say which pass of a repeated time it gives: take the first.
	if e := t.Add(-time.Hour).In(loc); e.Hour() == h && e.Minute() == m && e.Day() == day.Day() {
		return e
	}
	return t
}
