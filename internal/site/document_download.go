package site

import (
	"archive/zip"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"plenary/internal/blob"
	"plenary/internal/domain"
)

// documentFile sends a document's file, the latest or the revision named by {rev}, as an
// attachment under its original name. The SHA-256 is the ETag, so a client that has the file
// gets 304 Not Modified; http.ServeContent also answers ranges. The access check and the file's
// record are read first; the bytes then come from the blob store (PostgreSQL a piece per query,
// or S3) with no database connection held while the client reads. With PresignTTL set and a
// backend that can, the member is sent, after the check, to a short-lived address of the file.
func (s *Server) documentFile(w http.ResponseWriter, r *http.Request) {
	m, err := s.visibleMeeting(r, urlParam(r, "slug"))
	if err != nil {
		s.fail(w, r, err)
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
	// The service (the store, by the domain's rule) checks that the actor may read the file.
	line, err := s.svc.Documents.File(r.Context(), actorOf(r), m, urlParam(r, "doc"), rev)
	if err != nil {
		s.documentRefused(w, r, err)
		return
	}
	h := w.Header()
	// Members only: never in a shared cache, and checked again (cheaply, by ETag) every time.
	h.Set("Cache-Control", "private, no-cache")
	if s.opts.PresignTTL > 0 {
		if p, ok := s.svc.Documents.Files().Presigner(line.Backend); ok {
			u, err := p.PresignGet(r.Context(), line.BlobKey, contentDisposition(line.FileName), line.FileType, s.opts.PresignTTL)
			if err == nil {
				http.Redirect(w, r, u.String(), http.StatusFound)
				return
			}
			s.log.Warn("document download: presign", "id", requestIDOf(r), "err", err)
		}
	}
	h.Set("ETag", `"`+line.FileSHA256+`"`)
	h.Set("Content-Type", line.FileType)
	h.Set("Content-Disposition", contentDisposition(line.FileName))
	rd, err := s.svc.Documents.Open(r.Context(), line.DocumentFile)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rd.Close()
	http.ServeContent(rangeWriter{w}, r, "", line.FileAt, rd)
}

// rangeWriter lets http.ServeContent, which copies the body (the whole file, or one range of
// it) through an io.LimitedReader of the file, tell the file's reader how much it will read, so
// that the store is asked for exactly that range.
type rangeWriter struct{ http.ResponseWriter }

// ReadFrom is called by io.Copy with the io.LimitedReader that http.ServeContent makes.
func (w rangeWriter) ReadFrom(src io.Reader) (int64, error) {
	if lr, ok := src.(*io.LimitedReader); ok {
		if rd, ok := lr.R.(*blob.Reader); ok {
			if err := rd.Expect(lr.N); err != nil {
				return 0, err
			}
		}
	}
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	return io.CopyBuffer(w.ResponseWriter, onlyReader{src}, *buf)
}

// copyBuffer is the size of the reads of a file sent to a client, and so of the writes to it:
// large, so that a fast client is served in few system calls (see progressWriter).
const copyBuffer = 256 << 10

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, copyBuffer); return &b }}

func (w rangeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// onlyReader hides a reader's WriteTo, so that io.CopyBuffer uses the buffer.
type onlyReader struct{ io.Reader }

// documentArchive sends every posted document of the list (as filtered by the query), latest
// revision of each, as one ZIP archive written straight to the response: the files are stored
// as they are (already compressed) with the CRC-32 computed at upload, so nothing is read twice
// and nothing is held in memory. The list is read first; no connection is held while writing.
func (s *Server) documentArchive(w http.ResponseWriter, r *http.Request) {
	m, err := s.visibleMeeting(r, urlParam(r, "slug"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, _ := documentFilter(m, r.URL.Query())
	page, err := s.svc.Documents.Archive(r.Context(), actorOf(r), m, f)
	if err != nil {
		s.documentRefused(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", contentDisposition(m.Slug+"-documents.zip"))
	h.Set("Cache-Control", "private, no-store")
	zw := zip.NewWriter(w)
	buf := make([]byte, 32<<10)
	for _, l := range page.Lines {
		hdr := &zip.FileHeader{
			Name: archiveName(l), Method: zip.Store, Modified: l.FileAt,
			CRC32: uint32(l.FileCRC32), CompressedSize64: uint64(l.FileSize), UncompressedSize64: uint64(l.FileSize),
		}
		fw, err := zw.CreateRaw(hdr)
		if err == nil {
			err = s.copyFile(r, fw, l.DocumentFile, buf)
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

// copyFile writes a stored file to w.
func (s *Server) copyFile(r *http.Request, w io.Writer, f domain.DocumentFile, buf []byte) error {
	rd, err := s.svc.Documents.Open(r.Context(), f)
	if err != nil {
		return err
	}
	defer rd.Close()
	if err := rd.Expect(f.FileSize); err != nil {
		return err
	}
	n, err := io.CopyBuffer(w, onlyReader{rd}, buf)
	if err == nil && n != f.FileSize {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// archiveName names a document in the archive by its number and revision, with the original
// file's extension: "SG13-TD45-WP1-Rev.2.docx".
func archiveName(l domain.DocumentLine) string {
	name := strings.ReplaceAll(l.Label(), "/", "-")
	if l.FileRevision > 0 {
		name += "-" + domain.RevisionLabel(l.FileRevision)
	}
	return name + strings.ToLower(path.Ext(l.FileName))
}
