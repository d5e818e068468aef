package domain

// Credentials are what checking a password at sign-in needs of an account: its id and its
// password hash. Nothing but that check reads the hash; pages and sessions never hold it.
type Credentials struct {
	AccountID    int64
	PasswordHash string
}
