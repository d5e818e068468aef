package view

// FiguresData is the day's figures of a meeting (the figures page): counts, already formatted
// for the reader.
type FiguresData struct {
	MeetingID    int64
	MeetingSlug  string
	MeetingTitle string
	Dates        string
	// AsOf says when the figures were read; Zone names the meeting's time zone and city, in which
	// every hour is read.
	AsOf, Zone string
	// Back links to where the reader came from: the editor for the secretariat, the desk for
	// desk staff.
	BackHref, BackLabel string
	// ParticipantsHref links to the list of participants (empty when the reader may not see it).
	ParticipantsHref string
	Expected         int
	CheckedIn        int
	ToCome           int
	// Percent is the share checked in ("57 %"), empty when nobody is expected.
	Percent string
	// Elsewhere counts check-ins of registrations since cancelled or changed to remote.
	Elsewhere     int
	Organisations []FigureOrganisation
	Days          []FigureDay
}

// FigureOrganisation is one organisation's line.
type FigureOrganisation struct {
	Name      string
	Country   string
	Expected  int
	CheckedIn int
	Percent   string
}

// FigureDay is one day's check-ins, hour by hour.
type FigureDay struct {
	// ID is the day as YYYY-MM-DD (the anchor of its section).
	ID        string
	Label     string
	OfMeeting bool
	CheckedIn int
	// Cumulative counts the check-ins until the end of the day.
	Cumulative int
	Hours      []FigureHour
}

// FigureHour is one hour of a day: its label ("08:00–09:00") and its check-ins.
type FigureHour struct {
	Label     string
	CheckedIn int
}
