-- A mail's facts (its recipient's address, name and language; the registration's mode and
-- reason, the delegate, organisation and meeting; a visa request's decline reason) are recorded
-- in the transaction of the event it tells about, so that the mail says what the event did. Its
-- body is written from them after that transaction has committed, by the mail worker: nothing
-- is rendered while the event's row locks are held. Mail queued before this migration without
-- a body gets its facts from the rows as they are now.

-- +goose Up
ALTER TABLE mail_outbox ADD COLUMN facts jsonb;
UPDATE mail_outbox o SET facts = jsonb_build_object(
        'to_email', a.email, 'to_name', a.given_name || ' ' || a.family_name, 'to_language', a.language,
        'has_registration', r.id IS NOT NULL, 'mode', COALESCE(r.mode, ''), 'reason', COALESCE(r.reason, ''),
        'delegate_name', COALESCE(d.given_name || ' ' || d.family_name, ''), 'org_name', COALESCE(g.name, ''),
        'meeting_slug', COALESCE(m.slug, ''), 'meeting_title', COALESCE(m.title, '{}'::jsonb), 'city', COALESCE(m.city, ''),
        'first_day', m.first_day, 'last_day', m.last_day,
        'visa_reason', COALESCE((SELECT reason FROM visa_requests WHERE registration_id = r.id AND o.kind LIKE 'visa\_request.%'
            ORDER BY state <> 'withdrawn' DESC, id DESC LIMIT 1), ''))
    FROM accounts a, mail_outbox o2
    LEFT JOIN registrations r ON r.id = o2.registration_id
    LEFT JOIN accounts d ON d.id = r.account_id
    LEFT JOIN organisations g ON g.id = r.organisation_id
    LEFT JOIN meetings m ON m.id = r.meeting_id
    WHERE o2.id = o.id AND a.id = o.account_id AND o.state = 'queued' AND o.subject = '';

-- +goose Down
ALTER TABLE mail_outbox DROP COLUMN facts;
