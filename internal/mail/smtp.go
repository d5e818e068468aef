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
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTP sends mail through one SMTP server, a new connection per message.
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
// arrives intact.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithNoDefaultUserAgent())
	if err := msg.From(m.From); err != nil {
		return fmt.Errorf("mail: from %q: %w", m.From, err)
	}
	if err := msg.AddToFormat(m.ToName, m.To); err != nil {
		return fmt.Errorf("mail: to %q: %w", m.To, err)
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
	c, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return fmt.Errorf("mail: smtp client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("mail: send to %s via %s: %w", m.To, s.Addr(), err)
	}
	return nil
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
