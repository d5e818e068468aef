package site

import (
	"archive/zip"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"

	"plenary/internal/domain"
	"plenary/internal/postgres"
)

// documentFile sends a document's file, the latest or the revision named by {rev}, as an
// attachment under its original name. The SHA-256 is the ETag, so a client that has the file
// gets 304 Not Modified; http.ServeContent also answers ranges. The bytes stream from
// PostgreSQL a chunk at a time.
func (s *Server) documentFile(w http.ResponseWriter, r *http.Request) {
	m, err := s.meetingDetail(r.Context(), urlParam(r, "slug"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t, n, ok := domain.ParseDocRef(urlParam(r, "doc"))
	if !ok {
		s.fail(w, r, domain.Errorf(domain.NotFound, "error.doc_not_found"))
		return
	}
	rev := -1
	if v := urlParam(r, "rev"); v != "" {
		rev, err = strconv.Atoi(v)
		if err != nil || rev < 0 || rev > 10000 {
			s.fail(w, r, domain.Errorf(domain.NotFound, "error.doc_file_not_found"))
			return
		}
	}
	// The store checks that the actor may read the file.
	line, err := s.db.DocumentFile(r.Context(), actorOf(r), m.ID, t, n, rev)
	if err != nil {
		s.documentRefused(w, r, err)
		return
	}
	h := w.Header()
	h.Set("ETag", `"`+line.FileSHA256+`"`)
	// Members only: never in a shared cache, and checked again (cheaply, by ETag) every time.
	h.Set("Cache-Control", "private, no-cache")
	h.Set("Content-Type", line.FileType)
	h.Set("Content-Disposition", contentDisposition(line.FileName))
	rd := s.db.OpenContent(r.Context(), line.DocumentFile)
	defer func() {
		if err := rd.Close(); err != nil {
			s.log.Warn("document download", "id", requestIDOf(r), "err", err)
		}
	}()
	http.ServeContent(chunkWriter{w}, r, "", line.FileAt, rd)
}

// chunkWriter lets http.ServeContent, which copies the body through a 32 KB buffer, hand the
// copy to the stored file's reader instead: it writes whole chunks as they come from PostgreSQL.
type chunkWriter struct{ http.ResponseWriter }

// ReadFrom is called by io.Copy with the io.LimitedReader that http.ServeContent makes of the
// file (the whole file, or one range of it).
func (w chunkWriter) ReadFrom(src io.Reader) (int64, error) {
	if lr, ok := src.(*io.LimitedReader); ok {
		if cr, ok := lr.R.(*postgres.ContentReader); ok {
			n, err := cr.CopyTo(w.ResponseWriter, lr.N)
			lr.N -= n
			return n, err
		}
	}
	return io.Copy(w.ResponseWriter, src)
}

func (w chunkWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// documentArchive sends every posted document of the list (as filtered by the query), latest
// revision of each, as one ZIP archive written straight to the response: the files are stored
// as they are (already compressed) with the CRC-32 computed at upload, so nothing is read twice
// and nothing is held in memory.
func (s *Server) documentArchive(w http.ResponseWriter, r *http.Request) {
	m, err := s.meetingDetail(r.Context(), urlParam(r, "slug"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, _ := documentFilter(m, r.URL.Query())
	f.Sort = postgres.SortByNumber
	page, err := s.db.ArchiveDocuments(r.Context(), actorOf(r), m.StudyGroupID, f)
	if err != nil {
		s.documentRefused(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", contentDisposition(m.Slug+"-documents.zip"))
	h.Set("Cache-Control", "private, no-store")
	zw := zip.NewWriter(w)
	for _, l := range page.Lines {
		hdr := &zip.FileHeader{
			Name: archiveName(l), Method: zip.Store, Modified: l.FileAt,
			CRC32: uint32(l.FileCRC32), CompressedSize64: uint64(l.FileSize), UncompressedSize64: uint64(l.FileSize),
		}
		fw, err := zw.CreateRaw(hdr)
		if err == nil {
			rd := s.db.OpenContent(r.Context(), l.DocumentFile)
			_, err = rd.WriteTo(fw)
			if cerr := rd.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			// Half an archive is already sent: cut the connection so the client sees a failed
			// download rather than a short archive.
			s.log.Warn("document archive", "id", requestIDOf(r), "err", err)
			panic(http.ErrAbortHandler)
		}
	}
	if err := zw.Close(); err != nil {
		s.log.Warn("document archive", "id", requestIDOf(r), "err", err)
		panic(http.ErrAbortHandler)
	}
}

// archiveName names a document in the archive by its number and revision, with the original
// file's extension: "SG13-TD45-WP1-Rev.2.docx".
func archiveName(l postgres.DocumentLine) string {
	name := strings.ReplaceAll(l.Label(), "/", "-")
	if l.FileRevision > 0 {
		name += "-" + domain.RevisionLabel(l.FileRevision)
	}
	return name + strings.ToLower(path.Ext(l.FileName))
}
