package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"
)

// Options configures the store's connections beyond its URL.
type Options struct {
	// MaxConns caps the request pool (0: pgx's default).
	MaxConns int32
	// ExecMode is how pgx sends queries: cache_statement (pgx's default: named prepared
	// statements), cache_describe, describe_exec, exec or simple_protocol. Behind PgBouncer in
	// transaction mode (1.18: no protocol-level prepared statements) use cache_describe: each
	// query is parsed unnamed and executed in one round trip, with the parameter types read once
	// (exec and simple_protocol would send parameters as text, and cannot encode the JSON values
	// the store writes). Empty keeps what the URL says (its default_query_exec_mode), or pgx's
	// default.
	ExecMode string
	// DirectURL is a connection string reaching PostgreSQL itself, not a pooler, for the one
	// connection that listens for notifications (LISTEN lasts as long as a session, which a
	// transaction pooler does not keep). Empty: the store's URL.
	DirectURL string
}

// execModes are the pgx query execution modes by their names in connection strings.
var execModes = map[string]pgx.QueryExecMode{
	"cache_statement": pgx.QueryExecModeCacheStatement,
	"cache_describe":  pgx.QueryExecModeCacheDescribe,
	"describe_exec":   pgx.QueryExecModeDescribeExec,
	"exec":            pgx.QueryExecModeExec,
	"simple_protocol": pgx.QueryExecModeSimpleProtocol,
}

// ValidExecMode reports whether mode names a pgx query execution mode (or is empty).
func ValidExecMode(mode string) bool {
	_, ok := execModes[mode]
	return ok || mode == ""
}

// directConfig is the configuration of the listening connection.
func directConfig(url string, o Options) (*pgx.ConnConfig, error) {
	if o.DirectURL != "" {
		url = o.DirectURL
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse DATABASE_DIRECT_URL: %w", err)
	}
	return cfg, nil
}

// MeetingVersions returns every meeting's version by its address: each change of what a
// meeting's public pages show raises it (bumpMeeting), so comparing two readings tells which
// meetings changed, appeared or went, without notifications.
func (db *DB) MeetingVersions(ctx context.Context) (map[string]int64, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT slug, version FROM meetings`)
	out := map[string]int64{}
	var slug string
	var v int64
	_, err := pgx.ForEachRow(rows, []any{&slug, &v}, func() error {
		out[slug] = v
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: meeting versions: %w", err)
	}
	return out, nil
}

// Listener hears notifications on a connection of its own, never one of the request pool:
// opened from Options.DirectURL, reopened a second after it fails. Its callbacks all run on the
// goroutine of Listen.
type Listener struct {
	l     pgxlisten.Listener
	state func(err error)
	// handlers by channel, what to do once a channel is listened to (again), and the channels
	// listened to on the present connection.
	on       map[string]func(payload string)
	ready    map[string]func()
	listened map[string]bool
}

// NewListener returns a listener for the store's database. state is told when the listener
// listens to every channel (nil) and when it stops listening (why), so that what relies on
// notifications can do without them meanwhile.
func (db *DB) NewListener(state func(err error)) *Listener {
	ln := &Listener{state: state, on: map[string]func(string){}, ready: map[string]func(){}, listened: map[string]bool{}}
	ln.l.Connect = func(ctx context.Context) (*pgx.Conn, error) {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return pgx.ConnectConfig(ctx, db.direct.Copy())
	}
	ln.l.ReconnectDelay = time.Second
	// The handlers never fail: every error pgxlisten reports is of the connection, which it
	// then closes and opens again.
	ln.l.LogError = func(ctx context.Context, err error) {
		clear(ln.listened)
		if ctx.Err() == nil {
			ln.state(err)
		}
	}
	return ln
}

// Handle calls fn with each notification's payload on channel, and ready (when not nil) each
// time the channel is listened to, for what may have been missed before. Handle is called before
// Listen.
func (ln *Listener) Handle(channel string, fn func(payload string), ready func()) {
	ln.on[channel], ln.ready[channel] = fn, ready
	ln.l.Handle(channel, listenHandler{ln, channel})
}

// Listen listens until ctx ends.
func (ln *Listener) Listen(ctx context.Context) { _ = ln.l.Listen(ctx) }

type listenHandler struct {
	ln      *Listener
	channel string
}

func (h listenHandler) HandleNotification(_ context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
	h.ln.on[h.channel](n.Payload)
	return nil
}

// HandleBacklog is called once the channel is listened to.
func (h listenHandler) HandleBacklog(context.Context, string, *pgx.Conn) error {
	h.ln.listened[h.channel] = true
	if r := h.ln.ready[h.channel]; r != nil {
		r()
	}
	if len(h.ln.listened) == len(h.ln.on) {
		h.ln.state(nil)
	}
	return nil
}

// IsUnavailable reports whether err means the database cannot be reached or is not accepting
// work just now (refused or lost connections, a server shutting down or starting up), as
// opposed to a fault of the request.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
