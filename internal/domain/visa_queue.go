package domain

// VisaFilter selects the requests of the secretariat's visa queue.
type VisaFilter struct {
	MeetingID int64
	State     VisaState
	// Nationality, when set, keeps the requests of that nationality (as written in the request,
	// compared without case).
	Nationality string
}

// LetterFile is a letter's PDF with its reference.
type LetterFile struct {
	Reference string
	PDF       []byte
}
