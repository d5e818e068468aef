package service

import (
	"fmt"

	"plenary/internal/domain"
)

// The kinds of mail the registration use cases send.
const (
	MailRegistrationAck       = "registration.ack"       // to the delegate: received, not yet a confirmation
	MailRegistrationPending   = "registration.pending"   // to each focal point: a request to decide
	MailRegistrationApproved  = "registration.approved"  // to the delegate
	MailRegistrationRejected  = "registration.rejected"  // to the delegate, with the reason
	MailRegistrationCancelled = "registration.cancelled" // to the focal points
)

// Mail is one mail a use case queues in its transaction: which event (Key, unique per event and
// recipient, so that an event is never mailed twice), of which kind, to which account, about
// which registration. The store keeps, with it, the facts the mail tells (names, meeting, mode,
// reason) as they are in that transaction; the body is written from those facts outside any
// transaction holding locks (see doc.go).
type Mail struct {
	Key          string
	Kind         string
	AccountID    int64
	Registration int64
}

// SubmissionMail is the mail of a registration newly pending or approved, new or changed: the
// approval to the delegate, or an acknowledgement to the delegate and a request to decide to each
// of focalPoints but the delegate. Its event keys follow "reg:<registration id>:" with what
// happened and when (a registration pending again after a change of mode is mailed again) and,
// for a request to decide, to which focal point.
func SubmissionMail(r domain.Registration, focalPoints []int64) []Mail {
	stamp := r.UpdatedAt.UnixNano()
	mail := func(kind, what string, to int64) Mail {
		return Mail{Key: fmt.Sprintf("reg:%d:%s", r.ID, what), Kind: kind, AccountID: to, Registration: r.ID}
	}
	if r.State == domain.Approved {
		return []Mail{mail(MailRegistrationApproved, fmt.Sprintf("approved:%d", stamp), r.AccountID)}
	}
	out := []Mail{mail(MailRegistrationAck, fmt.Sprintf("ack:%d", stamp), r.AccountID)}
	for _, fp := range focalPoints {
		if fp != r.AccountID {
			out = append(out, mail(MailRegistrationPending, fmt.Sprintf("pending:%d:%d", stamp, fp), fp))
		}
	}
	return out
}
