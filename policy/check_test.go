package policy

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // America/New_York for the daylight-saving case, on any machine

	"github.com/gomessenger/messenger/tags"
	"github.com/google/go-cmp/cmp"
)

const ns = time.Nanosecond

var (
	jst = time.FixedZone("JST", 9*3600)
	est = time.FixedZone("EST", -5*3600)
	// T0 is the usual "now" of the tests: after every dated rule.
	T0 = day(2026, 5, 1).Add(12 * time.Hour)
)

// outcome is the part of a Decision the boundary tables compare.
type outcome struct {
	Allowed      bool
	Rule         string
	Until        time.Time
	ErrorCode    int
	ErrorSubcode int
}

func allowed(rule string, until time.Time) outcome {
	return outcome{Allowed: true, Rule: rule, Until: until}
}

func refused(rule string, code, sub int) outcome {
	return outcome{Rule: rule, ErrorCode: code, ErrorSubcode: sub}
}

func outcomeOf(d Decision) outcome {
	return outcome{d.Allowed, d.Rule, d.Until, d.ErrorCode, d.ErrorSubcode}
}

type checkCase struct {
	name string
	req  Request
	conv Conversation
	now  time.Time
	want outcome
	// reason lists substrings the Reason must contain.
	reason []string
}

func runChecks(t *testing.T, rules *Rules, tests []checkCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := rules.Check(tt.req, tt.conv, tt.now)
			if diff := cmp.Diff(tt.want, outcomeOf(d)); diff != "" {
				t.Errorf("Check() (-want +got):\n%s\nreason: %s", diff, d.Reason)
			}
			for _, s := range tt.reason {
				if !strings.Contains(d.Reason, s) {
					t.Errorf("Reason %q does not mention %q", d.Reason, s)
				}
			}
			if d.Reason == "" {
				t.Error("empty Reason")
			}
		})
	}
}

var (
	response = Request{MessagingType: Response}
	update   = Request{MessagingType: Update}
)

func tagged(t tags.Tag) Request { return Request{MessagingType: MessageTag, Tag: t} }

func TestStandardWindow(t *testing.T) {
	t.Parallel()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// 2026-03-08 is the spring change in New York: 12:00 EST + 24 h = 13:00 EDT.
	nyNoon := time.Date(2026, 3, 7, 12, 0, 0, 0, ny)
	runChecks(t, nil, []checkCase{
		{"just now", response, Conversation{LastUserMessage: T0}, T0, allowed(RuleStandardWindow, T0.Add(24*time.Hour)), nil},
		{"24h minus 1ns", response, Conversation{LastUserMessage: T0.Add(-24*time.Hour + ns)}, T0,
			allowed(RuleStandardWindow, T0.Add(ns)), nil},
		{"exactly 24h", response, Conversation{LastUserMessage: T0.Add(-24 * time.Hour)}, T0,
			refused(RuleStandardWindow, 10, 2018278), []string{"24 hours", "2026-05-01T12:00:00Z"}},
		{"24h plus 1ns", response, Conversation{LastUserMessage: T0.Add(-24*time.Hour - ns)}, T0,
			refused(RuleStandardWindow, 10, 2018278), nil},
		{"update inside", update, Conversation{LastUserMessage: T0.Add(-time.Hour)}, T0,
			allowed(RuleStandardWindow, T0.Add(23*time.Hour)), nil},
		{"update at 24h", update, Conversation{LastUserMessage: T0.Add(-24 * time.Hour)}, T0,
			refused(RuleStandardWindow, 10, 2018278), nil},
		{"never messaged", response, Conversation{}, T0,
			refused(RuleStandardWindow, 10, 2018278), []string{"LastUserMessage"}},
		{"postback opens the window", response, Conversation{LastUserAction: T0.Add(-time.Hour)}, T0,
			allowed(RuleStandardWindow, T0.Add(23*time.Hour)), nil},
		{"later action extends the window", response,
			Conversation{LastUserMessage: T0.Add(-30 * time.Hour), LastUserAction: T0.Add(-2 * time.Hour)}, T0,
			allowed(RuleStandardWindow, T0.Add(22*time.Hour)), nil},
		{"user_ref recipient", Request{MessagingType: Response, Recipient: UserRef}, Conversation{LastUserAction: T0}, T0,
			allowed(RuleStandardWindow, T0.Add(24*time.Hour)), nil},
		{"explicit PSID", Request{MessagingType: Response, Recipient: PSID}, Conversation{LastUserMessage: T0}, T0,
			allowed(RuleStandardWindow, T0.Add(24*time.Hour)), nil},
		{"zones: JST message, EST now, exactly 24h", response,
			Conversation{LastUserMessage: T0.Add(-24 * time.Hour).In(jst)}, T0.In(est),
			refused(RuleStandardWindow, 10, 2018278), nil},
		{"zones: JST message, EST now, 24h minus 1ns", response,
			Conversation{LastUserMessage: T0.Add(-24*time.Hour + ns).In(jst)}, T0.In(est),
			allowed(RuleStandardWindow, T0.Add(ns)), nil},
		{"daylight saving: 23 wall-clock hours later is inside", response,
			Conversation{LastUserMessage: nyNoon}, time.Date(2026, 3, 8, 12, 0, 0, 0, ny),
			allowed(RuleStandardWindow, time.Date(2026, 3, 8, 17, 0, 0, 0, time.UTC)), nil},
		{"daylight saving: 24 elapsed hours later is outside", response,
			Conversation{LastUserMessage: nyNoon}, time.Date(2026, 3, 8, 13, 0, 0, 0, ny),
			refused(RuleStandardWindow, 10, 2018278), nil},
	})
}

func TestMessagingTypeRequired(t *testing.T) {
	t.Parallel()
	at := day(2018, 5, 7)
	in := Conversation{LastUserMessage: at.Add(-time.Hour)}
	omitted := Request{}
	runChecks(t, nil, []checkCase{
		{"1ns before 2018-05-07: the permission ends with the date", omitted, in, at.Add(-ns), allowed(RuleStandardWindow, at), nil},
		{"at 2018-05-07", omitted, in, at, refused(RuleMessagingTypeRequired, 100, 0), []string{"messaging_type"}},
		{"at 2018-05-07 in JST (09:00)", omitted, in, at.In(jst), refused(RuleMessagingTypeRequired, 100, 0), nil},
		{"1ns before in EST", omitted, in, at.Add(-ns).In(est), allowed(RuleStandardWindow, at), nil},
		{"with messaging type the window runs on", response, in, at.Add(-ns), allowed(RuleStandardWindow, at.Add(23*time.Hour)), nil},
		{"tag without messaging type before 2018-05-07", Request{Tag: tags.ShippingUpdate}, in, at.Add(-ns),
			allowed(RuleLegacyTags, at), nil},
		{"tag without messaging type at 2018-05-07", Request{Tag: tags.ShippingUpdate}, in, at,
			refused(RuleMessagingTypeRequired, 100, 0), []string{"MESSAGE_TAG"}},
		{"phone without messaging type", Request{Recipient: Phone, PhoneNumberApproved: true}, in, T0,
			refused(RuleMessagingTypeRequired, 100, 0), nil},
		{"one-time token without messaging type is fine", Request{Recipient: OTNToken},
			Conversation{TokenIssued: T0.Add(-time.Hour)}, T0, allowed(RuleOneTimeToken, day(2027, 5, 1).Add(11*time.Hour)), nil},
		{"private reply without messaging type is fine", Request{Recipient: Comment},
			Conversation{CommentCreated: T0.Add(-time.Hour)}, T0, allowed(RulePrivateReply, T0.Add(7*24*time.Hour-time.Hour)), nil},
	})
}

func TestAdWindow(t *testing.T) {
	t.Parallel()
	ad := func(d time.Duration) Conversation {
		return Conversation{LastUserMessage: T0.Add(-d), AdReferral: T0.Add(-d)}
	}
	runChecks(t, nil, []checkCase{
		{"inside 24h: the ad window is longer", response, ad(time.Hour), T0, allowed(RuleAdWindow, T0.Add(71*time.Hour)), nil},
		{"72h minus 1ns", response, ad(72*time.Hour - ns), T0, allowed(RuleAdWindow, T0.Add(ns)), nil},
		{"exactly 72h", response, ad(72 * time.Hour), T0, refused(RuleStandardWindow, 10, 2018278), nil},
		{"ad window in JST", response, Conversation{AdReferral: T0.Add(-48 * time.Hour).In(jst)}, T0.In(est),
			allowed(RuleAdWindow, T0.Add(24*time.Hour)), nil},
	})
	longer := Default()
	if err := longer.SetWindow(RuleAdWindow, 7*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	runChecks(t, longer, []checkCase{
		{"host sets 7 days: 72h is inside", response, ad(72 * time.Hour), T0, allowed(RuleAdWindow, T0.Add(96*time.Hour)), nil},
		{"host sets 7 days: 7 days is outside", response, ad(7 * 24 * time.Hour), T0, refused(RuleStandardWindow, 10, 2018278), nil},
	})
}

func Test24Plus1(t *testing.T) {
	t.Parallel()
	cut := day(2020, 3, 4)
	closed := Conversation{LastUserMessage: cut.Add(-48 * time.Hour)}
	runChecks(t, nil, []checkCase{
		{"one more, 1ns before 2020-03-04", response, closed, cut.Add(-ns), allowed(Rule24Plus1, cut), nil},
		{"one more, 1ns before 2020-03-04 in JST", update, closed, cut.Add(-ns).In(jst), allowed(Rule24Plus1, cut), nil},
		{"not at 2020-03-04", response, closed, cut, refused(RuleStandardWindow, 10, 2018278), nil},
		{"not at 2020-03-04 in EST (19:00 the day before)", response, closed, cut.In(est), refused(RuleStandardWindow, 10, 2018278), nil},
		{"only one", response, Conversation{LastUserMessage: cut.Add(-48 * time.Hour), MessagesAfterWindow: 1}, cut.Add(-time.Hour),
			refused(RuleStandardWindow, 10, 2018278), nil},
		{"exactly 24h: window closed, the +1 applies", response, Conversation{LastUserMessage: day(2019, 1, 1)},
			day(2019, 1, 2), allowed(Rule24Plus1, cut), nil},
		{"24h minus 1ns: still the standard window", response, Conversation{LastUserMessage: day(2019, 1, 1)},
			day(2019, 1, 2).Add(-ns), allowed(RuleStandardWindow, day(2019, 1, 2)), nil},
		{"never messaged: no +1", response, Conversation{}, day(2019, 1, 1), refused(RuleStandardWindow, 10, 2018278), nil},
	})
}

func TestHumanAgent(t *testing.T) {
	t.Parallel()
	ha := Request{MessagingType: MessageTag, Tag: tags.HumanAgent, HumanAgentApproved: true}
	week := 7 * 24 * time.Hour
	intro := day(2019, 8, 29)
	runChecks(t, nil, []checkCase{
		{"7 days minus 1ns", ha, Conversation{LastUserMessage: T0.Add(-week + ns)}, T0, allowed(RuleHumanAgent, T0.Add(ns)), nil},
		{"exactly 7 days", ha, Conversation{LastUserMessage: T0.Add(-week)}, T0, refused(RuleHumanAgent, 10, 2018278), []string{"7 days"}},
		{"7 days plus 1ns", ha, Conversation{LastUserMessage: T0.Add(-week - ns)}, T0, refused(RuleHumanAgent, 10, 2018278), nil},
		{"inside 24h too", ha, Conversation{LastUserMessage: T0.Add(-time.Hour)}, T0, allowed(RuleHumanAgent, T0.Add(week-time.Hour)), nil},
		{"not approved", tagged(tags.HumanAgent), Conversation{LastUserMessage: T0.Add(-time.Hour)}, T0,
			refused(RuleHumanAgent, 10, 0), []string{"HumanAgentApproved"}},
		{"counts from the last message, not a later action", ha,
			Conversation{LastUserMessage: T0.Add(-week), LastUserAction: T0.Add(-time.Hour)}, T0, refused(RuleHumanAgent, 10, 2018278), nil},
		{"zones: 7 days exactly across JST and EST", ha, Conversation{LastUserMessage: T0.Add(-week).In(jst)}, T0.In(est),
			refused(RuleHumanAgent, 10, 2018278), nil},
		{"1ns before introduction", ha, Conversation{LastUserMessage: intro.Add(-time.Hour)}, intro.Add(-ns),
			refused(RuleNone, 100, 0), []string{"valid from 2019-08-29"}},
		{"at introduction", ha, Conversation{LastUserMessage: intro.Add(-time.Hour)}, intro,
			allowed(RuleHumanAgent, intro.Add(week-time.Hour)), nil},
	})
}

func TestCustomerFeedback(t *testing.T) {
	t.Parallel()
	cf := Request{MessagingType: MessageTag, Tag: tags.CustomerFeedback, Template: CustomerFeedbackTemplate}
	week := 7 * 24 * time.Hour
	runChecks(t, nil, []checkCase{
		{"7 days minus 1ns", cf, Conversation{LastUserMessage: T0.Add(-week + ns)}, T0, allowed(RuleCustomerFeedback, T0.Add(ns)), nil},
		{"exactly 7 days", cf, Conversation{LastUserMessage: T0.Add(-week)}, T0, refused(RuleCustomerFeedback, 10, 2018278), nil},
		{"template in other case", Request{MessagingType: MessageTag, Tag: tags.CustomerFeedback, Template: "Customer_Feedback"},
			Conversation{LastUserMessage: T0}, T0, allowed(RuleCustomerFeedback, T0.Add(week)), nil},
		{"other template", Request{MessagingType: MessageTag, Tag: tags.CustomerFeedback, Template: "generic"},
			Conversation{LastUserMessage: T0}, T0, refused(RuleCustomerFeedback, 100, 0), []string{`"customer_feedback"`}},
		{"text", tagged(tags.CustomerFeedback), Conversation{LastUserMessage: T0}, T0, refused(RuleCustomerFeedback, 100, 0), nil},
	})
}

func TestLegacyTags(t *testing.T) {
	t.Parallel()
	cut := day(2020, 3, 4)
	conv := Conversation{LastUserMessage: day(2019, 1, 1)}
	runChecks(t, nil, []checkCase{
		{"1ns before retirement, long after the window", tagged(tags.ShippingUpdate), conv, cut.Add(-ns), allowed(RuleLegacyTags, cut), nil},
		{"at retirement", tagged(tags.ShippingUpdate), conv, cut, refused(RuleLegacyTagsRetired, 100, 0),
			[]string{"2020-03-04", "POST_PURCHASE_UPDATE"}},
		{"at retirement in EST", tagged(tags.GameEvent), conv, cut.In(est), refused(RuleLegacyTagsRetired, 100, 0),
			[]string{"GAME_EVENT was retired on 2020-03-04", "none"}},
		{"1ns before retirement in JST", tagged(tags.IssueResolution), conv, cut.Add(-ns).In(jst), allowed(RuleLegacyTags, cut), nil},
		{"in 2026 the replacement is gone too", tagged(tags.ShippingUpdate), Conversation{LastUserMessage: T0}, T0,
			refused(RuleLegacyTagsRetired, 100, 0), []string{"its replacement POST_PURCHASE_UPDATE was retired on 2026-04-27", "Utility"}},
		{"unconfirmed seventeenth tag", tagged(tags.BusinessProductivity), conv, day(2019, 6, 1), allowed(RuleLegacyTags, cut), nil},
		{"never messaged", tagged(tags.TicketUpdate), Conversation{}, day(2019, 6, 1), refused(RuleLegacyTags, 10, 2018278),
			[]string{"never messaged"}},
		{"promotional", Request{MessagingType: MessageTag, Tag: tags.PaymentUpdate, Promotional: true}, conv, day(2019, 6, 1),
			refused(RuleTagsNotPromotional, 613, 2018338), []string{"promotional"}},
	})
}

func TestTags2026(t *testing.T) {
	t.Parallel()
	kill, intro := day(2026, 4, 27), day(2019, 8, 29)
	conv := Conversation{LastUserMessage: day(2019, 1, 1)}
	runChecks(t, nil, []checkCase{
		{"post purchase 1ns before the kill", tagged(tags.PostPurchaseUpdate), conv, kill.Add(-ns), allowed(RuleUpdateTags, kill), nil},
		{"post purchase at the kill", tagged(tags.PostPurchaseUpdate), conv, kill, refused(RuleTags2026Retired, 100, 0),
			[]string{"Utility Message templates"}},
		{"event update at the kill in JST (09:00)", tagged(tags.ConfirmedEventUpdate), conv, kill.In(jst), refused(RuleTags2026Retired, 100, 0), nil},
		{"account update 1ns before the kill in EST", tagged(tags.AccountUpdate), conv, kill.Add(-ns).In(est), allowed(RuleAccountUpdate, kill), nil},
		{"account update at the kill", tagged(tags.AccountUpdate), conv, kill, refused(RuleTags2026Retired, 100, 0), nil},
		{"account update as a legacy tag in 2018", tagged(tags.AccountUpdate), Conversation{LastUserMessage: day(2017, 1, 1)},
			day(2018, 6, 1), allowed(RuleAccountUpdate, kill), nil},
		{"account update survives 2020-03-04", tagged(tags.AccountUpdate), conv, day(2020, 3, 4), allowed(RuleAccountUpdate, kill), nil},
		{"event update 1ns before introduction", tagged(tags.ConfirmedEventUpdate), conv, intro.Add(-ns), refused(RuleNone, 100, 0),
			[]string{"valid from 2019-08-29"}},
		{"event update at introduction", tagged(tags.ConfirmedEventUpdate), conv, intro, allowed(RuleUpdateTags, kill), nil},
		{"promotional post purchase", Request{MessagingType: MessageTag, Tag: tags.PostPurchaseUpdate, Promotional: true}, conv, day(2025, 1, 1),
			refused(RuleTagsNotPromotional, 613, 2018338), nil},
	})
}

func TestSubscription(t *testing.T) {
	t.Parallel()
	cut := day(2020, 3, 4)
	conv := Conversation{LastUserMessage: day(2019, 1, 1)}
	nps := tagged(tags.NonPromotionalSubscription)
	news := Request{MessagingType: MessageTag, Tag: tags.NonPromotionalSubscription, NewsPage: true}
	runChecks(t, nil, []checkCase{
		{"any Page 1ns before 2020-03-04", nps, conv, cut.Add(-ns), allowed(RuleSubscription, cut), nil},
		{"not a news Page at 2020-03-04", nps, conv, cut, refused(RuleNewsMessaging, 10, 2018065), []string{"News Page Index"}},
		{"not a news Page at 2020-03-04 in JST", nps, conv, cut.In(jst), refused(RuleNewsMessaging, 10, 2018065), nil},
		{"news Page at 2020-03-04", news, conv, cut, allowed(RuleNewsMessaging, NoDeadline), nil},
		{"news Page in 2026", news, Conversation{LastUserMessage: day(2025, 1, 1)}, T0, allowed(RuleNewsMessaging, NoDeadline), nil},
		{"news Page, never messaged", news, Conversation{}, T0, refused(RuleNewsMessaging, 10, 2018278), nil},
		{"news Page, promotional", Request{MessagingType: MessageTag, Tag: tags.NonPromotionalSubscription, NewsPage: true, Promotional: true},
			conv, T0, refused(RuleTagsNotPromotional, 613, 2018338), nil},
	})
}

func TestOneTimeToken(t *testing.T) {
	t.Parallel()
	otn := Request{MessagingType: Update, Recipient: OTNToken}
	issued := day(2025, 5, 1).Add(12 * time.Hour)
	year := day(2026, 5, 1).Add(12 * time.Hour)
	leap := time.Date(2024, 2, 29, 10, 0, 0, 0, time.UTC)
	runChecks(t, nil, []checkCase{
		{"one year minus 1ns", otn, Conversation{TokenIssued: issued}, year.Add(-ns), allowed(RuleOneTimeToken, year), nil},
		{"exactly one year", otn, Conversation{TokenIssued: issued}, year, refused(RuleOneTimeToken, 100, 0), []string{"1 year"}},
		{"one year, issued in JST, checked in EST", otn, Conversation{TokenIssued: issued.In(jst)}, year.In(est),
			refused(RuleOneTimeToken, 100, 0), nil},
		{"regardless of the window", otn, Conversation{TokenIssued: issued, LastUserMessage: issued}, issued.Add(100 * 24 * time.Hour),
			allowed(RuleOneTimeToken, year), nil},
		{"used", otn, Conversation{TokenIssued: issued, TokenUsed: true}, issued.Add(time.Hour), refused(RuleOneTimeToken, 100, 0),
			[]string{"already used"}},
		{"no issue time", otn, Conversation{}, T0, refused(RuleOneTimeToken, 100, 0), []string{"TokenIssued"}},
		{"explicit earlier expiry", otn, Conversation{TokenIssued: issued, TokenExpires: issued.Add(48 * time.Hour)}, issued.Add(time.Hour),
			allowed(RuleOneTimeToken, issued.Add(48*time.Hour)), nil},
		{"explicit expiry passed", otn, Conversation{TokenIssued: issued, TokenExpires: issued.Add(48 * time.Hour)}, issued.Add(48 * time.Hour),
			refused(RuleOneTimeToken, 100, 0), nil},
		{"leap day: a calendar year in UTC", otn, Conversation{TokenIssued: leap}, leap.Add(time.Hour),
			allowed(RuleOneTimeToken, time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)), nil},
		{"as a response", Request{MessagingType: Response, Recipient: OTNToken}, Conversation{TokenIssued: issued}, issued,
			allowed(RuleOneTimeToken, year), nil},
		{"not as a tag", Request{MessagingType: MessageTag, Tag: tags.HumanAgent, Recipient: OTNToken, HumanAgentApproved: true},
			Conversation{TokenIssued: issued}, issued, refused(RuleNone, 100, 0), nil},
	})
}

func TestRecurringToken(t *testing.T) {
	t.Parallel()
	rn := Request{MessagingType: Update, Recipient: RecurringToken}
	stop := day(2026, 2, 10)
	now := stop.Add(-25 * time.Hour)
	daily := func(lastUsed time.Time) Conversation {
		return Conversation{TokenIssued: day(2025, 10, 1), TokenExpires: day(2026, 4, 1), TokenFrequency: 24 * time.Hour, TokenLastUsed: lastUsed}
	}
	exempt := Request{MessagingType: Update, Recipient: RecurringToken, RecurringExemptRegion: true}
	runChecks(t, nil, []checkCase{
		{"never used", rn, daily(time.Time{}), now, allowed(RuleRecurringToken, stop), nil},
		{"used exactly a day ago", rn, daily(now.Add(-24 * time.Hour)), now, allowed(RuleRecurringToken, stop), nil},
		{"used a day minus 1ns ago", rn, daily(now.Add(-24*time.Hour + ns)), now, refused(RuleRecurringToken, 4, 2018354),
			[]string{"next send"}},
		{"stopped", rn, Conversation{TokenIssued: day(2025, 10, 1), TokenExpires: day(2026, 4, 1), TokenStopped: true}, now,
			refused(RuleRecurringToken, 10, 1893015), nil},
		{"expired", rn, daily(time.Time{}), day(2026, 4, 1), refused(RuleRecurringDiscontinued, 100, 0), nil},
		{"expired, exempt region", exempt, daily(time.Time{}), day(2026, 4, 1), refused(RuleRecurringToken, 100, 0), nil},
		{"expiry unknown", rn, Conversation{TokenIssued: day(2025, 10, 1)}, now, refused(RuleRecurringToken, 100, 0), []string{"TokenExpires"}},
		{"1ns before discontinuation", rn, daily(time.Time{}), stop.Add(-ns), allowed(RuleRecurringToken, stop), nil},
		{"at discontinuation", rn, daily(time.Time{}), stop, refused(RuleRecurringDiscontinued, 100, 0), []string{"Marketing Messages"}},
		{"at discontinuation in EST", rn, daily(time.Time{}), stop.In(est), refused(RuleRecurringDiscontinued, 100, 0), nil},
		{"exempt region continues", exempt, daily(time.Time{}), stop, allowed(RuleRecurringToken, day(2026, 4, 1)), nil},
	})
	d := Check(rn, daily(now.Add(-time.Hour)), now)
	if want := now.Add(23 * time.Hour); !d.NotBefore.Equal(want) {
		t.Errorf("NotBefore = %v, want %v", d.NotBefore, want)
	}
	later := Default()
	if err := later.Move(RuleRecurringDiscontinued, day(2026, 6, 1), time.Time{}); err != nil {
		t.Fatal(err)
	}
	runChecks(t, later, []checkCase{
		{"host moves the discontinuation", rn, daily(time.Time{}), stop, allowed(RuleRecurringToken, day(2026, 4, 1)), nil},
	})
}

func TestPrivateReply(t *testing.T) {
	t.Parallel()
	week := 7 * 24 * time.Hour
	reply := Request{MessagingType: Response, Recipient: Comment}
	anyType := day(2019, 9, 30)
	runChecks(t, nil, []checkCase{
		{"7 days minus 1ns", reply, Conversation{CommentCreated: T0.Add(-week + ns)}, T0, allowed(RulePrivateReply, T0.Add(ns)), nil},
		{"exactly 7 days", reply, Conversation{CommentCreated: T0.Add(-week)}, T0, refused(RulePrivateReply, 100, 2018292), nil},
		{"7 days across zones", reply, Conversation{CommentCreated: T0.Add(-week).In(jst)}, T0.In(est), refused(RulePrivateReply, 100, 2018292), nil},
		{"already replied", reply, Conversation{CommentCreated: T0.Add(-time.Hour), PrivateReplySent: true}, T0,
			refused(RulePrivateReply, 10900, 0), []string{"already sent"}},
		{"visitor post", Request{MessagingType: Update, Recipient: Post}, Conversation{CommentCreated: T0.Add(-time.Hour)}, T0,
			allowed(RulePrivateReply, T0.Add(week-time.Hour)), nil},
		{"the window does not matter", reply, Conversation{CommentCreated: T0.Add(-time.Hour), LastUserMessage: T0.Add(-30 * 24 * time.Hour)}, T0,
			allowed(RulePrivateReply, T0.Add(week-time.Hour)), nil},
		{"template 1ns before 2019-09-30", Request{Recipient: Comment, Template: "generic"}, Conversation{CommentCreated: anyType.Add(-time.Hour)},
			anyType.Add(-ns), refused(RulePrivateReplyTextOnly, 100, 0), nil},
		{"text 1ns before 2019-09-30", Request{Recipient: Comment}, Conversation{CommentCreated: anyType.Add(-time.Hour)},
			anyType.Add(-ns), allowed(RulePrivateReply, anyType.Add(week-time.Hour)), nil},
		{"template at 2019-09-30", Request{Recipient: Comment, Template: "generic"}, Conversation{CommentCreated: anyType.Add(-time.Hour)},
			anyType, allowed(RulePrivateReply, anyType.Add(week-time.Hour)), nil},
	})
	other := Default()
	if err := other.SetError(RulePrivateReply, 100, 2534025); err != nil {
		t.Fatal(err)
	}
	runChecks(t, other, []checkCase{
		{"host picks 2534025 for late replies", reply, Conversation{CommentCreated: T0.Add(-week)}, T0, refused(RulePrivateReply, 100, 2534025), nil},
		{"already replied keeps 10900", reply, Conversation{CommentCreated: T0, PrivateReplySent: true}, T0, refused(RulePrivateReply, 10900, 0), nil},
	})
}

func TestUtilityAndPhone(t *testing.T) {
	t.Parallel()
	ut := Request{MessagingType: Utility, Template: UtilityTemplate}
	from := day(2026, 3, 27)
	conv := Conversation{LastUserMessage: day(2025, 1, 1)}
	runChecks(t, nil, []checkCase{
		{"1ns before it is documented", ut, conv, from.Add(-ns), refused(RuleNone, 100, 0), []string{"UTILITY"}},
		{"from 2026-03-27", ut, conv, from, allowed(RuleUtility, NoDeadline), nil},
		{"not a utility template", Request{MessagingType: Utility, Template: "generic"}, conv, T0, refused(RuleUtility, 100, 0), nil},
		{"promotional", Request{MessagingType: Utility, Template: UtilityTemplate, Promotional: true}, conv, T0, refused(RuleUtility, 100, 0), nil},
		{"never messaged", ut, Conversation{}, T0, refused(RuleUtility, 10, 2018278), nil},
		{"phone, approved", Request{MessagingType: Update, Recipient: Phone, PhoneNumberApproved: true}, Conversation{}, T0,
			allowed(RulePhone, NoDeadline), nil},
		{"phone, not approved", Request{MessagingType: Update, Recipient: Phone}, Conversation{}, T0, refused(RulePhone, 200, 2018027), nil},
	})
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	in := Conversation{LastUserMessage: T0.Add(-time.Hour)}
	runChecks(t, nil, []checkCase{
		{"zero now", response, in, time.Time{}, refused(RuleInputNow, 0, 0), []string{"now"}},
		{"now past 9999", response, in, NoDeadline, refused(RuleInputNow, 0, 0), []string{"now"}},
		{"unknown messaging type", Request{MessagingType: "PROMOTION"}, in, T0, refused(RuleInputMessagingType, 100, 0),
			[]string{"MessagingType", `"PROMOTION"`, "RESPONSE"}},
		{"lower-case messaging type", Request{MessagingType: "response"}, in, T0, refused(RuleInputMessagingType, 100, 0), nil},
		{"unknown recipient", Request{MessagingType: Response, Recipient: "email"}, in, T0, refused(RuleInputRecipient, 100, 0),
			[]string{"Recipient", `"email"`}},
		{"unknown tag", tagged("FLASH_SALE"), in, T0, refused(RuleInputTag, 100, 0),
			[]string{"Tag", `"FLASH_SALE"`, "CUSTOMER_FEEDBACK, HUMAN_AGENT, NON_PROMOTIONAL_SUBSCRIPTION"}},
		{"tag with RESPONSE", Request{MessagingType: Response, Tag: tags.HumanAgent}, in, T0, refused(RuleInputTag, 100, 0),
			[]string{"MESSAGE_TAG", "RESPONSE"}},
		{"tag with UTILITY", Request{MessagingType: Utility, Tag: tags.HumanAgent}, in, T0, refused(RuleInputTag, 100, 0), nil},
		{"MESSAGE_TAG without a tag", Request{MessagingType: MessageTag}, in, T0, refused(RuleInputTag, 100, 0), []string{"needs a Tag"}},
		{"last message in the future", response, Conversation{LastUserMessage: T0.Add(ns)}, T0, refused(RuleInputConversation, 0, 0),
			[]string{"LastUserMessage", "after now"}},
		{"last message in the future across zones", response, Conversation{LastUserMessage: T0.Add(ns).In(jst)}, T0.In(est),
			refused(RuleInputConversation, 0, 0), nil},
		{"comment in the future", Request{Recipient: Comment}, Conversation{CommentCreated: T0.Add(time.Hour)}, T0,
			refused(RuleInputConversation, 0, 0), []string{"CommentCreated"}},
		{"token issued in the future", Request{Recipient: OTNToken}, Conversation{TokenIssued: T0.Add(time.Hour)}, T0,
			refused(RuleInputConversation, 0, 0), []string{"TokenIssued"}},
		{"negative count", response, Conversation{LastUserMessage: T0, MessagesAfterWindow: -1}, T0,
			refused(RuleInputConversation, 0, 0), []string{"MessagesAfterWindow"}},
		{"negative frequency", response, Conversation{LastUserMessage: T0, TokenFrequency: -time.Hour}, T0,
			refused(RuleInputConversation, 0, 0), []string{"TokenFrequency"}},
		{"unknown token kind", response, Conversation{LastUserMessage: T0, TokenKind: Comment}, T0,
			refused(RuleInputConversation, 0, 0), []string{"TokenKind"}},
		{"long garbage is not echoed in full", Request{MessagingType: MessagingType(strings.Repeat("x", 5000))}, in, T0,
			refused(RuleInputMessagingType, 100, 0), []string{"…"}},
	})
	for _, d := range []Decision{
		Check(response, in, time.Time{}),
		Check(Request{MessagingType: "X"}, in, T0),
	} {
		if !d.BadInput() || d.Allowed || len(d.Reason) > 400 {
			t.Errorf("bad input decision %+v: BadInput() = %v, len(Reason) = %d", d, d.BadInput(), len(d.Reason))
		}
	}
	if Check(response, in, T0).BadInput() {
		t.Error("good input reported as bad")
	}

	skewed := Default()
	if err := skewed.SetClockSkew(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	runChecks(t, skewed, []checkCase{
		{"skew tolerated", response, Conversation{LastUserMessage: T0.Add(time.Second)}, T0, allowed(RuleStandardWindow, T0.Add(24*time.Hour+time.Second)), nil},
		{"beyond the skew", response, Conversation{LastUserMessage: T0.Add(3 * time.Second)}, T0, refused(RuleInputConversation, 0, 0), nil},
	})
}

func TestUntilIsUTC(t *testing.T) {
	t.Parallel()
	d := Check(response, Conversation{LastUserMessage: T0.In(jst)}, T0.In(est))
	if d.Until.Location() != time.UTC {
		t.Errorf("Until location = %v, want UTC", d.Until.Location())
	}
}
