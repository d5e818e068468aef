package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"plenary/internal/blob"
	"plenary/internal/blob/pgblob"
	"plenary/internal/blob/s3blob"
	"plenary/internal/postgres"
	"plenary/internal/service"
	"plenary/internal/site"
)

// FilesConfig says where files are stored and how transfers are bounded.
type FilesConfig struct {
	// S3 is the object storage (S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY or S3_ACCESS_KEY_FILE,
	// S3_SECRET_KEY or S3_SECRET_KEY_FILE, S3_REGION, S3_PATH_STYLE, S3_PREFIX); no endpoint
	// means none: files are kept in PostgreSQL.
	S3 s3blob.Config
	// Store is the backend new files go to (FILES_STORE: postgres or s3; default s3 when an
	// endpoint is given). Files already stored elsewhere stay readable there.
	Store string
	// PresignTTL, when not 0, sends a member's download (after the access check) to a presigned
	// address of the object valid that long (PRESIGN_TTL, e.g. 60s; S3 only; default 0: the
	// portal streams every file itself).
	PresignTTL time.Duration
	// MaxDownloads and MaxUploads bound the transfers served at once (MAX_DOWNLOADS, default
	// 2000; MAX_UPLOADS, default 200); past them, 503 with Retry-After.
	MaxDownloads, MaxUploads int
	// StallTimeout is how long a client may send or take nothing before it is dropped
	// (STALL_TIMEOUT, default 60s).
	StallTimeout time.Duration
	// UploadLease is how long an upload being stored may go without renewing its place before
	// the sweep removes it (UPLOAD_LEASE, default 2m); the sweep runs every quarter of it.
	UploadLease time.Duration
}

func loadFilesConfig(getenv func(string) string) (FilesConfig, error) {
	var c FilesConfig
	c.S3 = s3blob.Config{
		Endpoint: strings.TrimRight(getenv("S3_ENDPOINT"), "/"),
		Bucket:   getenv("S3_BUCKET"),
		Region:   getenv("S3_REGION"),
		Prefix:   getenv("S3_PREFIX"),
	}
	var err error
	if c.S3.AccessKey, err = secret(getenv, "S3_ACCESS_KEY"); err != nil {
		return c, err
	}
	if c.S3.SecretKey, err = secret(getenv, "S3_SECRET_KEY"); err != nil {
		return c, err
	}
	if v := getenv("S3_PATH_STYLE"); v != "" {
		if c.S3.PathStyle, err = strconv.ParseBool(v); err != nil {
			return c, fmt.Errorf("config: S3_PATH_STYLE=%q is not true or false", v)
		}
	}
	if c.S3.Endpoint != "" {
		if _, err := s3blob.New(c.S3); err != nil {
			return c, fmt.Errorf("config: S3_ENDPOINT, S3_BUCKET: %w", err)
		}
	}
	c.Store = getenv("FILES_STORE")
	switch {
	case c.Store == "" && c.S3.Endpoint != "":
		c.Store = "s3"
	case c.Store == "":
		c.Store = "postgres"
	case c.Store == "s3" && c.S3.Endpoint == "":
		return c, errors.New("config: FILES_STORE=s3 needs S3_ENDPOINT and S3_BUCKET")
	case c.Store != "s3" && c.Store != "postgres":
		return c, fmt.Errorf("config: FILES_STORE=%q must be postgres or s3", c.Store)
	}
	dur := func(name string, def, least time.Duration) (time.Duration, error) {
		v := getenv(name)
		if v == "" {
			return def, nil
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < least {
			return 0, fmt.Errorf("config: %s=%q must be a duration of at least %s, such as 90s", name, v, least)
		}
		return d, nil
	}
	if c.PresignTTL, err = dur("PRESIGN_TTL", 0, 0); err != nil {
		return c, err
	}
	if c.PresignTTL > 0 && (c.PresignTTL < time.Second || c.PresignTTL > time.Hour) {
		return c, fmt.Errorf("config: PRESIGN_TTL=%s must be from 1s to 1h", c.PresignTTL)
	}
	if c.StallTimeout, err = dur("STALL_TIMEOUT", 60*time.Second, time.Second); err != nil {
		return c, err
	}
	if c.UploadLease, err = dur("UPLOAD_LEASE", service.DefaultLease, time.Second); err != nil {
		return c, err
	}
	count := func(name string, def int) (int, error) {
		v := getenv(name)
		if v == "" {
			return def, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("config: %s=%q must be a number of at least 1", name, v)
		}
		return n, nil
	}
	if c.MaxDownloads, err = count("MAX_DOWNLOADS", site.DefaultMaxDownloads); err != nil {
		return c, err
	}
	if c.MaxUploads, err = count("MAX_UPLOADS", site.DefaultMaxUploads); err != nil {
		return c, err
	}
	return c, nil
}

func (c FilesConfig) print(w io.Writer) {
	s3 := "(none: files are kept in PostgreSQL)"
	if c.S3.Endpoint != "" {
		s3 = c.S3.Endpoint + " bucket " + c.S3.Bucket
		if c.S3.Prefix != "" {
			s3 += " prefix " + c.S3.Prefix
		}
		s3 += fmt.Sprintf(" region %q path-style %t key %s", c.S3.Region, c.S3.PathStyle, c.S3.AccessKey)
	}
	fmt.Fprintf(w, "S3=%s\nFILES_STORE=%s\nPRESIGN_TTL=%s\nMAX_DOWNLOADS=%d\nMAX_UPLOADS=%d\nSTALL_TIMEOUT=%s\nUPLOAD_LEASE=%s\n",
		s3, c.Store, c.PresignTTL, c.MaxDownloads, c.MaxUploads, c.StallTimeout, c.UploadLease)
}

// OpenFiles makes the blob stores and the files service over db: PostgreSQL always (files may be
// there from before), S3 when configured; new files go to the configured store.
func OpenFiles(ctx context.Context, c FilesConfig, db *postgres.DB, log *slog.Logger, maxConns int) (*service.Files, error) {
	pg := pgblob.New(db.Pool)
	var stores *blob.Stores
	if c.S3.Endpoint != "" {
		s3, err := s3blob.New(c.S3)
		if err != nil {
			return nil, err
		}
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err = s3.Check(cctx, false)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("app: object storage: %w", err)
		}
		if c.Store == "s3" {
			stores = blob.NewStores(s3, pg)
		} else {
			stores = blob.NewStores(pg, s3)
		}
	} else {
		stores = blob.NewStores(pg)
	}
	// A few files written into the store at once: enough to keep it busy, few enough that a
	// burst of uploads ending together leaves the pool to the pages.
	f := service.NewFiles(stores, db, log, max(2, maxConns/5))
	f.Lease = c.UploadLease
	return f, nil
}
