// Package s3blob is the S3-compatible backend of blob.Store (Amazon S3, MinIO, SeaweedFS, Ceph,
// Garage …), through minio-go. Objects are stored under Config.Prefix in one bucket; a read is
// one ranged GET streamed to the caller, a write one PUT (multipart past 16 MiB).
package s3blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"plenary/internal/blob"
)

// Config says where the objects are.
type Config struct {
	// Endpoint is the server's address with its scheme: https://s3.eu-central-1.amazonaws.com,
	// http://127.0.0.1:8333.
	Endpoint  string
	Bucket    string
	AccessKey string
	SecretKey string
	// Region is the bucket's region; empty lets the client ask the server.
	Region string
	// PathStyle addresses the bucket in the path (http://host/bucket/key), as most servers other
	// than AWS want; false lets the client choose (virtual-host style on AWS).
	PathStyle bool
	// Prefix is put before every key, so that several portals can share a bucket.
	Prefix string
}

// partSize is the size of the parts of a multipart upload (minio-go's smallest): a write holds
// one in memory when its reader cannot be read at an offset.
const partSize = 16 << 20

// Store is the S3 backend.
type Store struct {
	c      *minio.Client
	core   minio.Core
	bucket string
	prefix string
}

// New connects to the server (nothing is sent until the first call; Check sends one).
func New(cfg Config) (*Store, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("s3blob: the endpoint %q must be http(s)://host[:port]", cfg.Endpoint)
	}
	if cfg.Bucket == "" {
		return nil, errors.New("s3blob: no bucket")
	}
	tr, err := minio.DefaultTransport(u.Scheme == "https")
	if err != nil {
		return nil, fmt.Errorf("s3blob: %w", err)
	}
	// Every download in progress has its own connection to the server.
	tr.MaxIdleConnsPerHost = 256
	lookup := minio.BucketLookupAuto
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	c, err := minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:       u.Scheme == "https",
		Region:       cfg.Region,
		BucketLookup: lookup,
		Transport:    tr,
	})
	if err != nil {
		return nil, fmt.Errorf("s3blob: %w", err)
	}
	prefix := strings.Trim(cfg.Prefix, "/")
	if prefix != "" {
		prefix += "/"
	}
	return &Store{c: c, core: minio.Core{Client: c}, bucket: cfg.Bucket, prefix: prefix}, nil
}

// Name is "s3".
func (s *Store) Name() string { return "s3" }

// Check says whether the bucket can be reached, creating it when it does not exist (as a test
// server needs; a production bucket is made beforehand with its own policy).
func (s *Store) Check(ctx context.Context, create bool) error {
	ok, err := s.c.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("s3blob: bucket %s: %w", s.bucket, err)
	}
	if !ok {
		if !create {
			return fmt.Errorf("s3blob: bucket %s does not exist", s.bucket)
		}
		if err := s.c.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{}); err != nil {
			return fmt.Errorf("s3blob: make bucket %s: %w", s.bucket, err)
		}
	}
	return nil
}

// Put uploads size bytes of r under key.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if !blob.ValidKey(key) {
		return fmt.Errorf("s3blob: put: invalid key %q", key)
	}
	_, err := s.c.PutObject(ctx, s.bucket, s.prefix+key, r, size, minio.PutObjectOptions{
		ContentType: "application/octet-stream",
		PartSize:    partSize,
	})
	if err != nil {
		return fmt.Errorf("s3blob: put %s: %w", key, err)
	}
	return nil
}

// Open reads length bytes from offset (length < 0: to the end) with one GET.
func (s *Store) Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if length == 0 {
		return io.NopCloser(bytes.NewReader(nil)), nil
	}
	var opts minio.GetObjectOptions
	var err error
	switch {
	case length > 0:
		err = opts.SetRange(offset, offset+length-1)
	case offset > 0:
		err = opts.SetRange(offset, 0)
	}
	if err != nil {
		return nil, fmt.Errorf("s3blob: open %s: %w", key, err)
	}
	body, _, _, err := s.core.GetObject(ctx, s.bucket, s.prefix+key, opts)
	if err != nil {
		return nil, s.error("open", key, err)
	}
	return body, nil
}

// Stat describes an object.
func (s *Store) Stat(ctx context.Context, key string) (blob.Info, error) {
	oi, err := s.c.StatObject(ctx, s.bucket, s.prefix+key, minio.StatObjectOptions{})
	if err != nil {
		return blob.Info{Key: key}, s.error("stat", key, err)
	}
	return blob.Info{Key: key, Size: oi.Size, Modified: oi.LastModified}, nil
}

// Delete removes an object.
func (s *Store) Delete(ctx context.Context, key string) error {
	err := s.c.RemoveObject(ctx, s.bucket, s.prefix+key, minio.RemoveObjectOptions{})
	if err != nil && !errors.Is(s.error("delete", key, err), blob.ErrNotFound) {
		return fmt.Errorf("s3blob: delete %s: %w", key, err)
	}
	return nil
}

// List calls fn for every object under prefix.
func (s *Store) List(ctx context.Context, prefix string, fn func(blob.Info) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing when fn fails
	for oi := range s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true}) {
		if oi.Err != nil {
			return fmt.Errorf("s3blob: list %s: %w", prefix, oi.Err)
		}
		if err := fn(blob.Info{Key: strings.TrimPrefix(oi.Key, s.prefix), Size: oi.Size, Modified: oi.LastModified}); err != nil {
			return err
		}
	}
	return nil
}

// PresignGet returns an address where the object can be downloaded for ttl without credentials,
// answered as an attachment of the given name and type.
func (s *Store) PresignGet(ctx context.Context, key, disposition, contentType string, ttl time.Duration) (*url.URL, error) {
	q := url.Values{}
	q.Set("response-content-disposition", disposition)
	if contentType != "" {
		q.Set("response-content-type", contentType)
	}
	u, err := s.c.PresignedGetObject(ctx, s.bucket, s.prefix+key, ttl, q)
	if err != nil {
		return nil, fmt.Errorf("s3blob: presign %s: %w", key, err)
	}
	return u, nil
}

// error names a missing object with blob.ErrNotFound.
func (s *Store) error(op, key string, err error) error {
	resp := minio.ToErrorResponse(err)
	if resp.StatusCode == http.StatusNotFound || resp.Code == "NoSuchKey" {
		return fmt.Errorf("s3blob: %s %s: %w", op, key, blob.ErrNotFound)
	}
	return fmt.Errorf("s3blob: %s %s: %w", op, key, err)
}
