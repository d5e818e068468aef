package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"net/url"
	"strconv"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTP sends mail through one SMTP server. It keeps the connection of the last message open for
// the next (an SMTP session carries any number of messages: RSET between them), so that a worker
// sending a batch dials, greets, negotiates TLS and authenticates once, not once per message; a
// connection idle for longer than IdleTimeout is closed rather than reused.
type SMTP struct {
	host     string
	port     int
	implicit bool // TLS from the first byte (smtps)
	user     string
	password string
	// TLSConfig, when set, replaces the default TLS settings (the server's certificate checked
	// against the system's roots for host): tests use it to trust their own certificate.
	TLSConfig *tls.Config
	// Timeout bounds connecting and each command (default 30 seconds).
	Timeout time.Duration
	// IdleTimeout is how long an open connection is kept for the next message (default 20
	// seconds: servers drop idle sessions, RFC 5321 lets them after 5 minutes).
	IdleTimeout time.Duration

	mu sync.Mutex
	// idle is the connection kept open, nil for none; idleTimer closes it once it has been
	// idle for IdleTimeout.
	idle      *gomail.Client
	idleTimer *time.Timer
}

// ParseSMTPURL reads an SMTP server's URL, as SMTP_URL gives it:
//
//	smtp://[user[:password]@]host[:port]   port 25 by default. STARTTLS is used when the server
//	                                       offers it (opportunistic TLS), otherwise the connection
//	                                       stays plain: for local relays and tests.
//	smtps://[user[:password]@]host[:port]  port 465 by default, TLS from the first byte
//	                                       (implicit TLS).
//
// User and password are optional (percent-encode any reserved character in them). When they are
// given the server must offer AUTH, and PLAIN or LOGIN credentials are only ever sent over an
// encrypted connection: an smtp:// server without STARTTLS then refuses the mail rather than
// receive the password in clear.
func ParseSMTPURL(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP_URL is not a URL")
	}
	s := &SMTP{host: u.Hostname(), Timeout: 30 * time.Second}
	switch u.Scheme {
	case "smtp":
		s.port = 25
	case "smtps":
		s.port, s.implicit = 465, true
	default:
		return nil, fmt.Errorf("mail: SMTP_URL must start with smtp:// or smtps:// (got %q)", u.Scheme)
	}
	if s.host == "" {
		return nil, fmt.Errorf("mail: SMTP_URL names no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("mail: SMTP_URL port %q is not a port number", p)
		}
		s.port = n
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return nil, fmt.Errorf("mail: SMTP_URL takes no path or query")
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.password, _ = u.User.Password()
	}
	return s, nil
}

// Addr is the server's host and port.
func (s *SMTP) Addr() string { return net.JoinHostPort(s.host, strconv.Itoa(s.port)) }

// Send delivers one message: a plain-text UTF-8 body, its headers encoded so that any script
// arrives intact. It goes over the connection kept from the message before when there is one
// (a connection the server has closed meanwhile fails its check before anything is sent, and a
// new one is dialled), else over a new connection, which is kept for the next message unless
// the send failed.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg, err := s.message(m)
	if err != nil {
		return err
	}
	if c := s.take(); c != nil {
		err := s.sendOn(c, msg)
		var se *gomail.SendError
		if err == nil || !errors.As(err, &se) || se.Reason != gomail.ErrConnCheck {
			return s.sendErr(m, err)
		}
		// The kept connection was gone before the message was begun: try a new one.
	}
	c, err := s.client()
	if err != nil {
		return fmt.Errorf("mail: smtp client: %w", err)
	}
	if err := c.DialWithContext(ctx); err != nil {
		return s.sendErr(m, err)
	}
	return s.sendErr(m, s.sendOn(c, msg))
}

// sendOn sends msg over the connected c, then keeps c for the next message, or closes it when
// the send failed. A message the server took counts as sent even when what follows (its RSET)
// fails: that only costs the connection.
func (s *SMTP) sendOn(c *gomail.Client, msg *gomail.Msg) error {
	err := c.Send(msg)
	if err != nil {
		_ = c.Close()
		if msg.IsDelivered() {
			return nil
		}
		return err
	}
	s.keep(c)
	return nil
}

// sendErr says that m was not sent, and why; nil for nil.
func (s *SMTP) sendErr(m Message, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("mail: send to %s via %s: %w", m.To, s.Addr(), err)
}

// message builds the message m.
func (s *SMTP) message(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithNoDefaultUserAgent())
	if err := msg.From(m.From); err != nil {
		return nil, fmt.Errorf("mail: from %q: %w", m.From, err)
	}
	if err := msg.AddToFormat(m.ToName, m.To); err != nil {
		return nil, fmt.Errorf("mail: to %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDate()
	// RFC 3834: no out-of-office replies to an automatic message.
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	if m.Language != "" {
		msg.SetGenHeader(gomail.HeaderContentLang, m.Language)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	return msg, nil
}

// client returns a client for the server, not yet connected.
func (s *SMTP) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.port), gomail.WithTimeout(s.timeout())}
	if s.implicit {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(s.TLSConfig))
	}
	if s.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.user), gomail.WithPassword(s.password))
	}
	return gomail.NewClient(s.host, opts...)
}

// take returns the connection kept open, if any (the idle timer closes one kept for longer
// than IdleTimeout).
func (s *SMTP) take() *gomail.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.idle
	s.idle = nil
	return c
}

// keep keeps c open for the next message, closing any other kept.
func (s *SMTP) keep(c *gomail.Client) {
	s.mu.Lock()
	old := s.idle
	s.idle = c
	if s.idleTimer != nil {
		s.idleTimer.Stop()
	}
	s.idleTimer = time.AfterFunc(s.idleTimeout(), func() { s.drop(c) })
	s.mu.Unlock()
	if old != nil {
		_ = old.Close()
	}
}

// drop closes c if it is still the connection kept open.
func (s *SMTP) drop(c *gomail.Client) {
	s.mu.Lock()
	mine := s.idle == c
	if mine {
		s.idle = nil
	}
	s.mu.Unlock()
	if mine {
		_ = c.Close()
	}
}

// Close closes the connection kept open, if any (QUIT).
func (s *SMTP) Close() error {
	s.mu.Lock()
	c := s.idle
	s.idle = nil
	if s.idleTimer != nil {
		s.idleTimer.Stop()
	}
	s.mu.Unlock()
	if c == nil {
		return nil
	}
	return c.Close()
}

func (s *SMTP) idleTimeout() time.Duration {
	if s.IdleTimeout <= 0 {
		return 20 * time.Second
	}
	return s.IdleTimeout
}

// Permanent reports whether a send error is the server's permanent refusal (an SMTP 5xx reply:
// no such mailbox, refused by policy), which trying again cannot change; a 4xx reply, a network
// failure or a timeout is temporary.
func Permanent(err error) bool {
	var se *gomail.SendError
	if errors.As(err, &se) {
		return se.ErrorCode() >= 500 && se.ErrorCode() < 600
	}
	var te *textproto.Error
	return errors.As(err, &te) && te.Code >= 500 && te.Code < 600
}

func (s *SMTP) timeout() time.Duration {
	if s.Timeout <= 0 {
		return 30 * time.Second
	}
	return s.Timeout
}
