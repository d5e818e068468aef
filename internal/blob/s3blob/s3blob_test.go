package s3blob_test

import (
	"testing"

	"plenary/internal/blob/blobtest"
	"plenary/internal/blob/s3blob"
	"plenary/internal/s3test"
)

// The backend against a real S3 server (SeaweedFS), with a key prefix as a shared bucket has.
func TestStore(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	st, err := s3blob.New(srv.Config("portal-a"))
	if err != nil {
		t.Fatal(err)
	}
	blobtest.Run(t, st, 0)
}
