package pgblob_test

import (
	"testing"

	"plenary/internal/blob/blobtest"
	"plenary/internal/blob/pgblob"
	"plenary/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestStore(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	blobtest.Run(t, pgblob.New(db.Pool), pgblob.ChunkSize)
}
