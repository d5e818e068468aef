package mail_test

import (
	"context"
	"crypto/tls"
	"strconv"
	"strings"
	"testing"
	"time"

	"plenary/internal/mail"
)

func TestParseSMTPURL(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		url, addr string
		ok        bool
	}{
		{"smtp://localhost", "localhost:25", true},
		{"smtp://relay.example.org:2525", "relay.example.org:2525", true},
		{"smtps://user:p%40ss@mail.example.org", "mail.example.org:465", true},
		{"smtps://user@mail.example.org:4650", "mail.example.org:4650", true},
		{"smtp://[::1]:25", "[::1]:25", true},
		{"http://mail.example.org", "", false},
		{"mail.example.org:25", "", false},
		{"smtp://", "", false},
		{"smtp://host:99999", "", false},
		{"smtp://host/path", "", false},
		{"smtp://host?tls=off", "", false},
	} {
		s, err := mail.ParseSMTPURL(c.url)
		if (err == nil) != c.ok {
			t.Errorf("ParseSMTPURL(%q): err %v, want ok=%v", c.url, err, c.ok)
			continue
		}
		if err == nil && s.Addr() != c.addr {
			t.Errorf("ParseSMTPURL(%q).Addr() = %q, want %q", c.url, s.Addr(), c.addr)
		}
		if err != nil && strings.Contains(err.Error(), "p%40ss") {
			t.Errorf("the error shows the password: %v", err)
		}
	}
}

func TestSMTPSWithImplicitTLSAndPassword(t *testing.T) {
	t.Parallel()
	serverTLS, roots := selfSigned(t)
	srv := startSMTP(t, serverTLS, map[string]string{"plenary": "s3cret:/@"})
	snd, err := mail.ParseSMTPURL("smtps://plenary:s3cret%3A%2F%40@" + srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	snd.TLSConfig = &tls.Config{RootCAs: roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	snd.Timeout = 5 * time.Second
	err = snd.Send(context.Background(), mail.Message{From: mailFrom, To: "a@example.org", Subject: "Hello", Body: "Hi\n", MessageID: "x@plenary.test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(srv.messages()) != 1 || len(srv.auths) != 1 || srv.auths[0] != "plenary" {
		t.Fatalf("messages %d, authentications %v", len(srv.messages()), srv.auths)
	}
}

func TestPasswordIsNeverSentInClear(t *testing.T) {
	t.Parallel()
	// The server offers AUTH PLAIN without TLS; the sender refuses rather than send the password.
	srv := startSMTP(t, nil, map[string]string{"plenary": "secret"})
	snd, err := mail.ParseSMTPURL("smtp://plenary:secret@" + srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	snd.Timeout = 5 * time.Second
	err = snd.Send(context.Background(), mail.Message{From: mailFrom, To: "a@example.org", Subject: "Hello", Body: "Hi\n", MessageID: "x@plenary.test"})
	if err == nil {
		t.Fatal("sent with a password over a plain connection")
	}
	if len(srv.auths) != 0 || len(srv.messages()) != 0 {
		t.Fatalf("authentications %v, messages %d", srv.auths, len(srv.messages()))
	}
}

// TestSMTPKeepsItsConnection checks that messages sent one after the other share one SMTP
// connection, that a kept connection the server has hung up is replaced without failing the
// message, and that a connection idle for longer than IdleTimeout is not reused.
func TestSMTPKeepsItsConnection(t *testing.T) {
	t.Parallel()
	srv := startSMTP(t, nil, nil)
	snd, err := mail.ParseSMTPURL("smtp://" + srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	snd.Timeout = 5 * time.Second
	t.Cleanup(func() { _ = snd.Close() })
	send := func(i int) {
		t.Helper()
		to := "d" + strconv.Itoa(i) + "@example.org"
		err := snd.Send(context.Background(), mail.Message{From: mailFrom, To: to, Subject: "Hello", Body: "Hi\n", MessageID: strconv.Itoa(i) + "@plenary.test"})
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	for i := range 5 {
		send(i)
	}
	if n, c := len(srv.messages()), srv.connections(); n != 5 || c != 1 {
		t.Fatalf("5 messages sent: %d arrived over %d connections, want 5 over 1", n, c)
	}

	// The server drops the session: the next message goes over a new connection.
	srv.hangUp()
	send(5)
	if n, c := len(srv.messages()), srv.connections(); n != 6 || c != 2 {
		t.Fatalf("after a hang-up: %d messages over %d connections, want 6 over 2", n, c)
	}

	// Idle for longer than IdleTimeout: a new connection.
	snd.IdleTimeout = 50 * time.Millisecond
	send(6)
	time.Sleep(150 * time.Millisecond)
	send(7)
	if n, c := len(srv.messages()), srv.connections(); n != 8 || c != 3 {
		t.Fatalf("after idling: %d messages over %d connections, want 8 over 3", n, c)
	}
	for i, m := range srv.messages() {
		if want := "d" + strconv.Itoa(i) + "@example.org"; len(m.To) != 1 || m.To[0] != want {
			t.Errorf("message %d went to %v, want %s", i, m.To, want)
		}
	}
}
