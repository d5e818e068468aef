package postgres

// WakeMail has the mail notifier send a notification, as a committed transaction that queued
// mail does.
func (db *DB) WakeMail() { db.wakeMail() }
