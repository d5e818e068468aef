package service

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
