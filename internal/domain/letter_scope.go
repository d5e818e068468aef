package domain

// LetterScope names whose visa letter settings are meant: a study group's, or one meeting's
// (which override its study group's).
type LetterScope struct {
	StudyGroupID int64
	MeetingID    int64
}

// SignatureChange says what a save of letter settings does to the signature image.
type SignatureChange int

// The signature changes.
const (
	SignatureKeep SignatureChange = iota
	SignatureReplace
	SignatureRemove
)

// CanEditLetterSettings reports whether actor may change the letterhead, signatory and language
// of the visa letters (a study group's or a meeting's).
func CanEditLetterSettings(a Actor) bool { return a.Can(ManageMeetings) }
