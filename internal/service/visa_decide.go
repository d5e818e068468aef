package service

import (
	"context"
	"fmt"
	"time"

	"plenary/internal/domain"
)

// issuedMail is the mail telling a delegate their letter (of its revision) is ready.
func issuedMail(v domain.VisaRequest) Mail {
	return Mail{Key: fmt.Sprintf("visa:%d:issued:%d", v.ID, v.Revision), Kind: MailVisaIssued, AccountID: v.AccountID, Registration: v.RegistrationID}
}

// Request adds a visa letter request to registration registrationID, as the domain allows
// (domain.NewVisaRequest: in person, before the deadline, a passport valid long enough), audited
// visa_request.request (and .process when the registration is approved already). The
// registration's row is locked, so a request racing a cancellation or a switch to remote either
// lands first (and is withdrawn by it) or is refused.
func (s *Visas) Request(ctx context.Context, a Audit, actor domain.Actor, registrationID int64, p domain.Passport) (domain.VisaRequest, error) {
	now := s.now()
	var v domain.VisaRequest
	err := s.tx(ctx, func(tx VisaTx) error {
		v = domain.VisaRequest{}
		regs, err := tx.LockRegistrations(ctx, []int64{registrationID})
		if err != nil {
			return err
		}
		if len(regs) == 0 || !domain.CanView(actor, regs[0]) {
			return domain.Errorf(domain.NotFound, "error.registration_not_found")
		}
		m, dl, err := tx.VisaMeeting(ctx, regs[0].MeetingID)
		if err != nil {
			return err
		}
		if p, err = tx.ChooseRepresentation(ctx, p, nil); err != nil {
			return err
		}
		if v, err = domain.NewVisaRequest(domain.VisaContext{Actor: actor, Registration: regs[0], Meeting: m, Deadline: dl, Now: now}, p); err != nil {
			return err
		}
		if v.ID, err = tx.InsertVisaRequest(ctx, v, now); err != nil {
			return err
		}
		requested := v.AuditDetail()
		requested["state"] = domain.VisaRequested
		if err := tx.Audit(ctx, a, "visa_request.request", "visa_request", []int64{v.ID}, []map[string]any{requested}); err != nil {
			return err
		}
		if v.State == domain.VisaProcessing {
			return tx.Audit(ctx, a, "visa_request.process", "visa_request", []int64{v.ID}, []map[string]any{v.AuditDetail()})
		}
		return nil
	})
	return v, err
}

// Decline declines an open request with a reason, by the secretariat (domain.DeclineVisa),
// audited visa_request.decline, and mails the delegate the reason.
func (s *Visas) Decline(ctx context.Context, a Audit, actor domain.Actor, id int64, reason string) (domain.VisaRequest, error) {
	now := s.now()
	var out domain.VisaRequest
	err := s.tx(ctx, func(tx VisaTx) error {
		vs, err := tx.LockVisaRequests(ctx, []int64{id})
		if err != nil {
			return err
		}
		if len(vs) == 0 || !domain.CanSeeVisaState(actor, vs[0]) {
			return domain.Errorf(domain.NotFound, "error.visa_not_found")
		}
		if out, err = domain.DeclineVisa(actor, vs[0], reason, now); err != nil {
			return err
		}
		if err := tx.SaveVisaDeclined(ctx, out); err != nil {
			return err
		}
		if err := tx.Audit(ctx, a, "visa_request.decline", "visa_request", []int64{id}, []map[string]any{out.AuditDetail()}); err != nil {
			return err
		}
		return tx.QueueMail(ctx, []Mail{{Key: fmt.Sprintf("visa:%d:declined", id), Kind: MailVisaDeclined,
			AccountID: out.AccountID, Registration: out.RegistrationID}})
	})
	return out, err
}

// Issue issues the letters of requests in processing, by the secretariat. The requests and what
// their letters say are read without a lock and the PDFs rendered (LetterWriter) outside any
// transaction; then one short transaction locks the requests, checks each again in the domain
// (domain.IssueVisa) and that nothing its letter states changed meanwhile (else it is refused,
// to be issued again), and stores each letter with one audit event and one mail. Requests the
// actor may not issue or that are not in processing are refused and left unchanged. Rows are
// locked, so a letter is issued once however many people press the button. A batch refused as
// a whole (the letterhead or the signatory is missing) is an error.
func (s *Visas) Issue(ctx context.Context, a Audit, actor domain.Actor, ids []int64) (VisaResult, error) {
	now := s.now()
	fail := func(err error) (VisaResult, error) { return VisaResult{Refused: map[int64]error{}}, err }
	// 1. Read without a lock, and render: a cancellation or a change of mode meanwhile is never
	// held up.
	seen, err := s.reads.VisaRequests(ctx, ids)
	if err != nil {
		return fail(err)
	}
	before, err := s.reads.LetterStamps(ctx, ids)
	if err != nil {
		return fail(err)
	}
	var drafts []domain.VisaRequest
	for _, v := range seen {
		if out, err := domain.IssueVisa(actor, v, now); err == nil && domain.CanSeeVisaState(actor, v) {
			drafts = append(drafts, out)
		}
	}
	prepared := map[int64]Letter{}
	if len(drafts) > 0 {
		ls, err := s.letters.WriteLetters(ctx, actor, drafts, now)
		if err != nil {
			return fail(err)
		}
		for _, l := range ls {
			prepared[l.VisaID] = l
		}
	}
	// 2. One short transaction: lock, check each again, store.
	var res VisaResult
	err = s.tx(ctx, func(tx VisaTx) error {
		res = VisaResult{Refused: map[int64]error{}}
		vs, err := tx.LockVisaRequests(ctx, ids)
		if err != nil {
			return err
		}
		stamps, err := tx.LetterStamps(ctx, ids)
		if err != nil {
			return err
		}
		found := map[int64]bool{}
		var issued []domain.VisaRequest
		var letters []Letter
		for _, v := range vs {
			found[v.ID] = true
			if !domain.CanSeeVisaState(actor, v) {
				res.Refused[v.ID] = domain.Errorf(domain.NotFound, "error.visa_not_found")
				continue
			}
			out, err := domain.IssueVisa(actor, v, now)
			if err != nil {
				res.Refused[v.ID] = err
				continue
			}
			l, ok := prepared[v.ID]
			if !ok || l.Revision != out.Revision || before[v.ID] != stamps[v.ID] {
				res.Refused[v.ID] = domain.Errorf(domain.Conflict, "error.visa_changed_meanwhile")
				continue
			}
			issued = append(issued, out)
			letters = append(letters, l)
			res.Done = append(res.Done, out.ID)
		}
		for _, id := range ids {
			if !found[id] {
				res.Refused[id] = domain.Errorf(domain.NotFound, "error.visa_not_found")
			}
		}
		if len(issued) == 0 {
			return nil
		}
		details := make([]map[string]any, len(issued))
		mail := make([]Mail, len(issued))
		for i, v := range issued {
			details[i] = v.AuditDetail()
			mail[i] = issuedMail(v)
		}
		if err := tx.SaveVisasIssued(ctx, issued, actor.ID, now); err != nil {
			return err
		}
		if err := tx.StoreLetters(ctx, letters); err != nil {
			return err
		}
		if err := tx.Audit(ctx, a, "visa_request.issue", "visa_request", res.Done, details); err != nil {
			return err
		}
		return tx.QueueMail(ctx, mail)
	})
	if err != nil {
		return fail(err)
	}
	return res, nil
}

// UpdatePassport changes a request's passport data (domain.UpdatePassport): the owner while it
// is open; the secretariat also once issued, which supersedes the letter and issues a new
// revision (new reference suffix, new token), mailed to the delegate. As Issue does, the new
// letter is rendered outside any transaction: the request is read and the change decided without
// a lock, the letter rendered, then one short transaction locks the request and its
// registration, decides again, checks that nothing the letter states changed meanwhile (else
// the change is refused, to be made again) and stores it all.
func (s *Visas) UpdatePassport(ctx context.Context, a Audit, actor domain.Actor, id int64, p domain.Passport) (domain.VisaRequest, error) {
	now := s.now()
	// 1. Read and decide without a lock; a change that reissues the letter renders it now.
	var draft domain.VisaRequest
	var reissue bool
	var before map[int64]LetterStamp
	err := s.tx(ctx, func(tx VisaTx) error {
		vs, err := tx.VisaRequests(ctx, []int64{id})
		if err != nil {
			return err
		}
		if draft, reissue, err = decidePassport(ctx, tx, actor, vs, p, now); err != nil || !reissue {
			return err
		}
		before, err = tx.LetterStamps(ctx, []int64{id})
		return err
	})
	if err != nil {
		return domain.VisaRequest{}, err
	}
	var letters []Letter
	if reissue {
		if letters, err = s.letters.WriteLetters(ctx, actor, []domain.VisaRequest{draft}, now); err != nil {
			return domain.VisaRequest{}, err
		}
	}
	// 2. The short write.
	var out domain.VisaRequest
	err = s.tx(ctx, func(tx VisaTx) error {
		vs, err := tx.LockVisaRequests(ctx, []int64{id})
		if err != nil {
			return err
		}
		var again bool
		if out, again, err = decidePassport(ctx, tx, actor, vs, p, now); err != nil {
			return err
		}
		if again != reissue {
			return domain.Errorf(domain.Conflict, "error.visa_changed_meanwhile")
		}
		if reissue {
			after, err := tx.LetterStamps(ctx, []int64{id})
			if err != nil {
				return err
			}
			if after[id] != before[id] || out.Revision != draft.Revision {
				return domain.Errorf(domain.Conflict, "error.visa_changed_meanwhile")
			}
		}
		if err := tx.SavePassport(ctx, out, now); err != nil {
			return err
		}
		if !reissue {
			return tx.Audit(ctx, a, "visa_request.update", "visa_request", []int64{id}, []map[string]any{out.AuditDetail()})
		}
		if err := tx.SupersedeLetters(ctx, id, now); err != nil {
			return err
		}
		if err := tx.StoreLetters(ctx, letters); err != nil {
			return err
		}
		if err := tx.Audit(ctx, a, "visa_request.reissue", "visa_request", []int64{id}, []map[string]any{out.AuditDetail()}); err != nil {
			return err
		}
		return tx.QueueMail(ctx, []Mail{issuedMail(out)})
	})
	if err != nil {
		return domain.VisaRequest{}, err
	}
	return out, nil
}

// decidePassport applies the domain's rule for a change of passport data to the request read
// (vs: it, or nothing): who may, the meeting's state, the representation chosen.
func decidePassport(ctx context.Context, tx VisaTx, actor domain.Actor, vs []domain.VisaRequest, p domain.Passport, now time.Time) (domain.VisaRequest, bool, error) {
	if len(vs) == 0 || !domain.CanSeePassport(actor, vs[0]) {
		return domain.VisaRequest{}, false, domain.Errorf(domain.NotFound, "error.visa_not_found")
	}
	m, _, err := tx.VisaMeeting(ctx, vs[0].MeetingID)
	if err != nil {
		return domain.VisaRequest{}, false, err
	}
	if p, err = tx.ChooseRepresentation(ctx, p, vs[0].RepresentationID); err != nil {
		return domain.VisaRequest{}, false, err
	}
	return domain.UpdatePassport(actor, vs[0], m, p, now)
}
