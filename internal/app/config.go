// Package app wires Plenary together: configuration, database, web layer and background worker.
// Main.Run starts the whole program, so tests can run it on port 0.
package app

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"plenary/internal/postgres"
)

// Config is read once from the environment at start.
type Config struct {
	// Addr is where the server listens (ADDR, default :8080).
	Addr string
	// MetricsAddr is where the Prometheus metrics are served, at /metrics (METRICS_ADDR; empty,
	// the default, serves none). It is kept off Addr so that the public cannot read them.
	MetricsAddr string
	// DatabaseURL is the PostgreSQL connection string (DATABASE_URL); empty starts a private
	// cluster under DataDir.
	DatabaseURL string
	// DatabaseDirectURL reaches PostgreSQL itself, not a pooler, for the connections that listen
	// for notifications (DATABASE_DIRECT_URL or DATABASE_DIRECT_URL_FILE; empty: DatabaseURL).
	// Behind PgBouncer in transaction mode, DATABASE_URL names PgBouncer and this the server.
	DatabaseDirectURL string
	// DBExecMode is how pgx sends queries (DB_EXEC_MODE: cache_statement, cache_describe,
	// describe_exec, exec or simple_protocol). Behind PgBouncer 1.18 in transaction mode, which
	// keeps no prepared statements, it must be cache_describe (unnamed statements, types known:
	// exec and simple_protocol send parameters as text and cannot encode the portal's JSON
	// values). Empty: cache_describe when DATABASE_DIRECT_URL names another server than
	// DATABASE_URL (which is then a pooler), else the URL's default_query_exec_mode, else
	// cache_statement.
	DBExecMode string
	// execModeDetected says DBExecMode was chosen from the URLs, for Print.
	execModeDetected bool
	// Listen has the portal LISTEN for notifications of meeting changes and queued mail
	// (DB_LISTEN, default true). Without it, each instance reads every meeting's version every
	// second and its mail worker reads the outbox every few seconds.
	Listen bool
	// DataDir holds the private cluster (DATA_DIR, default .data).
	DataDir string
	// BaseURL is the public address of the site (BASE_URL, default http://localhost:8080).
	BaseURL string
	// SecureCookies marks cookies Secure (COOKIE_SECURE; default: BASE_URL starts with https).
	SecureCookies bool
	// SMTPURL is smtp://user:pass@host:port for outgoing mail (SMTP_URL); empty keeps mail in the
	// portal for the secretariat to read.
	SMTPURL string
	// MailFrom is the sender address (MAIL_FROM).
	MailFrom string
	// LogLevel is debug, info, warn or error (LOG_LEVEL, default info).
	LogLevel string
	// DBMaxConns caps the connection pool (DB_MAX_CONNS, default 20).
	DBMaxConns int
	// DocumentMaxBytes caps the size of an uploaded document file (DOCUMENT_MAX_BYTES, default
	// 52428800, 50 MB).
	DocumentMaxBytes int64
	// VisaRetentionDays is how many days after a meeting's last day its visa requests' passport
	// data and letters are erased (VISA_RETENTION_DAYS, default 90).
	VisaRetentionDays int
	// TrustProxy takes the client's address from the last X-Forwarded-For entry, for login
	// throttling and the audit trail, when the server runs behind one reverse proxy (TRUST_PROXY,
	// default false).
	TrustProxy bool
	// MailLease is how long a mail claimed for sending stays reserved for the worker that
	// claimed it without being renewed (MAIL_LEASE, default 30s, at least 1s). The worker renews
	// it every third of it while it sends, so a slow SMTP server keeps its claim; when a portal
	// dies, another sends its mail about a lease later (the outbox is read at least once a lease).
	MailLease time.Duration
	// Files says where files are stored and how transfers are bounded (config_files.go).
	Files FilesConfig
}

// secret reads NAME, or the file named by NAME_FILE.
func secret(getenv func(string) string, name string) (string, error) {
	if f := getenv(name + "_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("config: %s_FILE: %w", name, err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return getenv(name), nil
}

// LoadConfig reads the configuration from getenv and checks it.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		Addr:        or(getenv("ADDR"), ":8080"),
		MetricsAddr: getenv("METRICS_ADDR"),
		DataDir:     or(getenv("DATA_DIR"), ".data"),
		BaseURL:     strings.TrimRight(or(getenv("BASE_URL"), "http://localhost:8080"), "/"),
		MailFrom:    or(getenv("MAIL_FROM"), "Plenary <noreply@plenary.test>"),
		LogLevel:    or(getenv("LOG_LEVEL"), "info"),
	}
	var err error
	if c.DatabaseURL, err = secret(getenv, "DATABASE_URL"); err != nil {
		return c, err
	}
	if c.SMTPURL, err = secret(getenv, "SMTP_URL"); err != nil {
		return c, err
	}
	if c.DatabaseDirectURL, err = secret(getenv, "DATABASE_DIRECT_URL"); err != nil {
		return c, err
	}
	c.DBExecMode = getenv("DB_EXEC_MODE")
	if !postgres.ValidExecMode(c.DBExecMode) {
		return c, fmt.Errorf("config: DB_EXEC_MODE=%q must be cache_statement, cache_describe, describe_exec, exec or simple_protocol", c.DBExecMode)
	}
	if c.DBExecMode == "" && c.DatabaseDirectURL != "" && c.DatabaseDirectURL != c.DatabaseURL &&
		!strings.Contains(c.DatabaseURL, "default_query_exec_mode=") {
		c.DBExecMode, c.execModeDetected = "cache_describe", true
	}
	c.Listen = true
	if v := getenv("DB_LISTEN"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("config: DB_LISTEN=%q is not true or false", v)
		}
		c.Listen = b
	}
	c.SecureCookies = strings.HasPrefix(c.BaseURL, "https://")
	if v := getenv("COOKIE_SECURE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("config: COOKIE_SECURE=%q is not true or false", v)
		}
		c.SecureCookies = b
	}
	c.DBMaxConns = 20
	if v := getenv("DB_MAX_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 {
			return c, fmt.Errorf("config: DB_MAX_CONNS=%q must be a number of at least 2", v)
		}
		c.DBMaxConns = n
	}
	c.DocumentMaxBytes = 50 << 20
	if v := getenv("DOCUMENT_MAX_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1024 {
			return c, fmt.Errorf("config: DOCUMENT_MAX_BYTES=%q must be a number of bytes, at least 1024", v)
		}
		c.DocumentMaxBytes = n
	}
	c.VisaRetentionDays = 90
	if v := getenv("VISA_RETENTION_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 3650 {
			return c, fmt.Errorf("config: VISA_RETENTION_DAYS=%q must be a number of days from 0 to 3650", v)
		}
		c.VisaRetentionDays = n
	}
	if v := getenv("TRUST_PROXY"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("config: TRUST_PROXY=%q is not true or false", v)
		}
		c.TrustProxy = b
	}
	c.MailLease = 30 * time.Second
	if v := getenv("MAIL_LEASE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > time.Hour {
			return c, fmt.Errorf("config: MAIL_LEASE=%q must be a duration from 1s to 1h, such as 30s", v)
		}
		c.MailLease = d
	}
	if c.Files, err = loadFilesConfig(getenv); err != nil {
		return c, err
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return c, fmt.Errorf("config: LOG_LEVEL=%q must be debug, info, warn or error", c.LogLevel)
	}
	if !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		return c, fmt.Errorf("config: BASE_URL=%q must start with http:// or https://", c.BaseURL)
	}
	return c, nil
}

// Print writes every setting with secrets hidden, as the server starts.
func (c Config) Print(w io.Writer) {
	db := "(private cluster under " + c.DataDir + ")"
	if c.DatabaseURL != "" {
		db = redact(c.DatabaseURL)
	}
	direct := "(DATABASE_URL)"
	if c.DatabaseDirectURL != "" {
		direct = redact(c.DatabaseDirectURL)
	}
	mode := c.DBExecMode
	switch {
	case mode == "":
		mode = "(the URL's, or cache_statement)"
	case c.execModeDetected:
		mode += " (DATABASE_URL is a pooler: DATABASE_DIRECT_URL names another server)"
	}
	smtp := "(none: mail is kept in the portal)"
	if c.SMTPURL != "" {
		smtp = redact(c.SMTPURL)
	}
	metrics := c.MetricsAddr
	if metrics == "" {
		metrics = "(none: no metrics served)"
	}
	fmt.Fprintf(w, "ADDR=%s\nMETRICS_ADDR=%s\nDATABASE_URL=%s\nDATABASE_DIRECT_URL=%s\nDB_EXEC_MODE=%s\nDB_LISTEN=%t\nDATA_DIR=%s\nBASE_URL=%s\nCOOKIE_SECURE=%t\nSMTP_URL=%s\nMAIL_FROM=%s\nLOG_LEVEL=%s\nDB_MAX_CONNS=%d\nDOCUMENT_MAX_BYTES=%d\nVISA_RETENTION_DAYS=%d\nTRUST_PROXY=%t\nMAIL_LEASE=%s\n",
		c.Addr, metrics, db, direct, mode, c.Listen, c.DataDir, c.BaseURL, c.SecureCookies, smtp, c.MailFrom, c.LogLevel, c.DBMaxConns, c.DocumentMaxBytes,
		c.VisaRetentionDays, c.TrustProxy, c.MailLease)
	c.Files.print(w)
}

// redact hides the password of a URL.
func redact(u string) string {
	at := strings.LastIndex(u, "@")
	scheme := strings.Index(u, "://")
	if at < 0 || scheme < 0 {
		return u
	}
	userinfo := u[scheme+3 : at]
	if i := strings.IndexByte(userinfo, ':'); i >= 0 {
		return u[:scheme+3] + userinfo[:i] + ":***" + u[at:]
	}
	return u
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
