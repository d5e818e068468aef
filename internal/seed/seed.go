// Package seed loads the meeting of the collective letter (SG13 working parties, Geneva, 25 July
// 2025) and, on request, demo organisations, accounts and a copy of the meeting moved into the
// future. Loading is idempotent: what exists already is left as it is.
package seed

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
	"plenary/internal/postgres"
)

//go:embed sg13-wp-2025-07.json
var letterJSON []byte

//go:embed collective-letter-sg13-wp-2025-07.zh.txt
var letterText string

// Letter is the structured content of the collective letter.
type Letter struct {
	StudyGroup struct {
		Code        string      `json:"code"`
		Title       domain.Text `json:"title"`
		Chair       string      `json:"chair"`
		Secretariat struct {
			Phone string `json:"phone"`
			Fax   string `json:"fax"`
			Email string `json:"email"`
			Web   string `json:"web"`
		} `json:"secretariat"`
		WorkingParties []struct {
			Code  string      `json:"code"`
			Title domain.Text `json:"title"`
		} `json:"working_parties"`
	} `json:"study_group"`
	Meeting struct {
		Slug             string      `json:"slug"`
		Title            domain.Text `json:"title"`
		City             string      `json:"city"`
		Venue            string      `json:"venue"`
		TimeZone         string      `json:"timezone"`
		Date             string      `json:"date"`
		ApprovedBy       string      `json:"approved_by"`
		RegistrationDesk struct {
			Opens []string `json:"opens"`
			Where string   `json:"where"`
		} `json:"registration_desk"`
		RoomAllocation      string   `json:"room_allocation"`
		Languages           []string `json:"languages"`
		Interpretation      bool     `json:"interpretation"`
		Fellowships         bool     `json:"fellowships"`
		Paperless           bool     `json:"paperless"`
		RemoteParticipation struct {
			Tool string `json:"tool"`
			Note string `json:"note"`
		} `json:"remote_participation"`
		Sessions []struct {
			WorkingParty string `json:"working_party"`
			Start        string `json:"start"`
		} `json:"sessions"`
		Deadlines []struct {
			Kind string `json:"kind"`
			Date string `json:"date"`
		} `json:"deadlines"`
		ColocatedEvents []struct {
			Title string `json:"title"`
			Start string `json:"start"`
			End   string `json:"end"`
		} `json:"colocated_events"`
		Purpose     string   `json:"purpose"`
		DraftAgenda []string `json:"draft_agenda"`
		WorkItems   []struct {
			WP       string      `json:"wp"`
			Question string      `json:"question"`
			Acronym  string      `json:"acronym"`
			Kind     string      `json:"kind"`
			Title    domain.Text `json:"title"`
		} `json:"work_items"`
	} `json:"meeting"`
}

// ParseLetter returns the embedded letter data.
func ParseLetter() (*Letter, error) {
	var l Letter
	if err := json.Unmarshal(letterJSON, &l); err != nil {
		return nil, fmt.Errorf("seed: parse letter: %w", err)
	}
	return &l, nil
}

// Chinese wording for content the JSON gives in English only, taken from the letter (the agenda
// of Annex B is in English in the letter; its Chinese is ours).
var (
	zhAgenda = []string{
		"开幕致辞和欢迎",
		"批准第1、2、3和4/13工作组全体会议议程",
		"审议报告人组会议（2025年5月至7月）的成果",
		"确定建议书草案",
		"同意建议书草案",
		"就增补达成一致",
		"就新工作项目达成一致",
		"批准即将发出的联络声明",
		"就未来活动达成一致",
		"其他事项",
		"会议闭幕",
	}
	zhColocated = []string{
		"IMT-2020 and beyond联合协调活动（JCA-IMT2020）第22次会议",
		"人工智能（包括机器学习）联合协调活动第8次会议（JCA-AI/ML）",
		"第13研究组报告人组会议",
	}
	colocatedURL = []string{
		"https://www.itu.int/en/ITU-T/jca/imt2020/Pages/default.aspx",
		"https://www.itu.int/en/ITU-T/jca/ml/Pages/default.aspx",
		"",
	}
	zhRemoteRules = "MyMeetings工具将用于为每个工作组会议提供远程参会服务。代表们必须在注册了相应的会议后，才能远程参加这些会议。根据现行规定，决定将由现场出席会议的代表做出。会议不会因为远程与会者无法连线、听不到或无法被听到而推迟或中断；如果认为远程与会者的语音质量不佳，主席可以打断远程与会者的发言。"
	zhPurpose     = "工作组会议的主要目的是考虑启动以下ITU-T建议书草案的批准程序（确定或同意），并根据2025年7月14-25日举行的报告人组会议的结果酌情考虑就增补达成一致。审议新的工作项目、即将发出的联络声明和未来计划也是会议议程的一部分。"
	// The venue, the desk and what approved the meeting as the Chinese letter words them.
	zhVenue      = "国际电联总部"
	zhDesk       = "Montbrillant大楼入口处"
	zhApprovedBy = "第13研究组会议（2025年3月3-14日，日内瓦），应第13研究组主席的请求"
	zhRoom       = "会议室分配将在国际电联总部各处的显示屏以及线上公布"
	enPractical  = "The meeting is paperless: contributions are submitted by Direct Document Posting; draft TDs are emailed to the study group secretariat using the template. Documents are available only to ITU-T members with a TIES account.\n\nWireless LAN is available in all ITU meeting rooms. Electronic lockers open with the ITU-T RFID badge (Tower building entrance level and level -1, Montbrillant building level 0). Printers are in the delegates' lounges and near all major meeting rooms; e-printing: https://itu.int/go/e-print. A few laptops can be borrowed from the ITU service desk (servicedesk@itu.int), first come, first served.\n\nVisa: apply to the Swiss representation in your country before arriving in Switzerland. Visa support letters are requested by ticking the box on the registration form at least one month before the meeting; questions to travel@itu.int with 'visa support' in the subject.\n\nVisiting Geneva: https://itu.int/en/delegates-corner. Hotel discounts and a free public transport card: https://itu.int/travel/."
	zhPractical  = "会议为无纸化会议：成员文稿通过文件直传提交；临时文件草案使用相应模板通过电子邮件提交给研究组秘书处。会议文件仅供拥有TIES访问权限的ITU-T成员使用。\n\n国际电联所有会议厅均提供无线局域网。电子储物箱可使用ITU-T RFID胸卡开关（塔楼入口层和地下一层、Montbrillant大楼零层）。代表休息处及主要会议厅附近设有打印机；电子打印：https://itu.int/go/e-print。国际电联计算机使用服务台（servicedesk@itu.int）按先到先得原则出借手提电脑。\n\n签证：请在抵达瑞士之前向驻贵国的瑞士代表机构申请签证。签证协办函须至少在会议开始一个月前通过勾选注册表上的方框申请；如有问题请发送电子邮件至travel@itu.int，并注明“visa support”。\n\n到访日内瓦：https://itu.int/en/delegates-corner。酒店折扣及免费公共交通卡：https://itu.int/travel/。"
)

// cityText is the meeting's city in the six languages: Geneva as the Chinese letter (日内瓦) and
// the United Nations name it; another city in English only.
func cityText(city string) domain.Text {
	if city == "Geneva" {
		return domain.Text{"en": "Geneva", "zh": "日内瓦", "fr": "Genève", "es": "Ginebra", "ru": "Женева", "ar": "جنيف"}
	}
	return domain.Text{"en": city}
}

// questionWP places each Question of SG13 that the letter names under its working party.
func questionWP(l *Letter) map[int]int {
	out := map[int]int{}
	for _, w := range l.Meeting.WorkItems {
		out[codeNumber(w.Question)] = codeNumber(w.WP)
	}
	return out
}

// codeNumber returns the first number in a code such as "WP1/13" or "Q20/13".
func codeNumber(code string) int {
	s := strings.TrimLeft(code, "QWPqwp")
	if i := strings.IndexByte(s, '/'); i >= 0 {
		s = s[:i]
	}
	n, _ := strconv.Atoi(s)
	return n
}

// Result says what a load did.
type Result struct {
	MeetingCreated bool
	DemoSlug       string
	DemoCreated    bool
	Accounts       []DemoAccount
}

// Load loads the letter's meeting (idempotently) and, when demo is set, the demo data.
func Load(ctx context.Context, db *postgres.DB, demo bool, now time.Time, hash func(string) (string, error)) (*Result, error) {
	l, err := ParseLetter()
	if err != nil {
		return nil, err
	}
	var res *Result
	err = db.InTx(ctx, func(tx *postgres.Tx) error {
		res = &Result{} // a retried transaction starts from nothing
		// One loader at a time: two servers starting together must not both insert. The lock is the
		// transaction's (it holds through a transaction pooler), and a wait past a minute is a
		// fault, reported rather than left hanging.
		if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '60s'`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7238001)`); err != nil {
			return err
		}
		sg, err := loadStudyGroup(ctx, tx, l)
		if err != nil {
			return err
		}
		created, err := loadMeeting(ctx, tx, l, sg)
		if err != nil {
			return err
		}
		res.MeetingCreated = created
		if !demo {
			return nil
		}
		if res.DemoSlug, res.DemoCreated, err = loadDemoMeeting(ctx, tx, l, now); err != nil {
			return err
		}
		res.Accounts, err = loadDemoAccounts(ctx, tx, sg, hash)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	return res, nil
}

func loadStudyGroup(ctx context.Context, tx pgx.Tx, l *Letter) (int64, error) {
	g := l.StudyGroup
	var sg int64
	err := tx.QueryRow(ctx, `INSERT INTO study_groups (code, title, study_period, chair, phone, fax, email, web)
		VALUES ($1, $2, '2025-2028', $3, $4, $5, $6, $7)
		ON CONFLICT (code) DO UPDATE SET code = EXCLUDED.code RETURNING id`,
		g.Code, g.Title, g.Chair, g.Secretariat.Phone, g.Secretariat.Fax, g.Secretariat.Email, g.Secretariat.Web).Scan(&sg)
	if err != nil {
		return 0, fmt.Errorf("study group: %w", err)
	}
	// The letterhead and signatory of the study group's visa support letters (the secretariat
	// changes them at /secretariat/study-groups/{id}/letter).
	if _, err := tx.Exec(ctx, `INSERT INTO letter_settings (study_group_id, secretariat_name, postal_address, signatory_name, signatory_title)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (study_group_id) DO NOTHING`, sg,
		"International Telecommunication Union, Telecommunication Standardization Bureau",
		"Place des Nations\nCH-1211 Geneva 20\nSwitzerland", "Seizo Onoe", "Director, Telecommunication Standardization Bureau"); err != nil {
		return 0, fmt.Errorf("letter settings: %w", err)
	}
	sgNum := strings.TrimPrefix(g.Code, "SG")
	for _, w := range g.WorkingParties {
		// Not ON CONFLICT: the numbers and codes are checked at commit (migration 00306), and
		// such constraints are no arbiters; the seed runs under its lock, alone.
		if _, err := tx.Exec(ctx, `INSERT INTO working_parties (study_group_id, number, code, title) SELECT $1, $2, $3, $4
			WHERE NOT EXISTS (SELECT 1 FROM working_parties WHERE study_group_id = $1 AND (number = $2 OR code = $3))`,
			sg, codeNumber(w.Code), w.Code, w.Title); err != nil {
			return 0, fmt.Errorf("working party: %w", err)
		}
	}
	qwp := questionWP(l)
	for q := 1; q <= 23; q++ {
		var wp *int
		if n, ok := qwp[q]; ok {
			wp = &n
		}
		if _, err := tx.Exec(ctx, `INSERT INTO questions (study_group_id, working_party_id, number, code)
			SELECT $1, (SELECT id FROM working_parties WHERE study_group_id = $1 AND number = $2), $3, $4
			WHERE NOT EXISTS (SELECT 1 FROM questions WHERE study_group_id = $1 AND (number = $3 OR code = $4))`,
			sg, wp, q, fmt.Sprintf("Q%d/%s", q, sgNum)); err != nil {
			return 0, fmt.Errorf("question: %w", err)
		}
	}
	return sg, nil
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s[:10])
	if err != nil {
		panic("seed: bad date " + s)
	}
	return t
}

func local(s string) time.Time {
	t, err := time.Parse("2006-01-02T15:04", s)
	if err != nil {
		panic("seed: bad time " + s)
	}
	return t
}

func loadMeeting(ctx context.Context, tx pgx.Tx, l *Letter, sg int64) (bool, error) {
	m := l.Meeting
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO meetings (slug, study_group_id, title, city, venue, time_zone, first_day, last_day,
			languages, interpretation, fellowships, paperless, remote_tool, remote_link, remote_rules, purpose, approved_by,
			desk_place, room_allocation, practical_info, collective_letter, state, published_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$7,$8,$9,$10,$11,$12,'',$13,$14,$15,$16,$17,$18,$19,'published',now())
		ON CONFLICT (slug) DO NOTHING RETURNING id`,
		m.Slug, sg, m.Title, cityText(m.City), domain.Text{"en": m.Venue, "zh": zhVenue}, m.TimeZone, day(m.Date), m.Languages, m.Interpretation, m.Fellowships,
		m.Paperless, m.RemoteParticipation.Tool,
		domain.Text{"en": m.RemoteParticipation.Note, "zh": zhRemoteRules},
		domain.Text{"en": m.Purpose, "zh": zhPurpose}, domain.Text{"en": m.ApprovedBy, "zh": zhApprovedBy},
		domain.Text{"en": m.RegistrationDesk.Where, "zh": zhDesk},
		domain.Text{"en": m.RoomAllocation, "zh": zhRoom},
		domain.Text{"en": enPractical, "zh": zhPractical}, letterText).Scan(&id)
	if err == pgx.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("meeting: %w", err)
	}
	for _, o := range m.RegistrationDesk.Opens {
		if _, err := tx.Exec(ctx, `INSERT INTO desk_openings (meeting_id, opens_at) VALUES ($1, $2)`, id, local(o)); err != nil {
			return false, fmt.Errorf("desk: %w", err)
		}
	}
	for _, s := range m.Sessions {
		if _, err := tx.Exec(ctx, `INSERT INTO meeting_sessions (meeting_id, working_party_id, starts_at)
			VALUES ($1, (SELECT id FROM working_parties WHERE study_group_id = $2 AND code = $3), $4)`,
			id, sg, s.WorkingParty, local(s.Start)); err != nil {
			return false, fmt.Errorf("session: %w", err)
		}
	}
	for _, d := range m.Deadlines {
		if _, err := tx.Exec(ctx, `INSERT INTO deadlines (meeting_id, kind, day) VALUES ($1, $2, $3)`, id, d.Kind, day(d.Date)); err != nil {
			return false, fmt.Errorf("deadline: %w", err)
		}
	}
	for i, e := range m.ColocatedEvents {
		title := domain.Text{"en": e.Title}
		if i < len(zhColocated) {
			title["zh"] = zhColocated[i]
		}
		url := ""
		if i < len(colocatedURL) {
			url = colocatedURL[i]
		}
		if _, err := tx.Exec(ctx, `INSERT INTO colocated_events (meeting_id, title, first_day, last_day, url) VALUES ($1, $2, $3, $4, $5)`,
			id, title, day(e.Start), day(e.End), url); err != nil {
			return false, fmt.Errorf("co-located event: %w", err)
		}
	}
	holds := map[int]domain.ProposedAction{4: domain.Determination, 5: domain.Consent, 6: domain.Agreement}
	for _, w := range l.StudyGroup.WorkingParties {
		for i, item := range m.DraftAgenda {
			title := domain.Text{"en": item}
			if i < len(zhAgenda) {
				title["zh"] = zhAgenda[i]
			}
			var h *string
			if a, ok := holds[i+1]; ok {
				s := string(a)
				h = &s
			}
			if _, err := tx.Exec(ctx, `INSERT INTO agenda_items (meeting_id, working_party_id, position, title, holds)
				VALUES ($1, (SELECT id FROM working_parties WHERE study_group_id = $2 AND code = $3), $4, $5, $6)`,
				id, sg, w.Code, i+1, title, h); err != nil {
				return false, fmt.Errorf("agenda item: %w", err)
			}
		}
	}
	pos := map[string]int{}
	for _, w := range m.WorkItems {
		pos[w.WP]++
		kind := domain.WorkItemKind(w.Kind)
		if _, err := tx.Exec(ctx, `INSERT INTO work_items (meeting_id, working_party_id, question_id, acronym, title, kind, action, position)
			VALUES ($1, (SELECT id FROM working_parties WHERE study_group_id = $2 AND code = $3),
				(SELECT id FROM questions WHERE study_group_id = $2 AND code = $4), $5, $6, $7, $8, $9)`,
			id, sg, w.WP, w.Question, w.Acronym, w.Title, w.Kind, string(kind.DefaultAction()), pos[w.WP]); err != nil {
			return false, fmt.Errorf("work item %s: %w", w.Acronym, err)
		}
	}
	return true, nil
}
