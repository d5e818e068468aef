package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/postgres"
)

// DemoPassword is the password of every demo account. The demo data is for trying the portal
// locally; never load it into a production database.
const DemoPassword = "plenary-demo"

// DemoAccount is a demo account and what it is for.
type DemoAccount struct {
	Email string
	Role  string
}

type demoOrg struct {
	name, kind, country string
	associateOfSG       bool
}

var demoOrgs = []demoOrg{
	{"China (People's Republic of)", "member_state", "CN", false},
	{"Switzerland (Confederation of)", "member_state", "CH", false},
	{"Example Networks Ltd.", "sector_member", "FI", false},
	{"State of Palestine", "observer", "PS", false},
	{"Université de Genève", "academia", "CH", false},
	{"Example Associate Labs", "associate", "JP", true},
}

type demoPerson struct {
	email, given, family, gender, org, lang, role string
	secretariat, focal                            bool
}

var demoPeople = []demoPerson{
	{"secretariat@plenary.test", "Sara", "Secretariat", "female", "", "en", "secretariat (TSB)", true, false},
	{"focal.ms@plenary.test", "Wei", "Zhang", "male", "China (People's Republic of)", "zh", "focal point, Member State administration (China)", false, true},
	{"delegate.ms@plenary.test", "Li", "Na", "female", "China (People's Republic of)", "zh", "delegate, Member State administration (China)", false, false},
	{"focal.sm@plenary.test", "Aino", "Virtanen", "female", "Example Networks Ltd.", "en", "focal point, Sector Member (Example Networks)", false, true},
	{"delegate.sm@plenary.test", "José", "Müller-Ñúñez", "male", "Example Networks Ltd.", "en", "delegate, Sector Member (Example Networks)", false, false},
}

// demoFirstDay is the first Friday at least 100 days after now: registration is open for about
// two months.
func demoFirstDay(now time.Time) time.Time {
	d := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 100)
	for d.Weekday() != time.Friday {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

func loadDemoMeeting(ctx context.Context, tx pgx.Tx, l *Letter, now time.Time) (string, bool, error) {
	// A demo copy that is still in the future is kept; otherwise a new one is made.
	var slug string
	err := tx.QueryRow(ctx, `SELECT slug FROM meetings WHERE slug LIKE 'sg13-wp-%' AND slug <> $1 AND first_day > $2::date + 40
		ORDER BY first_day LIMIT 1`, l.Meeting.Slug, now).Scan(&slug)
	if err == nil {
		return slug, false, nil
	}
	if err != pgx.ErrNoRows {
		return "", false, fmt.Errorf("demo meeting: %w", err)
	}
	first := demoFirstDay(now)
	slug = fmt.Sprintf("sg13-wp-%04d-%02d", first.Year(), first.Month())
	var from int64
	if err := tx.QueryRow(ctx, `SELECT id FROM meetings WHERE slug = $1`, l.Meeting.Slug).Scan(&from); err != nil {
		return "", false, fmt.Errorf("demo meeting: %w", err)
	}
	id, err := postgres.CopyMeetingAs(ctx, tx, postgres.Audit{}, from, postgres.CopySpec{Slug: slug, FirstDay: first})
	if err != nil {
		return "", false, fmt.Errorf("demo meeting: %w", err)
	}
	// The copy's deadlines follow the default rules from its new first day.
	if _, err := tx.Exec(ctx, `DELETE FROM deadlines WHERE meeting_id = $1`, id); err != nil {
		return "", false, err
	}
	// The demo's copy is open for registration: published, its texts taken as read.
	if _, err := tx.Exec(ctx, `UPDATE meetings SET remote_link = 'https://remote.plenary.test/sg13-wp', state = 'published',
			published_at = now(), review = '{}' WHERE id = $1`, id); err != nil {
		return "", false, err
	}
	return slug, true, nil
}

func loadDemoAccounts(ctx context.Context, tx pgx.Tx, sg int64, hash func(string) (string, error)) ([]DemoAccount, error) {
	for _, o := range demoOrgs {
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO organisations (name, kind, country) VALUES ($1, $2, $3)
			ON CONFLICT (lower(name)) DO UPDATE SET name = EXCLUDED.name RETURNING id`, o.name, o.kind, o.country).Scan(&id)
		if err != nil {
			return nil, fmt.Errorf("demo organisation: %w", err)
		}
		if o.associateOfSG {
			if _, err := tx.Exec(ctx, `INSERT INTO organisation_study_groups VALUES ($1, $2) ON CONFLICT DO NOTHING`, id, sg); err != nil {
				return nil, err
			}
		}
	}
	var pwHash string
	var out []DemoAccount
	for _, p := range demoPeople {
		out = append(out, DemoAccount{Email: p.email, Role: p.role})
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM accounts WHERE lower(email) = lower($1))`, p.email).Scan(&exists); err != nil {
			return nil, err
		}
		if exists {
			continue
		}
		if pwHash == "" {
			h, err := hash(DemoPassword)
			if err != nil {
				return nil, err
			}
			pwHash = h
		}
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO accounts (email, password_hash, given_name, family_name, gender, organisation_id, language, secretariat,
				email_verified_at)
			VALUES ($1, $2, $3, $4, $5, (SELECT id FROM organisations WHERE name = NULLIF($6, '')), $7, $8, now()) RETURNING id`,
			p.email, pwHash, p.given, p.family, p.gender, p.org, p.lang, p.secretariat).Scan(&id)
		if err != nil {
			return nil, fmt.Errorf("demo account: %w", err)
		}
		if p.focal {
			if _, err := tx.Exec(ctx, `INSERT INTO focal_points (organisation_id, account_id) SELECT organisation_id, id FROM accounts WHERE id = $1`, id); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
