package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
)

// accountColumns are what pages and use cases read of an account: never its password hash, which
// only Credentials reads, to check a password.
const accountColumns = `id, email, given_name, family_name, gender, organisation_id, language, secretariat, created_at, name_order, email_verified_at`

// CreateAccount stores a new account with its password hash; a taken email (in any letter case)
// is a Conflict beside the email field.
func (db *DB) CreateAccount(ctx context.Context, a Audit, acc domain.Account, passwordHash string) (int64, error) {
	var id int64
	err := db.InTx(ctx, func(t *Tx) error {
		var err error
		if id, err = t.CreateAccount(ctx, acc, passwordHash); err != nil {
			return err
		}
		if a.ActorID == 0 {
			a.ActorID = id
		}
		return t.Audit(ctx, a, "account.create", "account", []int64{id}, []map[string]any{{"secretariat": acc.Secretariat}})
	})
	return id, err
}

// CreateAccount stores a new account with its password hash in the transaction (not audited: the
// use case audits it); a taken email (in any letter case) is a Conflict beside the email field.
func (t *Tx) CreateAccount(ctx context.Context, acc domain.Account, passwordHash string) (int64, error) {
	order := acc.NameOrder
	if !order.Valid() {
		order = domain.GivenFirst
	}
	var id int64
	err := t.QueryRow(ctx, `INSERT INTO accounts (email, password_hash, given_name, family_name, gender, organisation_id, language, secretariat,
			name_order, email_verified_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		strings.TrimSpace(acc.Email), passwordHash, acc.GivenName, acc.FamilyName, string(acc.Gender), acc.OrganisationID,
		acc.Language, acc.Secretariat, string(order), acc.EmailVerifiedAt).Scan(&id)
	if isUniqueViolation(err, "accounts_email_key") {
		return 0, domain.FieldConflicts(map[string]string{"email": "error.email_taken"})
	}
	if err != nil {
		return 0, fmt.Errorf("postgres: create account: %w", err)
	}
	return id, nil
}

// AccountByEmail finds an account by email, ignoring letter case.
func (db *DB) AccountByEmail(ctx context.Context, email string) (domain.Account, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT `+accountColumns+` FROM accounts WHERE lower(email) = lower($1)`, strings.TrimSpace(email))
	acc, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.Account])
	if err != nil {
		return acc, notFound(err, "error.account_not_found")
	}
	return acc, nil
}

// Credentials is what checking a password needs of an account (domain.Credentials).
type Credentials = domain.Credentials

// Credentials reads the password hash of the account with email (in any letter case), for
// checking a password at sign-in; nothing else reads the hash.
func (db *DB) Credentials(ctx context.Context, email string) (domain.Credentials, error) {
	var c domain.Credentials
	err := db.Pool.QueryRow(ctx, `SELECT id, password_hash FROM accounts WHERE lower(email) = lower($1)`,
		strings.TrimSpace(email)).Scan(&c.AccountID, &c.PasswordHash)
	if err != nil {
		return domain.Credentials{}, notFound(err, "error.account_not_found")
	}
	return c, nil
}

// Account returns the account with id.
func (db *DB) Account(ctx context.Context, id int64) (domain.Account, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1`, id)
	acc, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.Account])
	if err != nil {
		return acc, notFound(err, "error.account_not_found")
	}
	return acc, nil
}

// Actor returns the account with id and its roles, in one query.
func (db *DB) Actor(ctx context.Context, id int64) (domain.Actor, domain.Account, error) {
	a, err := db.actors.Do(ctx, id)
	if err != nil {
		return domain.Visitor, a.account, err
	}
	return a.actor, a.account, nil
}

type actorRow struct {
	actor   domain.Actor
	account domain.Account
}

// queueActors queues the query of the accounts (with their roles) that meet cond, whose one
// parameter is arg, into found.
func queueActors(b *pgx.Batch, cond string, arg any, found map[int64]actorRow) {
	b.Queue(`SELECT `+accountColumns+`,
			COALESCE((SELECT array_agg(organisation_id ORDER BY organisation_id) FROM focal_points WHERE account_id = accounts.id), '{}'),
			r.roles, r.orgs, r.meetings
		FROM accounts LEFT JOIN LATERAL (
			SELECT array_agg(role ORDER BY id) AS roles, array_agg(COALESCE(organisation_id, 0) ORDER BY id) AS orgs,
				array_agg(COALESCE(meeting_id, 0) ORDER BY id) AS meetings
			FROM account_roles WHERE account_id = accounts.id) r ON true
		WHERE `+cond, arg).Query(func(rows pgx.Rows) error {
		var acc domain.Account
		var focal, orgs, meetings []int64
		var roles []string
		_, err := pgx.ForEachRow(rows, []any{&acc.ID, &acc.Email, &acc.GivenName, &acc.FamilyName,
			&acc.Gender, &acc.OrganisationID, &acc.Language, &acc.Secretariat, &acc.CreatedAt, &acc.NameOrder, &acc.EmailVerifiedAt, &focal, &roles, &orgs, &meetings}, func() error {
			found[acc.ID] = actorRow{actor: actorOf(acc, focal, roles, orgs, meetings), account: acc}
			// The next row scans into fresh values: these now belong to the map.
			acc, focal, roles, orgs, meetings = domain.Account{}, nil, nil, nil, nil
			return nil
		})
		return err
	})
}

// actorOf builds an account's actor from the roles stored for it: the secretariat flag, the
// organisations it is a focal point of, and the rows of account_roles (role, organisation or 0,
// meeting or 0).
func actorOf(acc domain.Account, focalOf []int64, roles []string, orgs, meetings []int64) domain.Actor {
	var org int64
	if acc.OrganisationID != nil {
		org = *acc.OrganisationID
	}
	grants := make([]domain.Grant, 0, len(focalOf)+len(roles)+1)
	if acc.Secretariat {
		grants = append(grants, domain.SecretariatGrant())
	}
	for _, o := range focalOf {
		grants = append(grants, domain.FocalPointGrant(o))
	}
	for i, r := range roles {
		grants = append(grants, domain.Grant{Role: domain.RoleName(r), Organisation: orgs[i], Meeting: meetings[i]})
	}
	return domain.NewActor(acc.ID, org, grants...)
}

// actorsByID reads accounts with their roles, in one query.
func (db *DB) actorsByID(ctx context.Context, ids []int64) ([]actorRow, []error) {
	out, errs := make([]actorRow, len(ids)), make([]error, len(ids))
	found := map[int64]actorRow{}
	b := &pgx.Batch{}
	queueActors(b, `id = ANY($1)`, ids, found)
	err := db.Pool.SendBatch(ctx, b).Close()
	for i, id := range ids {
		a, ok := found[id]
		switch {
		case err != nil:
			errs[i] = fmt.Errorf("postgres: actor: %w", err)
		case !ok:
			errs[i] = domain.Errorf(domain.NotFound, "error.account_not_found")
		default:
			out[i] = a
		}
	}
	return out, errs
}

// MakeSecretariat gives an account the secretariat role.
func (db *DB) MakeSecretariat(ctx context.Context, a Audit, id int64) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE accounts SET secretariat = true WHERE id = $1`, id); err != nil {
			return fmt.Errorf("postgres: make secretariat: %w", err)
		}
		return audit(ctx, tx, a, "account.secretariat", "account", id, nil)
	})
}

// SearchAccounts finds up to limit accounts whose name or email contains q, as typed: % and _
// are letters to find, not wildcards.
func (db *DB) SearchAccounts(ctx context.Context, q string, limit int) ([]domain.AccountRef, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, email, given_name, family_name FROM accounts
		WHERE $1 = '' OR email ILIKE '%' || $2 || '%' OR (given_name || ' ' || family_name) ILIKE '%' || $2 || '%' OR display_name ILIKE '%' || $2 || '%'
		ORDER BY family_name, given_name, id LIMIT $3`, strings.TrimSpace(q), escapeLike(strings.TrimSpace(q)), limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: search accounts: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[domain.AccountRef])
}
