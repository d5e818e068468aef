// Package service holds Plenary's use cases: the application layer between the web
// (internal/site) and the store (internal/postgres). The domain (internal/domain) says what is
// allowed; a service says what happens: which records change, which audit events are written,
// which mail goes to whom, what a change does to visa requests and memberships, and when
// anything slow (a mail body, a PDF) is rendered. The store only runs the SQL it is asked to.
//
// # The pattern every service follows
//
// One file per use-case group (registrations.go) holds the service's type, its constructor and
// the interfaces it needs of the store; one file per use case (registration_cancel.go) holds the
// use case.
//
//  1. Declare what the use case does inside its transaction as a small interface, named for the
//     service: RegistrationTx (LockRegistrations, SaveRegistrations, Audit, QueueMail, ...). Use
//     domain types and this package's types (Audit, Mail) in it, never pgx or postgres types.
//     Reads outside a transaction (lists, pages) get their own interface the same way,
//     implemented by *postgres.DB.
//  2. The service gets a RunTx[ThatInterface]: the only way to run a transaction. It runs fn in
//     one transaction, commits when fn returns nil, and runs fn again from the start on a
//     serialization failure or a deadlock (40001, 40P01). So fn must start from nothing each
//     time: assign results, never append to what a previous attempt left.
//  3. In fn, lock what the rule depends on, ask the domain (domain.Cancel, domain.CanView, a
//     domain.Capability), write, audit, queue mail (Mail: kind, recipient, registration; the
//     store keeps the facts it tells), and apply side effects, in that transaction.
//  4. Nothing slow happens while the transaction holds row locks: no mail body, no PDF. Mail is
//     queued as a Mail (kind, recipient, registration); the store records the facts it tells in
//     the outbox, and the mail worker writes its body from them after the commit. A PDF is
//     rendered before the transaction from data rechecked in it, or after commit as a job. A use
//     case that touches many rows does so in parts (Decide: DecideChunk registrations per
//     transaction), so that no request waits long for a row.
//  5. The store implements the interface on *postgres.Tx (registration_tx.go), with
//     `var _ service.RegistrationTx = (*Tx)(nil)` so that the compiler checks it.
//  6. internal/app wires it (services.go): postgres.TxFor(db, func(t *postgres.Tx)
//     service.RegistrationTx { return t }) gives the service its RunTx; the service joins
//     service.Services, which the web layer receives (site.New).
//  7. Handlers parse the request, call the service with the actor and the request's Audit, and
//     render a view model; they never open a transaction or decide which mail is sent.
//
// Registration submission is the one use case whose transaction the store runs itself: it
// batches submissions that arrive together into one transaction (RegistrationSubmitter), which
// keeps the registration throughput near a plain INSERT's. The rule of its mail is still the
// service's (SubmissionMail), and its answer is still per submission, and true.
//
// Tests of a service run it over a real database (pgtest) through app.NewServices, and assert
// the records, the audit trail and the outbox after the call, and that a refused call changed
// nothing (counts before and after).
//
// Roles are data (domain/roles.go): check a permission (actor.Can, CanFor an organisation, CanAt
// a meeting), never a role; a new role is an entry in the domain's table of roles, held through a
// row of account_roles.
package service
